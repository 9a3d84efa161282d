"""Text → Video end to end on a real ComfyUI with tiny random-weight LTX-2.3 files."""
from __future__ import annotations

import json
import uuid

import numpy as np
import pytest
from harness import TINY_SET, USER_SETS, flush_cache, output_file
from media import probe
from reference_graphs import LOADERS, SAMPLERS, t2v_fast

NODE = "LTX23AIO_TextToVideo"
TINY_FILES = {role: f["name"] for role, f in TINY_SET["files"].items()}


def t2v(**overrides) -> dict:
    inputs = {"prompt": "a red fox runs through deep snow, wind howls", "negative_prompt": "blurry",
              "width": 128, "height": 128, "duration": 0.33, "fps": 24, "seed": 1, "preset": "Fast",
              "models": "tiny", "filename_prefix": f"t2v/{uuid.uuid4().hex[:8]}"}
    return {"10": {"class_type": NODE, "inputs": {**inputs, **overrides}}}


def inner(node_id: str) -> str:
    """The workflow's name for an inner node id '<super>.<call>.<graph>.<name>' (wired values add
    a level: '<super>.<call>.<graph>.run.<call>.<graph>.<name>')."""
    return node_id.rsplit(".", 1)[-1]


def loaders_run(result) -> list[str]:
    return [inner(n) for n in result.executed if inner(n).startswith("load_") or inner(n) == "distilled_model"]


def write_user_set(server, data: dict) -> None:
    path = server.base / "user" / USER_SETS / f"{data['name']}.json"
    path.write_text(json.dumps(data))


def test_node_is_registered_with_its_form(server):
    info = server.get(f"/object_info/{NODE}")[NODE]
    assert info["display_name"] == "LTX2.3 AIO · Text → Video"
    assert info["output"] == ["VIDEO", "IMAGE", "AUDIO"]
    assert info["output_node"] is True
    required = info["input"]["required"]
    assert list(required) == ["prompt", "negative_prompt", "width", "height", "duration", "fps", "seed",
                              "preset", "models", "filename_prefix"]
    assert required["preset"][1]["options"] == ["Fast", "Balanced", "Quality"]
    assert required["models"][1]["options"][:4] == ["auto", "bf16", "fp8", "nvfp4"]
    assert "tiny" in required["models"][1]["options"]
    assert required["seed"][1]["control_after_generate"] is True


def test_t2v_writes_an_mp4_with_h264_video_and_matching_audio(server):
    result = server.run(t2v(duration=0.67), extra_pnginfo={"workflow": {}})
    assert result.status == "success", result.error
    media = probe(output_file(server, result))
    assert [s["codec"] for s in media.video_streams] == ["h264"]
    assert (media.video_streams[0]["width"], media.video_streams[0]["height"]) == (128, 128)
    assert media.frames.shape == (17, 128, 128, 3)
    assert len(media.audio_streams) == 1 and media.audio_streams[0]["codec"] == "aac"
    assert media.audio_duration == pytest.approx(17 / 24, abs=0.05)

    used = media.metadata["ltx23_aio"]["10"]
    assert (used["width"], used["height"], used["frames"], used["fps"], used["model_set"]) == (128, 128, 17, 24, "tiny")
    assert result.history["outputs"]["10"]["ltx23_aio"][0]["frames"] == 17
    assert any(node == "10" and "128×128, 17 frames at 24 fps" in text for node, text in result.node_texts)
    assert "LTX2.3 AIO: Text → Video · Fast · model set tiny" in server.log_text()


def test_snapped_values_are_reported(server):
    result = server.run(t2v(width=100, height=150), extra_pnginfo={"workflow": {}})
    assert result.status == "success", result.error
    media = probe(output_file(server, result))
    assert media.frames.shape[1:3] == (128, 128)
    assert "size 100×150 → 128×128" in " ".join(media.metadata["ltx23_aio"]["10"]["adjusted"])
    assert any("100×150 → 128×128" in text for _, text in result.node_texts)


def test_same_seed_gives_identical_frames_and_audio(server):
    prompt = t2v(seed=5)
    first = probe(output_file(server, server.run(prompt)))
    flush_cache(server)
    again = server.run(t2v(seed=5))
    assert "stage1_sample" in [inner(n) for n in again.executed]  # really sampled again
    second = probe(output_file(server, again))
    assert np.array_equal(first.frames, second.frames)
    assert np.array_equal(first.audio, second.audio)
    other = probe(output_file(server, server.run(t2v(seed=6))))
    assert not np.array_equal(first.frames, other.frames)


def test_prompt_or_seed_only_rerun_executes_no_loader(server):
    first = server.run(t2v(seed=11, prompt="a lighthouse in a storm, waves crash"))
    assert first.status == "success"
    seed_only = server.run(t2v(seed=12, prompt="a lighthouse in a storm, waves crash"))
    assert seed_only.status == "success"
    assert loaders_run(seed_only) == []
    assert "stage1_sample" in [inner(n) for n in seed_only.executed]
    prompt_only = server.run(t2v(seed=12, prompt="a lighthouse at dawn, gulls call"))
    assert prompt_only.status == "success"
    assert loaders_run(prompt_only) == []
    assert "positive_text" in [inner(n) for n in prompt_only.executed]


def test_fully_cached_rerun_still_shows_the_video(server):
    prompt = t2v(seed=21)
    first = server.run(prompt)
    again = server.run(prompt)
    assert again.status == "success"
    assert [inner(n) for n in again.executed] == ["10"]  # only the super-node re-expands
    assert output_file(server, again) == output_file(server, first)
    shown = [e["data"] for e in again.events if e["type"] == "executed"]
    assert any(d["display_node"] == "10" and d["output"] and d["output"].get("images") for d in shown)


def test_matches_the_hand_written_reference_graph(server):
    values = dict(prompt="rain on a tin roof, thunder", negative="blurry", seed=31, width=128, height=128,
                  frames=17, fps=24)
    node = server.run(t2v(prompt=values["prompt"], negative_prompt=values["negative"], seed=31, duration=0.67))
    assert node.status == "success", node.error
    flush_cache(server)
    reference = server.run(t2v_fast(TINY_FILES, prefix="reference/t2v", **values))
    assert reference.status == "success", reference.error
    assert SAMPLERS | LOADERS <= set(reference.executed)  # computed afresh, not taken from the cache
    a, b = probe(output_file(server, node)), probe(output_file(server, reference))
    assert a.frames.shape == (17, 128, 128, 3)
    assert np.array_equal(a.frames, b.frames)
    assert np.array_equal(a.audio, b.audio)


def test_split_file_model_set_runs(server):
    split = {
        "name": "tiny-split",
        "files": {
            "transformer": {"name": "ltx23-tiny-transformer.safetensors", "folder": "diffusion_models"},
            "video_vae": {"name": "ltx23-tiny-video-vae.safetensors", "folder": "vae"},
            "audio_vae": {"name": "ltx23-tiny-audio-vae.safetensors", "folder": "vae"},
            **{k: TINY_SET["files"][k] for k in ("text_encoder", "distilled_lora", "upscaler")},
        },
        "loaders": {
            "transformer": {"class_type": "UNETLoader", "inputs": {"unet_name": {"file": "transformer"}, "weight_dtype": "default"}},
            "video_vae": {"class_type": "VAELoader", "inputs": {"vae_name": {"file": "video_vae"}}},
            "audio_vae": {"class_type": "VAELoader", "inputs": {"vae_name": {"file": "audio_vae"}}},
            "text_encoder": TINY_SET["loaders"]["text_encoder"],
            "upscaler": TINY_SET["loaders"]["upscaler"],
        },
        "provides": {"model": ["transformer", 0], "video_vae": ["video_vae", 0], "audio_vae": ["audio_vae", 0],
                     "text_encoder": ["text_encoder", 0], "upscale_model": ["upscaler", 0]},
    }
    write_user_set(server, split)
    result = server.run(t2v(models="tiny-split"))
    assert result.status == "success", result.error
    assert {"load_transformer", "load_video_vae", "load_audio_vae"} <= {inner(n) for n in result.executed}
    media = probe(output_file(server, result))
    assert media.frames.shape == (9, 128, 128, 3) and media.audio_duration > 0


def rejected(server, prompt) -> str:
    """Queue a prompt that must fail validation; return the error text ComfyUI sends back."""
    status, body = server.post_prompt(prompt)
    assert status == 400, body
    queue = server.get("/queue")
    assert queue["queue_running"] == [] and queue["queue_pending"] == []
    return json.dumps(body, ensure_ascii=False)


def test_missing_core_node_is_named_at_queue_time(server):
    loaders = dict(TINY_SET["loaders"])
    loaders["audio_vae"] = {"class_type": "LTXVAudioVAELoaderNext", "inputs": {"ckpt_name": {"file": "checkpoint"}}}
    write_user_set(server, {**TINY_SET, "name": "tiny-newer", "loaders": loaders})
    text = rejected(server, t2v(models="tiny-newer"))
    assert "lacks core nodes that Text → Video needs: LTXVAudioVAELoaderNext" in text
    assert "v0.27.0" in text


@pytest.mark.parametrize("change, words", [
    ({"prompt": "   "}, ["prompt is empty"]),
    ({"duration": 61.0, "fps": 3}, ["185 frames", "clips of up to 60 s", "at most 177 frames"]),
    ({"fps": 0}, ["fps"]),
    ({"preset": "Turbo"}, ["Turbo"]),
    ({"models": "fp16"}, ["fp16"]),
])
def test_bad_values_are_rejected_at_queue_time(server, change, words):
    text = rejected(server, t2v(**change))
    for word in words:
        assert word in text


def test_a_clip_at_the_20_second_window_runs_with_the_frames_reported(server):
    result = server.run(t2v(width=64, height=64, fps=3, duration=19.0))  # 57 frames = 18.67 s, the most at 3 fps
    assert result.status == "success", result.error
    media = probe(output_file(server, result))
    assert media.frames.shape[0] == 57
    assert media.audio_duration == pytest.approx(57 / 3, abs=0.1)
    assert media.metadata["ltx23_aio"]["10"]["frames"] == 57
