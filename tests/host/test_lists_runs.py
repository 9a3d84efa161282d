"""Your LoRAs and keyframes at any time, on a real ComfyUI with tiny LTX-2.3 files.

The user LoRAs are tiny files written here from the tiny distilled LoRA (same keys as the tiny
transformer's blocks, lora_B scaled per file), since real LoRAs cannot be downloaded here.
"""
from __future__ import annotations

import json
import uuid

import numpy as np
import pytest
from harness import output_file, write_media
from ltx23_aio.nodes.modes import MODES
from media import probe
from safetensors.torch import load_file, save_file
from taps import expansion, tap, tapped
from test_t2v import TINY_FILES, inner, rejected, t2v

USER_LORAS = ("ltx23-aio-test-camera.safetensors", "ltx23-aio-test-style.safetensors")
KEYFRAME = MODES["keyframe"].node_id


@pytest.fixture(scope="module", autouse=True)
def user_files(server):
    loras = server.base / "models" / "loras"
    tensors = load_file(str(loras / TINY_FILES["distilled_lora"]))
    for scale, name in zip((2.0, -1.5), USER_LORAS):
        save_file({k: v * scale if ".lora_B." in k else v for k, v in tensors.items()}, str(loras / name))
    media = write_media(server.base / "input")
    (server.base / "input" / "broken.png").write_bytes(b"not a picture")
    return media


def with_loras(*pairs) -> dict:
    values = {"loras": str(len(pairs))}
    for n, (name, strength) in enumerate(pairs, 1):
        values |= {f"loras.lora_name{n}": name, f"loras.lora_strength{n}": strength}
    return values


def expanded(server, mode: str, values: dict) -> dict:
    """The graph the node expands to, from the server's own plan (the editable-nodes route)."""
    status, answer = server.request("POST", "/ltx23_aio/expand", {"mode": mode, "values": values})
    assert status == 200, answer
    return answer["graph"]


def ran(result) -> list[str]:
    assert result.status == "success", json.dumps(result.error, indent=1)[:3000]
    return [inner(n) for n in result.executed]


def test_the_lora_list_is_a_dynamic_combo_of_the_loras_folder(server):
    spec = server.get("/object_info/LTX23AIO_TextToVideo")["LTX23AIO_TextToVideo"]["input"]["optional"]["loras"]
    assert spec[0] == "COMFY_DYNAMICCOMBO_V3"
    options = {o["key"]: o["inputs"]["required"] for o in spec[1]["options"]}
    assert list(options) == [str(n) for n in range(11)] and options["0"] == {}
    assert list(options["2"]) == ["lora_name1", "lora_strength1", "lora_name2", "lora_strength2"]
    assert set(USER_LORAS) <= set(options["1"]["lora_name1"][1]["options"])


def test_two_loras_are_applied_with_their_strengths_and_the_run_succeeds(server):
    values = {**t2v()["10"]["inputs"], **with_loras((USER_LORAS[0], 0.8), (USER_LORAS[1], 0.3))}
    graph = expanded(server, "t2v", values)
    assert graph["user_lora_1"]["inputs"] == {"model": ["load_checkpoint", 0], "lora_name": USER_LORAS[0],
                                              "strength_model": 0.8}
    assert graph["user_lora_2"]["inputs"] == {"model": ["user_lora_1", 0], "lora_name": USER_LORAS[1],
                                              "strength_model": 0.3}
    assert graph["distilled_model"]["inputs"]["model"] == ["user_lora_2", 0]

    with_them = server.run({"10": {"class_type": "LTX23AIO_TextToVideo", "inputs": values}})
    assert {"user_lora_1", "user_lora_2", "distilled_model", "stage1_sample", "stage2_sample"} <= set(ran(with_them))
    without = server.run(t2v(filename_prefix=values["filename_prefix"] + "-plain"))
    assert not np.array_equal(probe(output_file(server, with_them)).frames, probe(output_file(server, without)).frames)


def test_a_strength_only_rerun_reloads_no_checkpoint_or_text_encoder(server):
    base = t2v(seed=31)["10"]["inputs"]
    first = server.run({"10": {"class_type": "LTX23AIO_TextToVideo",
                               "inputs": {**base, **with_loras((USER_LORAS[0], 0.5))}}})
    assert "user_lora_1" in ran(first)
    again = server.run({"10": {"class_type": "LTX23AIO_TextToVideo",
                               "inputs": {**base, **with_loras((USER_LORAS[0], 0.9))}}})
    executed = ran(again)
    assert [n for n in executed if n.startswith("load_")] == []  # checkpoint, text encoder, upscaler, audio VAE
    assert "positive_text" not in executed  # the prompt is not encoded again
    assert {"user_lora_1", "distilled_model", "stage1_sample"} <= set(executed)
    assert not np.array_equal(probe(output_file(server, first)).frames, probe(output_file(server, again)).frames)


def test_a_wired_lora_strength_is_used_as_if_typed(server):
    values = {**t2v(seed=41)["10"]["inputs"], **with_loras((USER_LORAS[0], 0.5))}
    typed = server.run({"10": {"class_type": "LTX23AIO_TextToVideo", "inputs": values}})
    assert "user_lora_1" in ran(typed)
    wired = server.run({"1": {"class_type": "PrimitiveFloat", "inputs": {"value": 0.5}},
                        "10": {"class_type": "LTX23AIO_TextToVideo",
                               "inputs": {**values, "filename_prefix": values["filename_prefix"] + "-wired",
                                          "loras.lora_strength1": ["1", 0]}}})
    assert "user_lora_1" in ran(wired)
    assert np.array_equal(probe(output_file(server, typed)).frames, probe(output_file(server, wired)).frames)


def test_a_missing_lora_is_refused_when_queued(server):
    text = rejected(server, {"10": {"class_type": "LTX23AIO_TextToVideo",
                                    "inputs": {**t2v()["10"]["inputs"], **with_loras(("gone.safetensors", 1.0))}}})
    # The frontend shows quotes as typographic ones (nodes/messages.py).
    assert "LoRA ‘gone.safetensors’ (loras.lora_name1) is not in ComfyUI’s loras folders" in text


def test_style_applies_the_loras_under_the_distilled_lora_and_the_ic_lora(server):
    from test_media_modes import values as mode_values
    values = {**mode_values("style"), **with_loras((USER_LORAS[0], 0.7))}
    graph = expanded(server, "style", values)
    assert graph["distilled_model"]["inputs"]["model"] == ["user_lora_1", 0]
    assert graph["style_model"]["inputs"]["model"] == ["distilled_model", 0]  # the IC-LoRA last
    result = server.run({"10": {"class_type": MODES["style"].node_id, "inputs": values}})
    assert "user_lora_1" in ran(result)


def test_a_long_clip_samples_its_windows_on_the_model_with_the_loras(server):
    values = {**t2v(seed=51)["10"]["inputs"], "width": 64, "height": 64, "duration": 40.0, "fps": 2,
              **with_loras((USER_LORAS[0], 0.65))}  # three windows (tests/host/test_long.py)
    graph = expanded(server, "t2v", values)
    assert graph["context_windows"]["inputs"]["model"] == ["user_lora_1", 0]
    assert graph["distilled_model"]["inputs"]["model"] == ["context_windows", 0]
    result = server.run({"10": {"class_type": "LTX23AIO_TextToVideo", "inputs": values}})
    assert {"user_lora_1", "context_windows", "stage1_sample"} <= set(ran(result))
    assert probe(output_file(server, result)).frames.shape[0] == 81


@pytest.mark.parametrize("mode", ["extend", "retake"])
def test_the_source_modes_sample_on_the_model_with_the_loras(server, mode):
    from test_source_modes import values as source_values
    from test_source_modes import write_source
    if not (server.base / "input" / "clip.mp4").is_file():
        write_source(server.base / "input" / "clip.mp4")
    strength = {"extend": 0.45, "retake": 0.55}[mode]  # each its own, so neither is a cache hit
    values = {**source_values(mode), **with_loras((USER_LORAS[1], strength))}
    graph = expanded(server, mode, values)
    assert graph["user_lora_1"]["inputs"]["model"] == ["load_checkpoint", 0]
    assert graph["distilled_model"]["inputs"]["model"] == ["user_lora_1", 0]
    result = server.run({"10": {"class_type": MODES[mode].node_id, "inputs": values}})
    assert "user_lora_1" in ran(result)


@pytest.mark.parametrize("mode, strength", [("dub", 0.35), ("t2a", 0.25)])
def test_dub_and_text_to_audio_sample_on_the_model_with_the_loras(server, mode, strength):
    from test_dub_t2a_runs import dub_values, t2a_values
    values = {**(dub_values() if mode == "dub" else t2a_values()), **with_loras((USER_LORAS[0], strength))}
    graph = expanded(server, mode, values)
    assert graph["user_lora_1"]["inputs"]["model"] == ["load_checkpoint", 0]
    assert graph["distilled_model"]["inputs"]["model"] == ["user_lora_1", 0]
    result = server.run({"10": {"class_type": MODES[mode].node_id, "inputs": values}})
    assert "user_lora_1" in ran(result)


# --- keyframes -----------------------------------------------------------------------------------

KEYFRAME_BASE = {"prompt": "a lake from day to dusk", "negative_prompt": "blurry", "width": 128, "height": 128,
                 "duration": 0.67, "fps": 24, "seed": 5, "preset": "Fast", "models": "tiny",
                 "first_strength": 1.0, "last_strength": 0.9, "first_image": "first.png", "last_image": "last.png"}


def keyframe_values(**rows) -> dict:
    values = {**KEYFRAME_BASE, "filename_prefix": f"keyframe/{uuid.uuid4().hex[:8]}", "keyframes": "3",
              "keyframes.image2": "portrait.png", "keyframes.time2": 0.33, "keyframes.strength2": 0.8}
    return {**values, **rows}


def test_three_keyframes_give_guides_at_their_frames_and_the_clip_its_frames(server):
    values = keyframe_values()
    graph = expanded(server, "keyframe", values)
    for stage in ("stage1", "stage2"):
        chain, node = [], f"{stage}_last_guide"
        while graph.get(node, {}).get("class_type") == "LTXVAddGuide":
            chain.append(graph[node]["inputs"]["frame_idx"])
            node = graph[node]["inputs"]["latent"][0]
        assert chain[::-1] == [0, 8, -1]  # 0.33 s × 24 fps = frame 8 of 17
    assert graph["stage1_keyframe2_guide"]["inputs"]["strength"] == 0.8

    result = server.run({"10": {"class_type": KEYFRAME, "inputs": values}})
    assert {"stage1_keyframe2_guide", "stage2_keyframe2_guide"} <= set(ran(result))
    assert probe(output_file(server, result)).frames.shape[0] == 17

    # The same expansion with taps: three guide frames appended to the 3 latent frames, all cropped.
    nested = {**{k: v for k, v in values.items() if not k.startswith("keyframes")},
              "keyframes": {"keyframes": "3", "image2": "portrait.png", "time2": 0.33, "strength2": 0.8}}
    tapped_graph = expansion("keyframe", nested)
    tap(tapped_graph, "guided", ["stage1_last_guide", 2])
    tap(tapped_graph, "cropped", ["stage2_crop", 2])
    taps = server.run(tapped_graph)
    assert taps.status == "success", taps.error
    assert tapped(server, taps, "guided").shape[2] == 3 + 3
    assert tapped(server, taps, "cropped").shape[2] == 3


@pytest.mark.parametrize("rows, words", [
    ({"keyframes.time2": 2.0}, "keyframes.time2 2 s is outside the clip, which ends at 0.67 s"),
    ({"keyframes": "4", "keyframes.image3": "portrait.png", "keyframes.time3": 0.34, "keyframes.strength3": 0.8},
     "keyframes.time3 0.34 s falls on frame 8, like keyframes.time2"),
    ({"keyframes.time2": 0.0}, "falls on the clip’s first frame"),
    ({"keyframes.image2": "broken.png"}, "the image ‘broken.png’ cannot be read"),
])
def test_bad_keyframes_are_refused_when_queued(server, rows, words):
    text = rejected(server, {"10": {"class_type": KEYFRAME, "inputs": keyframe_values(**rows)}})
    assert words in text


def test_a_saved_first_last_prompt_without_the_new_inputs_still_runs(server):
    values = {**KEYFRAME_BASE, "filename_prefix": f"keyframe/{uuid.uuid4().hex[:8]}"}
    result = server.run({"10": {"class_type": KEYFRAME, "inputs": values}})
    assert "stage1_last_guide" in ran(result)
    assert probe(output_file(server, result)).frames.shape[0] == 17
