"""Rows of inputs: your LoRAs on every mode and keyframes at any time, from the node's values to the graph."""
import dataclasses

import pytest
from ltx23_aio.nodes.lists import ListError, flat, lora_params, nested, row_notes, row_params, rows
from ltx23_aio.nodes.media import MediaError, MediaInfo, sources
from ltx23_aio.nodes.modes import LORAS, MODES
from ltx23_aio.nodes.plan import RunError, plan_run
from test_plan import TINY_FILES, VALUES, env_for
from test_workflow import PARAMS, t2v

KEYFRAME = MODES["keyframe"]
KEYFRAMES = KEYFRAME.own_lists[0]


def loras(*pairs):
    group = {"loras": str(len(pairs))}
    for n, (name, strength) in enumerate(pairs, 1):
        group |= {f"lora_name{n}": name, f"lora_strength{n}": strength}
    return group


def test_every_mode_has_the_lora_list_last_and_keyframe_its_keyframes_before_it():
    for mode in MODES.values():
        assert mode.lists[-1] is LORAS and mode.defaults["loras"] == "0"
    assert [lst.name for lst in KEYFRAME.lists] == ["keyframes", "loras"]
    assert KEYFRAME.defaults["keyframes"] == "2"  # the first and last image only
    assert list(KEYFRAMES.rows(4)) == [2, 3] and list(LORAS.rows(2)) == [1, 2] and list(LORAS.rows(0)) == []


def test_flat_and_nested_values_are_the_same_values():
    values = {"prompt": "p", "loras": loras(("a.safetensors", 0.5))}
    spread = flat(values)
    assert spread == {"prompt": "p", "loras": "1", "loras.lora_name1": "a.safetensors", "loras.lora_strength1": 0.5}
    assert nested(MODES["t2v"], spread) == values
    assert nested(MODES["t2v"], values) == values


def test_loras_become_a_chain_under_the_distilled_lora_in_every_pass():
    graph = t2v(params={**PARAMS, "loras": [["a.safetensors", 0.5], ["b.safetensors", -1.0]]}).graph
    assert graph["user_lora_1"]["inputs"]["model"] == ["load_checkpoint", 0]
    assert graph["user_lora_1"]["inputs"]["lora_name"] == "a.safetensors"
    assert graph["user_lora_1"]["inputs"]["strength_model"] == 0.5
    assert graph["user_lora_2"]["inputs"] == {"model": ["user_lora_1", 0], "lora_name": "b.safetensors",
                                              "strength_model": -1.0}
    assert graph["distilled_model"]["inputs"]["model"] == ["user_lora_2", 0]
    balanced = t2v("Balanced", params={**PARAMS, "loras": [["a.safetensors", 1.0]]}).graph
    assert balanced["stage1_guider"]["inputs"]["model"] == ["user_lora_1", 0]  # the dev pass gets them too
    assert balanced["stage2_guider"]["inputs"]["model"] == ["distilled_model", 0]
    assert not any(n.startswith("user_lora") for n in t2v().graph)


def test_missing_lora_file_is_refused_naming_it_and_the_folder():
    lora_params(MODES["t2v"], {"loras": loras(("a.safetensors", 1.0))}, {"a.safetensors"})
    with pytest.raises(ListError, match=r"LoRA 'gone.safetensors' \(loras.lora_name1\) is not in ComfyUI's loras"):
        lora_params(MODES["t2v"], {"loras": loras(("gone.safetensors", 1.0))}, {"a.safetensors"})


def test_missing_lora_is_refused_by_the_plan_before_anything_loads(tmp_path):
    env = dataclasses.replace(env_for(tmp_path, present=TINY_FILES), loras=lambda: ["mine.safetensors"])
    plan = plan_run(MODES["t2v"], {**VALUES, "loras": loras(("mine.safetensors", 0.7))}, env)
    assert plan.expansion.graph["user_lora_1"]["inputs"]["strength_model"] == 0.7
    assert "LoRAs mine.safetensors × 0.7" in plan.summary() and plan.used_values()["notes"] == [
        "LoRAs mine.safetensors × 0.7"]
    with pytest.raises(RunError, match="LoRA 'other.safetensors'"):
        plan_run(MODES["t2v"], {**VALUES, "loras": loras(("other.safetensors", 0.7))}, env)


@pytest.mark.parametrize("group, words", [
    ({"loras": "11"}, "loras must be one of 0, 1"),
    ({"loras": "1"}, "loras.lora_name1: no file chosen"),
    ({"loras": "1", "lora_name1": "a", "lora_strength1": "x"}, "loras.lora_strength1 must be a number"),
    ({"loras": "1", "lora_name1": "a", "lora_strength1": 11.0}, "out of range"),
])
def test_bad_lora_rows_are_named(group, words):
    with pytest.raises(ListError, match=words):
        rows(LORAS, group)


def keyframes(*times, strength=0.8):
    group = {"keyframes": str(len(times) + 2)}
    for n, t in enumerate(times, 2):
        group |= {f"image{n}": f"k{n}.png", f"time{n}": t, f"strength{n}": strength}
    return group


def test_keyframe_times_become_frames_of_the_clip():
    params = row_params(KEYFRAME, {"keyframes": keyframes(0.25, 0.5)}, frames=17, fps=24)
    assert params == {"keyframes_rows": 2, "keyframes_time2": 0.25, "keyframes_strength2": 0.8,
                      "keyframes_frame2": 6, "keyframes_time3": 0.5, "keyframes_strength3": 0.8,
                      "keyframes_frame3": 12}
    assert row_params(KEYFRAME, {}, frames=17, fps=24) == {"keyframes_rows": 0}
    params = row_params(KEYFRAME, {"keyframes": keyframes(0.25, 0.5)}, frames=17, fps=24)
    assert row_notes(KEYFRAME, params) == ("keyframes between the first and last at frames 6, 12",)
    assert row_notes(KEYFRAME, {"keyframes_rows": 0, "loras": []}) == ()


@pytest.mark.parametrize("times, words", [
    ((0.9,), "keyframes.time2 0.9 s is outside the clip, which ends at 0.67 s"),
    ((0.0,), "falls on the clip's first frame"),
    ((0.67,), "falls on the clip's last frame"),
    ((0.25, 0.26), "keyframes.time3 0.26 s falls on frame 6, like keyframes.time2"),
])
def test_keyframe_outside_the_clip_or_on_a_taken_frame_is_refused(times, words):
    with pytest.raises(ListError, match=words):
        row_params(KEYFRAME, {"keyframes": keyframes(*times)}, frames=17, fps=24)


def test_keyframe_images_are_read_when_queued_and_an_unreadable_one_is_refused():
    values = {"first_image": "a.png", "last_image": "b.png", "keyframes": keyframes(0.3)}
    read = []
    found, _ = sources(KEYFRAME, values, lambda kind, name: read.append(name) or MediaInfo(kind))
    assert read == ["a.png", "b.png", "k2.png"]
    assert found["keyframes_image2"].file == "k2.png" and found["keyframes_image2"].loader == "LoadImage"

    def probe(kind, name):
        if name == "k2.png":
            raise MediaError("the image 'k2.png' cannot be read")
        return MediaInfo(kind)
    with pytest.raises(MediaError, match="k2.png"):
        sources(KEYFRAME, values, probe)


def test_keyframe_guides_are_spliced_in_order_in_both_stages():
    from ltx23_aio.nodes.workflow import MediaSource, build, load_presets, load_workflow
    from test_workflow import FP8

    media = {name: MediaSource("LoadImage", "image", file=f"{name}.png")
             for name in ("first_image", "last_image", "keyframes_image2", "keyframes_image3")}
    params = {**PARAMS, "first_strength": 1.0, "last_strength": 0.9,
              **row_params(KEYFRAME, {"keyframes": keyframes(0.25, 0.5)}, frames=17, fps=24)}
    graph = build(load_workflow("keyframe"), load_presets("keyframe")["Fast"], params, FP8, media).graph
    for stage in ("stage1", "stage2"):
        chain, node = [], f"{stage}_last_guide"
        while node in graph and graph[node]["class_type"] == "LTXVAddGuide":
            chain.append((node, graph[node]["inputs"]["frame_idx"]))
            node = graph[node]["inputs"]["latent"][0]
        assert chain[::-1] == [(f"{stage}_first_guide", 0), (f"{stage}_keyframe2_guide", 6),
                               (f"{stage}_keyframe3_guide", 12), (f"{stage}_last_guide", -1)]
        guide = graph[f"{stage}_keyframe3_guide"]["inputs"]
        assert guide["positive"] == [f"{stage}_keyframe2_guide", 0] and guide["strength"] == 0.8
        assert guide["image"] == ["keyframe3_prepared", 0]
    assert graph["keyframe2_sized"]["inputs"]["input"] == ["media_keyframes_image2", 0]
    assert graph["stage1_crop"]["inputs"]["positive"] == ["stage1_last_guide", 0]


def test_in_a_long_clip_the_loras_sit_under_the_context_windows_wrapper():
    from ltx23_aio.nodes.workflow import build, load_long, load_presets, load_workflow
    from test_workflow import FP8

    params = {**PARAMS, "window_frames": 481, "window_overlap_frames": 48, "loras": [["a.safetensors", 0.5]]}
    graph = build(load_workflow("t2v"), load_presets("t2v")["Fast"], params, FP8, long=load_long("t2v")).graph
    assert graph["user_lora_1"]["inputs"]["model"] == ["load_checkpoint", 0]
    assert graph["context_windows"]["inputs"]["model"] == ["user_lora_1", 0]
    assert graph["distilled_model"]["inputs"]["model"] == ["context_windows", 0]
