"""Dub video and Text → Audio: how a source shapes a dub and what each mode expands to. (The audio-only
model patch is checked on a real ComfyUI: tests/host/test_dub_t2a_runs.py.)"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from ltx23_aio.model_manifest import BUILTIN_SETS
from ltx23_aio.model_store.sets import USER_SETS_SUBDIR
from ltx23_aio.nodes.media import MediaError, MediaInfo, follow_source, shape_clip, sources
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.plan import Environment, plan_run
from ltx23_aio.nodes.settings import resolve_geometry
from ltx23_aio.nodes.workflow import LOADER_PREFIX, load_presets

DUB, T2A = MODES["dub"], MODES["t2a"]
TINY = json.loads((Path(__file__).parents[1] / "host" / "tiny_model_set.json").read_text())
FACTS = {
    "talk.mp4": MediaInfo("video", duration=50 / 30, fps=30.0, frames=50, has_audio=True),
    "talk24.mp4": MediaInfo("video", duration=1.5, fps=24.0, frames=36, has_audio=True),
    "mute.mp4": MediaInfo("video", duration=1.5, fps=24.0, frames=36, has_audio=False),
    "long.mp4": MediaInfo("video", duration=25.0, fps=24.0, frames=600, has_audio=True),
    "tiny.mp4": MediaInfo("video", duration=0.25, fps=24.0, frames=6, has_audio=True),
    "fast.mp4": MediaInfo("video", duration=1.0, fps=120.0, frames=120, has_audio=True),
    "speech.wav": MediaInfo("audio", duration=2.0),
    "short.wav": MediaInfo("audio", duration=1.0),
}


def probe(kind, name):
    return FACTS[name]


def dub_geometry(video="talk.mp4", audio="speech.wav", audio_start=0.0, duration=5.0, fps=24):
    values = {"video": video, "audio": audio, "audio_start": audio_start}
    _, infos = sources(DUB, values, probe)
    g = follow_source(DUB, values, infos, resolve_geometry(128, 128, duration, fps))
    return shape_clip(DUB, values, infos, g)


@pytest.mark.parametrize("video, frames, fps", [("talk.mp4", 49, 30), ("talk24.mp4", 33, 24)])
def test_dub_takes_the_sources_rate_and_whole_length_rounded_down_to_8n_plus_1(video, frames, fps):
    for duration in (0.5, 5.0, 19.0):  # the node's duration does not matter for an uploaded source
        g, notes = dub_geometry(video, duration=duration)
        assert (g.frames, g.fps, g.width, g.height) == (frames, fps, 128, 128) and notes == ()
        assert not any("(8n+1)" in c for c in g.changes)  # what the node's duration would have given
    g, _ = dub_geometry("talk.mp4")
    assert g.changes == ("fps 24 → 30 (the source video's rate)", "49 frames: the source's 50, rounded down to 8n+1")


def test_dub_new_audio_must_cover_the_clip():
    assert dub_geometry("talk24.mp4", "speech.wav", audio_start=0.6)[0].frames == 33  # 1.4 s left ≥ 1.375 s
    with pytest.raises(MediaError) as e:
        dub_geometry("talk24.mp4", "short.wav")
    assert "only 1.00 s of 'short.wav' after the start, but the source clip is 1.38 s (33 frames at 24 fps)" \
        in str(e.value) and "lower audio_start" in str(e.value)
    with pytest.raises(MediaError, match="past the end of 'speech.wav'"):
        dub_geometry("talk24.mp4", "speech.wav", audio_start=2.5)


@pytest.mark.parametrize("video, words", [
    ("mute.mp4", "'mute.mp4' has no sound; Dub video uses the source's own voice as the reference"),
    ("long.mp4", "'long.mp4' is 25.00 s long; one run dubs up to the model's 20 s window (481 frames at 24 fps)"),
    ("tiny.mp4", "'tiny.mp4' has only 6 frames; a clip needs at least 9"),
    ("fast.mp4", "'fast.mp4' runs at 120 fps; LTX-2.3 takes 1–60 fps"),
])
def test_dub_refuses_sources_it_cannot_dub(video, words):
    with pytest.raises(MediaError) as e:
        dub_geometry(video)
    assert words in str(e.value)


def test_dub_with_a_wired_source_uses_the_nodes_fps_and_duration():
    values = {"video_input": ["4", 0], "audio": "speech.wav", "audio_start": 0.0}
    _, infos = sources(DUB, values, probe)
    g = resolve_geometry(128, 128, 0.67, 24)
    assert follow_source(DUB, values, infos, g) == g


def test_other_modes_with_a_video_do_not_follow_the_source():
    values = {"video": "talk.mp4", "style_image": "x.png"}
    infos = {"video": FACTS["talk.mp4"]}
    g = resolve_geometry(128, 128, 0.67, 24)
    assert follow_source(MODES["style"], values, infos, g) == g


def env_for(tmp_path):
    path = tmp_path / "user" / USER_SETS_SUBDIR / "tiny.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(TINY))
    return Environment(str(tmp_path / "user"), _Everything(), {"checkpoints", "loras", "text_encoders",
                       "latent_upscale_models"}, lambda f: f"/models/{f.name}", lambda *a: None, None, "0.27.0",
                       probe)


class _Everything:
    def __contains__(self, item):
        return True


def test_t2a_plan_runs_without_size_inputs_and_reports_seconds_of_audio(tmp_path):
    values = {"prompt": "rain on a tin roof", "negative_prompt": "", "duration": 1.3, "seed": 5, "preset": "Fast",
              "models": "tiny", "filename_prefix": "t"}  # what the node sends: no width, height or fps
    plan = plan_run(T2A, values, env_for(tmp_path))
    assert "1.30 s of audio" in plan.summary() and "×" not in plan.summary()
    assert plan.used_values()["duration"] == 1.3 and "width" not in plan.used_values()
    g = plan.expansion.graph
    assert g["audio_latent"]["inputs"]["frames_number"] == 33 and g["audio_latent"]["inputs"]["frame_rate"] == 25
    assert [g[n]["inputs"]["duration"] for n in ("exact_cut", "exact_tail", "exact_audio")] == [1.3] * 3
    assert g["placeholder_video"]["inputs"] == {"width": 64, "height": 64, "length": 1, "batch_size": 1}
    assert g["save"]["class_type"] == "SaveAudio" and plan.expansion.outputs == (["exact_audio", 0], "rain on a tin roof")


def test_t2a_presets_follow_lightricks_distilled_example_and_t2a_pipeline(tmp_path):
    base = {"prompt": "a choir", "duration": 2.0, "seed": 0, "models": "tiny"}
    fast = plan_run(T2A, {**base, "preset": "Fast"}, env_for(tmp_path)).expansion.graph
    assert fast["audio_model"] == {"class_type": "LTX23AIO_AudioOnlyModel", "inputs": {"model": ["distilled_model", 0]}}
    assert fast["pass1_guider"]["inputs"]["model"] == ["audio_model", 0] and fast["pass1_guider"]["inputs"]["cfg"] == 1.0
    assert fast["pass1_sampler"]["inputs"]["sampler_name"] == "euler_ancestral_cfg_pp"
    assert fast["pass1_latent"]["inputs"]["video_latent"] == ["placeholder_video", 0]
    balanced = plan_run(T2A, {**base, "preset": "Balanced"}, env_for(tmp_path / "b")).expansion.graph
    assert balanced["audio_model"]["inputs"]["model"] == [LOADER_PREFIX + "checkpoint", 0]  # the dev model
    assert "distilled_model" not in balanced
    assert balanced["pass1_sigmas"]["class_type"] == "LTXVScheduler" and balanced["pass1_sigmas"]["inputs"]["steps"] == 30
    assert balanced["pass1_guider"]["inputs"]["cfg"] == 7.0 and balanced["pass1_sampler"]["inputs"]["sampler_name"] == "euler"
    assert list(load_presets("t2a")) == ["Fast", "Balanced"]


def test_dub_graph_is_lightricks_dubit_with_the_new_audio_frozen(tmp_path):
    values = {"prompt": "she speaks", "seed": 1, "models": "tiny", "preset": "Fast", "width": 128, "height": 128,
              "duration": 5.0, "fps": 24, "video": "talk24.mp4", "audio": "speech.wav", "audio_start": 0.25}
    plan = plan_run(DUB, values, env_for(tmp_path))
    g = plan.expansion.graph
    assert (plan.geometry.frames, plan.geometry.fps) == (33, 24)
    assert g["dub_model"]["inputs"]["model"] == ["distilled_model", 0]
    assert g["dub_model"]["inputs"]["lora_name"] == TINY["files"]["dub_lora"]["name"]
    assert g["dub_model"]["inputs"]["strength_model"] == 1.0
    for stage, source in (("stage1", "source_small"), ("stage2", "source_sized")):
        guide = g[f"{stage}_guide"]["inputs"]
        assert (guide["image"], guide["frame_idx"], guide["strength"]) == ([source, 0], 0, 1.0)
        assert guide["iclora_parameters"] == ["ic_lora_parameters", 0]
        assert g[f"{stage}_guider"]["inputs"]["model"] == ["dub_model", 0]
        assert g[f"{stage}_guider"]["inputs"]["cfg"] == 1.0
        assert g[f"{stage}_sampler"]["inputs"]["sampler_name"] == "euler"
        assert g[f"{stage}_crop"]["inputs"]["latent"] == [f"{stage}_split", 0]
    assert (g["source_small"]["inputs"]["resize_type.width"], g["source_sized"]["inputs"]["resize_type.width"]) == (64, 128)
    # The source's voice is the reference in stage 1, the new speech in stage 2 (as DubIt's stage-1 audio).
    assert g["stage1_voice"]["inputs"]["reference_audio"] == ["source_voice", 0]
    assert g["stage2_voice"]["inputs"]["reference_audio"] == ["audio_clip", 0]
    assert g["stage1_voice"]["inputs"]["identity_guidance_scale"] == 0.0
    assert g["source_voice"]["inputs"]["audio"] == ["source_parts", 1]
    assert g["stage1_guider"]["inputs"]["positive"] == ["stage1_voice", 1]
    assert g["stage2_guide"]["inputs"]["positive"] == ["stage2_voice", 1]
    assert g["stage2_sigmas"]["inputs"]["sigmas"] == "0.909375, 0.725, 0.421875, 0.0"
    # The new speech: cut from audio_start to the clip, frozen in both stages, muxed as is.
    assert g["audio_cut"]["inputs"]["audio"] == ["media_audio", 0]
    assert (g["audio_cut"]["inputs"]["start_index"], g["audio_cut"]["inputs"]["duration"]) == (0.25, 33 / 24)
    assert g["stage1_latent"]["inputs"]["audio_latent"] == ["audio_frozen", 0]
    assert g["stage2_latent"]["inputs"]["audio_latent"] == ["stage1_split", 1]
    assert g["video"]["inputs"]["audio"] == ["audio_clip", 0] and g["decode"]["inputs"]["samples"] == ["stage2_crop", 2]
    assert plan.expansion.outputs == (["video", 0], ["decode", 0], ["audio_clip", 0], "she speaks")


def test_dub_files_include_the_dubit_ic_lora_in_every_built_in_set():
    from ltx23_aio.nodes.plan import files_needed
    for s in BUILTIN_SETS.values():
        files = files_needed(DUB, s)
        assert files["dub_lora"].name == "ltx-2.3-22b-ic-lora-dubit-0.9.safetensors"
        assert files["dub_lora"].url == ("https://huggingface.co/Lightricks/LTX-2.3-22b-IC-LoRA-DubIt/resolve/main/"
                                         "ltx-2.3-22b-ic-lora-dubit-0.9.safetensors")
        assert "ic_lora" not in files and "upscaler" in files
        assert set(files_needed(T2A, s)) == {"checkpoint", "text_encoder", "distilled_lora"}


def test_editable_nodes_answer_names_each_modes_own_outputs(tmp_path):
    from ltx23_aio.nodes.editable import expand_request

    env = env_for(tmp_path)
    make_plan = lambda mode, values: plan_run(mode, values, env)  # noqa: E731
    t2a = expand_request({"mode": "t2a", "values": {"prompt": "rain", "duration": 1.0, "models": "tiny"}}, make_plan)
    assert t2a["outputs"] == {"audio": ["exact_audio", 0]} and t2a["graph"]["save"]["class_type"] == "SaveAudio"
    dub = expand_request({"mode": "dub", "values": {"prompt": "she speaks", "width": 128, "height": 128,
                                                    "models": "tiny", "video": "talk24.mp4", "audio": "speech.wav"},
                          "wired": {"audio_input": True}}, make_plan)
    assert dub["outputs"] == {"video": ["video", 0], "images": ["decode", 0], "audio": ["audio_clip", 0]}
    assert dub["inputs"]["audio_input"] == [["audio_cut", "audio"]]


def test_export_command_offers_no_size_for_text_to_audio():
    from ltx23_aio.nodes.export import _parser

    options = {a.dest for a in _parser(T2A)._actions}
    assert {"prompt", "duration", "seed"} <= options and not {"width", "height", "fps"} & options
    assert {"video", "audio", "audio_start", "fps", "duration"} <= {a.dest for a in _parser(DUB)._actions}


def test_prefetch_command_takes_the_new_modes(comfyui, hf_env, tiny_set):
    import io

    from ltx23_aio.mode_files.cli import main

    for mode, count in (("t2a", 3), ("dub", 5)):
        out = io.StringIO()
        assert main(["models", "status", "--mode", mode, "--set", "tiny", "--comfyui", str(comfyui)], out=out) == 1
        assert f"{count} of {count} file(s) missing" in out.getvalue()
    out = io.StringIO()
    main(["models", "status", "--mode", "dub", "--set", "tiny", "--comfyui", str(comfyui)], out=out)
    assert "ltx-2.3-22b-ic-lora-dubit-0.9.safetensors" in out.getvalue()
