"""The five media modes end to end on a real ComfyUI with tiny LTX-2.3 files and real media.

Random weights make pixels meaningless, so conditioning is checked on latents (taps.py) and on
the plumbing: frame counts, streams, the audio that comes out.
"""
from __future__ import annotations

import json
import uuid

import numpy as np
import pytest
import torch
from harness import TINY_SET, flush_cache, output_file, write_media
from ltx23_aio.nodes.modes import MODES
from media import probe
from reference_graphs import LOADERS, SAMPLERS, a2v_fast, i2v_fast
from taps import expansion, tap, tapped
from test_t2v import inner, loaders_run, rejected

TINY_FILES = {role: f["name"] for role, f in TINY_SET["files"].items()}
NODES = {m: MODES[m].node_id for m in ("i2v", "a2v", "lipsync", "keyframe", "style")}
MEDIA = {"i2v": {"image": "portrait.png"}, "a2v": {"audio": "speech.wav"},
         "lipsync": {"image": "portrait.png", "audio": "speech.wav"},
         "keyframe": {"first_image": "first.png", "last_image": "last.png"},
         "style": {"video": "source.mp4", "style_image": "portrait.png"}}
BASE = {"prompt": "a woman says hello, birds sing", "negative_prompt": "blurry", "width": 128, "height": 128,
        "duration": 0.67, "fps": 24, "seed": 3, "preset": "Fast", "models": "tiny"}  # 17 frames


@pytest.fixture(scope="module", autouse=True)
def media_files(server):
    return write_media(server.base / "input")


def values(mode: str, **overrides) -> dict:
    return {**MODES[mode].defaults, **BASE, **MEDIA[mode], "filename_prefix": f"{mode}/{uuid.uuid4().hex[:8]}",
            **overrides}


def node(mode: str, **overrides) -> dict:
    return {"10": {"class_type": NODES[mode], "inputs": values(mode, **overrides)}}


def run_ok(server, prompt):
    result = server.run(prompt)
    assert result.status == "success", json.dumps(result.error, indent=1)[:3000]
    return result


def input_audio(server, name: str, start: float, seconds: float) -> tuple[np.ndarray, int]:
    media = probe(server.base / "input" / name)
    a = media.audio[:, round(start * media.audio_rate):round((start + seconds) * media.audio_rate)]
    return a, media.audio_rate


def aligned_error(out: np.ndarray, ref: np.ndarray) -> float:
    """RMS error relative to the reference's RMS, after the best shift of up to 2048 samples
    (AAC adds a priming delay)."""
    out, ref = out.mean(axis=0), ref.mean(axis=0)
    n = min(len(out), len(ref)) - 2048
    best = min(np.sqrt(np.mean((out[s:s + n] - ref[:n]) ** 2)) for s in range(0, 2048, 16))
    return best / np.sqrt(np.mean(ref[:n] ** 2))


# --- every mode runs -------------------------------------------------------------------------

def test_all_six_nodes_are_registered_with_upload_widgets_and_sockets(server):
    info = server.get("/object_info")
    for node_id in {**NODES, "t2v": "LTX23AIO_TextToVideo"}.values():
        assert node_id in info, node_id
    i2v = info["LTX23AIO_ImageToVideo"]["input"]
    assert i2v["optional"]["image"][1]["image_upload"] is True
    assert "portrait.png" in i2v["optional"]["image"][1]["options"]
    assert i2v["optional"]["image_input"][0] == "IMAGE"
    assert i2v["optional"]["image_input"][1]["lazy"] is True and i2v["optional"]["image_input"][1]["rawLink"] is True
    style = info["LTX23AIO_StyleTransfer"]["input"]
    assert style["optional"]["video"][1]["video_upload"] is True and style["optional"]["video_input"][0] == "VIDEO"
    assert info["LTX23AIO_AudioToVideo"]["input"]["optional"]["audio"][1]["audio_upload"] is True


@pytest.mark.parametrize("mode", list(NODES))
def test_mode_runs_end_to_end_with_video_and_sound(server, mode):
    result = run_ok(server, node(mode))
    media = probe(output_file(server, result))
    assert [s["codec"] for s in media.video_streams] == ["h264"]
    assert media.frames.shape == (17, 128, 128, 3)
    assert [s["codec"] for s in media.audio_streams] == ["aac"]
    assert media.audio_duration == pytest.approx(17 / 24, abs=0.05)
    for preset in ("Balanced", "Quality"):
        assert probe(output_file(server, run_ok(server, node(mode, preset=preset)))).frames.shape[0] == 17


# --- image conditioning (i2v, lipsync) ---------------------------------------------------------

@pytest.mark.parametrize("mode", ["i2v", "lipsync"])
def test_image_at_strength_1_is_kept_through_sampling(server, mode):
    graph = expansion(mode, values(mode, image_strength=1.0))
    tap(graph, "conditioned", ["stage1_image", 0])
    tap(graph, "sampled", ["stage1_split", 0])
    result = run_ok(server, graph)
    conditioned, sampled = tapped(server, result, "conditioned"), tapped(server, result, "sampled")
    assert torch.equal(conditioned[:, :, :1], sampled[:, :, :1])  # the image's latent frame
    assert not torch.equal(conditioned[:, :, 1:], sampled[:, :, 1:])  # the rest was sampled


@pytest.mark.parametrize("mode", ["i2v", "lipsync"])
def test_image_strength_changes_the_video(server, mode):
    weak = probe(output_file(server, run_ok(server, node(mode, image_strength=0.0))))
    strong = probe(output_file(server, run_ok(server, node(mode, image_strength=1.0))))
    assert not np.array_equal(weak.frames, strong.frames)


# --- audio kept (a2v, lipsync) -----------------------------------------------------------------

@pytest.mark.parametrize("mode", ["a2v", "lipsync"])
def test_audio_latent_is_frozen_in_both_stages(server, mode):
    graph = expansion(mode, values(mode, audio_start=0.5))
    tap(graph, "encoded", ["audio_latent", 0])
    tap(graph, "after_stage1", ["stage1_split", 1])
    tap(graph, "after_stage2", ["stage2_split", 1])
    result = run_ok(server, graph)
    encoded = tapped(server, result, "encoded")
    assert torch.equal(encoded, tapped(server, result, "after_stage1"))
    assert torch.equal(encoded, tapped(server, result, "after_stage2"))


@pytest.mark.parametrize("mode", ["a2v", "lipsync"])
def test_mp4_carries_the_input_audio_cut_to_the_clip(server, mode):
    media = probe(output_file(server, run_ok(server, node(mode, audio_start=0.5))))
    ref, rate = input_audio(server, "speech.wav", 0.5, 17 / 24)
    assert media.audio_rate == rate
    assert media.audio_duration == pytest.approx(17 / 24, abs=0.05)
    assert aligned_error(media.audio, ref) < 0.1  # AAC at 128 kb/s: within codec tolerance


def test_audio_shorter_than_the_clip_is_padded_with_silence(server):
    result = run_ok(server, node("a2v", audio="short.wav", duration=1.0))  # 0.2 s of audio, 25 frames
    media = probe(output_file(server, result))
    assert media.frames.shape[0] == 25
    assert media.audio_duration == pytest.approx(25 / 24, abs=0.05)
    assert np.abs(media.audio[:, :int(0.15 * media.audio_rate)]).max() > 0.05  # the tone
    assert np.abs(media.audio[:, int(0.3 * media.audio_rate):int(0.9 * media.audio_rate)]).max() < 0.01
    assert any("padded with silence" in text for _, text in result.node_texts)


# --- first/last frame ----------------------------------------------------------------------------

@pytest.mark.parametrize("duration, frames", [(0.33, 9), (0.67, 17)])
def test_keyframe_gives_the_frames_asked_for(server, duration, frames):
    media = probe(output_file(server, run_ok(server, node("keyframe", duration=duration))))
    assert media.frames.shape[0] == frames


def test_keyframe_both_guides_reach_the_sampler_and_are_cropped(server):
    graph = expansion("keyframe", values("keyframe"))  # 17 frames: 3 latent frames
    tap(graph, "guided", ["stage1_last_guide", 2])
    tap(graph, "sampled", ["stage1_split", 0])
    tap(graph, "cropped", ["stage1_crop", 2])
    tap(graph, "refined", ["stage2_crop", 2])
    result = run_ok(server, graph)
    assert tapped(server, result, "guided").shape[2] == 3 + 2  # two guide frames appended
    assert tapped(server, result, "sampled").shape[2] == 3 + 2
    assert tapped(server, result, "cropped").shape[2] == 3
    assert tapped(server, result, "refined").shape[2] == 3


# --- style transfer ------------------------------------------------------------------------------

def test_style_control_frames_are_the_source_videos_edges(server):
    graph = expansion("style", values("style"))
    graph["tap_control"] = {"class_type": "SaveImage", "inputs": {"images": ["control_frames", 0],
                                                                   "filename_prefix": "taps/control"}}
    direct = {  # the same frames straight from core nodes
        "d1": {"class_type": "LoadVideo", "inputs": {"file": "source.mp4"}},
        "d2": {"class_type": "GetVideoComponents", "inputs": {"video": ["d1", 0]}},
        "d3": {"class_type": "ImageFromBatch", "inputs": {"image": ["d2", 0], "batch_index": 0, "length": 17}},
        "d4": {"class_type": "ResizeImageMaskNode", "inputs": {
            "input": ["d3", 0], "resize_type": "scale dimensions", "resize_type.width": 128,
            "resize_type.height": 128, "resize_type.crop": "center", "scale_method": "area"}},
        "d5": {"class_type": "Canny", "inputs": {"image": ["d4", 0], "low_threshold": 0.4, "high_threshold": 0.8}},
        "d6": {"class_type": "SaveImage", "inputs": {"images": ["d5", 0], "filename_prefix": "taps/direct"}},
    }
    result = run_ok(server, {**graph, **direct})
    from PIL import Image
    def frames(node_id):
        return np.stack([np.asarray(Image.open(server.base / "output" / i["subfolder"] / i["filename"]))
                         for i in result.history["outputs"][node_id]["images"]])
    control, reference = frames("tap_control"), frames("d6")
    assert control.shape == (17, 128, 128, 3)
    assert np.array_equal(control, reference)
    assert control.max() == 255 and not np.array_equal(control[0], control[8])  # edges that move


@pytest.mark.parametrize("lora, factor", [("ltx23-tiny-ic-lora.safetensors", 1),
                                          ("ltx23-tiny-ic-lora-ref2.safetensors", 2)])
def test_style_reads_the_ic_lora_factor_through_get_ic_lora_parameters(server, lora, factor):
    graph = expansion("style", values("style"))
    graph["style_model"]["inputs"]["lora_name"] = lora
    graph["tap_parameters"] = {"class_type": "PreviewAny", "inputs": {"source": ["ic_lora_parameters", 0]}}
    result = run_ok(server, graph)  # with factor 2 the 128×128 clip's 4×4 latent must divide by 2
    shown = json.loads(result.history["outputs"]["tap_parameters"]["text"][0])
    assert shown == {"reference_downscale_factor": factor}


def test_style_muxes_the_source_audio(server):
    media = probe(output_file(server, run_ok(server, node("style", video_start=0.25))))
    ref, rate = input_audio(server, "source.mp4", 0.25, 17 / 24)
    assert media.audio_rate == rate
    assert aligned_error(media.audio, ref) < 0.15  # decoded from AAC, encoded to AAC again


def test_style_length_follows_the_source_when_it_is_shorter(server):
    result = run_ok(server, node("style", duration=5.0, video_start=0.0))  # the source has 1.5 s
    media = probe(output_file(server, result))
    assert media.frames.shape[0] == 33  # 36 frames at 24 fps → 8n+1
    assert any("→ 33 frames (the source video has 1.50 s" in text for _, text in result.node_texts)


# --- media wired into sockets ---------------------------------------------------------------------

def test_wired_image_reruns_without_reloading_models(server):
    def prompt(image, seed):
        return {"5": {"class_type": "LoadImage", "inputs": {"image": image}},
                "10": {"class_type": NODES["i2v"], "inputs": {
                    **values("i2v", seed=seed), "image_input": ["5", 0]}}}
    first = run_ok(server, prompt("portrait.png", 41))
    assert probe(output_file(server, first)).frames.shape[0] == 17
    changed = run_ok(server, prompt("first.png", 41))  # the upstream node runs again
    assert "5" in changed.executed
    assert loaders_run(changed) == []
    assert "image_sized" in [inner(n) for n in changed.executed]
    seed_only = run_ok(server, prompt("first.png", 42))
    assert loaders_run(seed_only) == []


def test_wired_audio_is_used_instead_of_the_file(server):
    prompt = {"5": {"class_type": "LoadAudio", "inputs": {"audio": "speech.wav"}},
              "10": {"class_type": NODES["a2v"], "inputs": {**values("a2v", audio="short.wav"), "audio_input": ["5", 0]}}}
    media = probe(output_file(server, run_ok(server, prompt)))
    ref, _ = input_audio(server, "speech.wav", 0.0, 17 / 24)
    assert aligned_error(media.audio, ref) < 0.1  # 0.7 s of tone, not 0.2 s and silence


# --- the same recipe queued by hand ---------------------------------------------------------------

def same_as_reference(server, node_prompt, reference_prompt):
    made = run_ok(server, node_prompt)
    flush_cache(server)
    ref = run_ok(server, reference_prompt)
    assert SAMPLERS | LOADERS <= set(ref.executed)
    a, b = probe(output_file(server, made)), probe(output_file(server, ref))
    assert a.frames.shape == (17, 128, 128, 3)
    assert np.array_equal(a.frames, b.frames)
    assert np.array_equal(a.audio, b.audio)


def reference_values(**extra) -> dict:
    return dict(prompt=BASE["prompt"], negative=BASE["negative_prompt"], seed=51, width=128, height=128,
                frames=17, fps=24, prefix=f"reference/{uuid.uuid4().hex[:6]}", **extra)


def test_i2v_matches_the_hand_written_reference_graph(server):
    same_as_reference(server, node("i2v", seed=51, image_strength=0.6),
                      i2v_fast(TINY_FILES, image="portrait.png", strength=0.6, **reference_values()))


def test_a2v_matches_the_hand_written_reference_graph(server):
    same_as_reference(server, node("a2v", seed=51, audio_start=0.4),
                      a2v_fast(TINY_FILES, audio="speech.wav", start=0.4, **reference_values()))


# --- bad input is rejected before anything runs ---------------------------------------------------

@pytest.mark.parametrize("mode, change, words", [
    ("i2v", {"image": None}, ["image: no image chosen", "‘image_input’"]),
    ("i2v", {"image": "broken.png"}, ["the image ‘broken.png’ cannot be read", "PNG, JPEG or WebP"]),
    ("a2v", {"audio": "broken.wav"}, ["the audio ‘broken.wav’ cannot be read"]),
    ("style", {"video": "broken.mp4"}, ["the video ‘broken.mp4’ cannot be read"]),
    ("a2v", {"audio_start": 5.0}, ["the start 5 s is past the end of ‘speech.wav’ (2.00 s)"]),
    ("style", {"video_start": 1.2}, ["only 0.30 s of ‘source.mp4’ after the start", "at least 9 frames"]),
    ("keyframe", {"width": 9000}, ["width"]),
    ("lipsync", {"duration": 61.0, "fps": 3}, ["185 frames", "clips of up to 60 s", "at most 177 frames"]),
    ("keyframe", {"duration": 20.0, "fps": 3}, ["65 frames", "20 s at a time", "at most 57 frames"]),
    ("style", {"prompt": ""}, ["prompt is empty"]),
])
def test_bad_input_is_rejected_at_queue_time(server, mode, change, words):
    # As the Errors panel shows it: quotes are typographic (nodes/messages.py).
    inputs = {k: v for k, v in values(mode, **change).items() if v is not None}
    text = rejected(server, {"10": {"class_type": NODES[mode], "inputs": inputs}})
    for word in words:
        assert word in text
