"""The prompt enhancer and the voice reference on a real ComfyUI with tiny LTX-2.3 files.

What runs here: the voice reference end to end (the tiny ID-LoRA is a tiny LoRA like the others,
and core LTXVReferenceAudio encodes the clip with the tiny audio VAE); everything after the
enhancer (the prompt note, the mp4 metadata, the history, the cache across a seed-only rerun);
the enhancer's refusal on the CLIP stand-in; and the enhancer's graph, with a Gemma-type loader,
passing the real server's /prompt validation. What cannot run here: Gemma writing the text —
ComfyUI builds the 12B Gemma whatever file it is given, so no tiny stand-in exists (see the
README's test section for the GPU check).
"""
from __future__ import annotations

import uuid

import pytest
from harness import TINY_SET, output_file
from ltx23_aio.model_store.sets import parse_model_set
from ltx23_aio.nodes.media import MediaInfo, sources
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.options import active, voice_source
from ltx23_aio.nodes.plan import run_params
from ltx23_aio.nodes.settings import resolve_geometry
from ltx23_aio.nodes.workflow import build, load_presets, load_workflow
from media import probe
from test_media_modes import media_files, run_ok, values  # noqa: F401  (media_files: fixture)
from test_t2v import inner, rejected, t2v

GEMMA_PLACEHOLDER = "gemma-placeholder.safetensors"  # an empty file: enough for /prompt, not to load


def executed(result) -> set[str]:
    return {inner(n) for n in result.executed}


def graph_of(mode_id: str, model_set: dict, **overrides) -> dict:
    """The expansion the AIO node would run, built by the pack's own code, queued directly."""
    mode = MODES[mode_id]
    own = values(mode_id) if mode.media else {**mode.defaults, **t2v()["10"]["inputs"]}
    v = {**own, **overrides}
    probe_ = lambda kind, name: MediaInfo(kind)  # noqa: E731
    media, _ = sources(mode, v, probe_)
    voice = voice_source(mode, v, probe_)
    if voice:
        media["voice_reference"] = voice[0]
    params = run_params(mode, v, v["prompt"], resolve_geometry(v["width"], v["height"], v["duration"], v["fps"]))
    return build(load_workflow(mode_id), load_presets(mode_id)["Fast"], params,
                 parse_model_set(model_set, "set.json"), media, options=active(mode, v, media)).graph


def test_options_come_after_the_media_before_the_lists_and_the_prompt_output_is_appended(server):
    for mode in MODES.values():
        info = server.get(f"/object_info/{mode.node_id}")[mode.node_id]
        assert info["output"][-1] == "STRING" and info["output_name"][-1] == "prompt"
        optional = info["input"]["optional"]
        # The lists (LoRAs, keyframes) stay last: the frontend saves their rows after their count.
        names = list(optional)[:-len(mode.lists)]
        assert list(optional)[-len(mode.lists):] == [lst.name for lst in mode.lists]
        if not mode.makes_video:
            continue  # Text → Audio: no enhancer (it writes video prompts) and no voice reference
        assert names[-4 if mode.id in ("t2v", "i2v", "keyframe") else -2:][:2] == ["prompt_enhancer", "enhancer_seed"]
        assert optional["prompt_enhancer"][1]["default"] is True  # as ComfyUI's LTX-2.3 templates
        if mode.id in ("t2v", "i2v", "keyframe"):
            assert optional["voice_reference"][1]["options"][0] == "none"
            assert names[-1] == "voice_reference_input"
        else:
            assert "voice_reference" not in optional


def test_enhancer_on_the_clip_stand_in_is_refused_at_queue_time(server):
    text = rejected(server, t2v(prompt_enhancer=True))
    assert "the prompt enhancer needs a text encoder that can write text" in text
    assert "model set ‘tiny’" in text and "CLIPLoader" in text and "Turn prompt_enhancer off" in text


@pytest.mark.parametrize("mode_id", ["t2v", "i2v"])
def test_enhancer_graph_with_a_gemma_loader_passes_the_servers_validation(server, mode_id):
    # /prompt validates every node's inputs (the combo lists included) before anything loads; an
    # expansion is not validated when the AIO node runs it, so this is where its wiring is checked.
    (server.base / "models" / "text_encoders" / GEMMA_PLACEHOLDER).write_bytes(b"")
    gemma_set = {**TINY_SET, "name": "gemma-check",
                 "files": {**TINY_SET["files"], "text_encoder": {"name": GEMMA_PLACEHOLDER, "folder": "text_encoders"}},
                 "loaders": {**TINY_SET["loaders"], "text_encoder": {"class_type": "LTXAVTextEncoderLoader", "inputs": {
                     "text_encoder": {"file": "text_encoder"}, "ckpt_name": {"file": "checkpoint"}, "device": "default"}}}}
    graph = graph_of(mode_id, gemma_set, prompt_enhancer=True)
    assert graph["enhanced_prompt"]["class_type"] == "TextGenerateLTX2Prompt"
    assert ("image" in graph["enhanced_prompt"]["inputs"]) == (mode_id == "i2v")
    # Accepted (server.run fails the test on a 400 with ComfyUI's node errors), it runs until the
    # placeholder is read: the failure is the text encoder loader's, no other node's.
    result = server.run(graph)
    assert result.status == "error" and result.error["node_id"] == "load_text_encoder", result.error
    assert "enhanced_prompt" not in executed(result)


def test_the_prompt_used_is_the_fourth_output(server):
    prompt = t2v(prompt_enhancer=False)
    prompt["20"] = {"class_type": "PreviewAny", "inputs": {"source": ["10", 3]}}
    result = run_ok(server, prompt)
    assert result.history["outputs"]["20"]["text"] == [prompt["10"]["inputs"]["prompt"]]


def test_after_the_enhancer_the_text_reaches_the_node_the_mp4_and_the_history(server):
    # Gemma stood in by a fixed text (the one thing that cannot run here); the rest is the real graph.
    graph = graph_of("t2v", TINY_SET, prompt_enhancer=True)
    written = "Style: cinematic. A red fox is running through deep snow as the wind howls."
    graph["enhanced_prompt"] = {"class_type": "PrimitiveStringMultiline", "inputs": {"value": written}}
    first = run_ok(server, graph)
    assert {"enhanced_prompt", "prompt_note", "positive_text"} <= executed(first)
    assert first.history["outputs"]["prompt_note"]["enhanced_prompt"] == [written]
    assert any(text.endswith(f"enhanced prompt: {written}") for _, text in first.node_texts)
    assert probe(output_file(server, first)).metadata["ltx23_aio"]["prompt_note"]["enhanced_prompt"] == written
    # A seed-only rerun: the text and its encoding come from the cache, the new mp4 still records it.
    graph["stage1_noise"]["inputs"]["noise_seed"] += 1
    graph["save"]["inputs"]["filename_prefix"] = f"options/{uuid.uuid4().hex[:8]}"
    again = run_ok(server, graph)
    assert not {"enhanced_prompt", "positive_text", "load_text_encoder"} & executed(again)
    assert {"stage1_sample", "prompt_note", "save"} <= executed(again)
    assert probe(output_file(server, again)).metadata["ltx23_aio"]["prompt_note"]["enhanced_prompt"] == written


@pytest.mark.parametrize("mode_id", ["t2v", "i2v", "keyframe"])
def test_voice_reference_runs_with_the_id_lora(server, mode_id):
    own = values(mode_id) if mode_id != "t2v" else {**t2v()["10"]["inputs"], "duration": 0.67}
    node = {"10": {"class_type": MODES[mode_id].node_id, "inputs": {**own, "voice_reference": "speech.wav"}}}
    result = run_ok(server, node)
    assert {"voice_lora", "voice", "media_voice_reference", "stage1_sample"} <= executed(result)
    media = probe(output_file(server, result))
    assert media.frames.shape[0] == 17 and len(media.audio_streams) == 1
    assert media.metadata["ltx23_aio"]["10"]["voice_reference"] is True
    # Without a reference ('none') the same node runs the plain graph.
    plain = run_ok(server, {"10": {**node["10"], "inputs": {**node["10"]["inputs"], "voice_reference": "none"}}})
    assert not {"voice_lora", "voice"} & executed(plain)


def test_voice_reference_wired_from_another_node(server):
    node = t2v(duration=0.67)
    node["5"] = {"class_type": "LoadAudio", "inputs": {"audio": "speech.wav"}}
    node["10"]["inputs"]["voice_reference_input"] = ["5", 0]
    result = run_ok(server, node)
    assert {"voice_lora", "voice"} <= executed(result)


def test_unreadable_voice_reference_is_refused_at_queue_time(server):
    text = rejected(server, t2v(voice_reference="broken.wav"))
    assert "broken.wav" in text and "cannot be read" in text
