"""POST /ltx23_aio/expand: the graph an AIO node runs, and where each wired value enters it."""
import asyncio
import json
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from ltx23_aio import routes
from ltx23_aio.model_store.sets import USER_SETS_SUBDIR
from ltx23_aio.nodes.editable import EditableError, expand_request
from ltx23_aio.nodes.media import MediaInfo
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.plan import Environment, RunError, plan_run

TINY = json.loads((Path(__file__).parents[1] / "host" / "tiny_model_set.json").read_text())
TYPED = {"prompt": "a fox in snow", "width": 128, "height": 128, "duration": 0.35, "seed": 7, "models": "tiny"}


class _Everything:
    def __contains__(self, item):
        return True


@pytest.fixture
def make_plan(tmp_path):
    """Plans as the node does, with the tiny set; every model file present except the IC-LoRA."""
    sets = tmp_path / "user" / USER_SETS_SUBDIR
    sets.mkdir(parents=True)
    (sets / "tiny.json").write_text(json.dumps(TINY))

    def probe(kind, name):
        return MediaInfo(kind, duration=4.0, fps=24, frames=96, width=160, height=96)

    env = Environment(str(tmp_path / "user"), _Everything(), {f["folder"] for f in TINY["files"].values()},
                      lambda f: None if "ic-lora" in f.name else f"/models/{f.name}", lambda *a: None, probe=probe)
    return lambda mode, values: plan_run(mode, values, env)


def plain(make_plan, mode, values):
    return make_plan(MODES[mode], {**MODES[mode].defaults, **values}).expansion


def test_typed_values_give_the_graph_the_node_expands_to(make_plan):
    answer = expand_request({"mode": "t2v", "values": TYPED}, make_plan)
    expansion = plain(make_plan, "t2v", TYPED)
    assert answer["graph"] == expansion.graph
    assert answer["outputs"] == {"video": ["video", 0], "images": ["decode", 0], "audio": ["decode_audio", 0]}
    assert answer["inputs"] == {} and answer["dropped"] == []
    assert answer["params"]["seed"] == [["stage1_noise", "noise_seed"]]  # stage 2's noise has its own seed
    assert answer["title"] == "LTX2.3 AIO · Text → Video (editable)"


def test_wired_seed_and_strength_leave_their_inputs_for_the_links(make_plan):
    values = {**TYPED, "image": "p.png", "image_strength": 0.6}
    answer = expand_request({"mode": "i2v", "values": values, "wired": {"seed": True, "image_strength": True}},
                            make_plan)
    assert answer["inputs"] == {"seed": [["stage1_noise", "noise_seed"]], "image_strength": [["stage1_image", "strength"]]}
    typed = plain(make_plan, "i2v", values).graph
    assert answer["graph"]["stage1_noise"]["inputs"]["noise_seed"] is None
    assert answer["graph"]["stage2_image"]["inputs"]["strength"] == 1.0  # stage 2 holds the image fully
    for node_id, key in (("stage1_noise", "noise_seed"), ("stage1_image", "strength")):
        typed[node_id]["inputs"][key] = None
    assert answer["graph"] == typed


def test_wired_prompt_goes_through_core_string_trim_as_the_node_trims_it(make_plan):
    answer = expand_request({"mode": "t2v", "values": {**TYPED, "prompt": ""}, "wired": {"prompt": True}}, make_plan)
    assert answer["inputs"] == {"prompt": [["prompt_trim", "string"]]}
    assert answer["graph"]["prompt_trim"] == {"class_type": "StringTrim", "inputs": {"string": None, "mode": "Both"}}
    assert answer["graph"]["positive_text"]["inputs"]["text"] == ["prompt_trim", 0]
    assert any("StringTrim" in n for n in answer["notes"])


def test_wired_media_socket_replaces_the_file_loader(make_plan):
    values = {**TYPED, "image": "p.png"}
    answer = expand_request({"mode": "i2v", "values": values, "wired": {"image_input": True}}, make_plan)
    assert answer["inputs"] == {"image_input": [["image_sized", "input"]]}
    assert "media_image" not in answer["graph"]
    assert answer["graph"]["image_sized"]["inputs"]["input"] is None


def test_wired_shaping_value_without_a_readable_value_is_refused_with_the_fix(make_plan):
    with pytest.raises(EditableError) as e:
        expand_request({"mode": "t2v", "values": TYPED, "wired": {"width": True}}, make_plan)
    assert "width is wired" in str(e.value) and "Type width on the node" in str(e.value)
    assert "PrimitiveInt" in str(e.value)


def test_wired_shaping_value_from_a_primitive_is_built_in_and_its_link_dropped(make_plan):
    answer = expand_request({"mode": "t2v", "values": TYPED, "wired": {"width": True, "seed": True},
                             "primitives": {"width": 256, "seed": 5}}, make_plan)
    assert answer["dropped"] == ["width"] and set(answer["inputs"]) == {"seed"}
    assert answer["graph"]["stage1_video_latent"]["inputs"]["width"] == 128  # half of 256: stage 1
    assert any(n.startswith("width: the wired value 256 is built into the graph") for n in answer["notes"])


def test_wired_file_name_of_a_media_widget_is_built_in_or_refused(make_plan):
    values = {**TYPED, "image": "p.png"}
    with pytest.raises(EditableError, match="image is wired"):
        expand_request({"mode": "i2v", "values": values, "wired": {"image": True}}, make_plan)
    answer = expand_request({"mode": "i2v", "values": values, "wired": {"image": True},
                             "primitives": {"image": "q.png"}}, make_plan)
    assert answer["graph"]["media_image"]["inputs"]["image"] == "q.png" and answer["dropped"] == ["image"]


def test_the_plans_own_errors_come_back_unchanged(make_plan):
    with pytest.raises(RunError, match="duration 61 s at 24 fps needs 1465 frames"):
        expand_request({"mode": "t2v", "values": {**TYPED, "duration": 61}}, make_plan)
    with pytest.raises(RunError, match="must be a whole number"):
        expand_request({"mode": "t2v", "values": TYPED, "wired": {"seed": True}, "primitives": {"seed": "x"}},
                       make_plan)


def test_missing_model_files_are_named_since_core_loaders_do_not_download(make_plan):
    values = {**TYPED, "video": "v.mp4", "style_image": "s.png"}
    answer = expand_request({"mode": "style", "values": values}, make_plan)
    assert any("ltx23-tiny-ic-lora.safetensors" in n and "sidebar" in n for n in answer["notes"])


@pytest.mark.parametrize("body, words", [
    ({"mode": "t2x"}, "unknown mode 't2x'"),
    ({"mode": "t2v", "wired": {"image_input": True}}, "Text → Video has no input image_input"),
    ([], "send a JSON object"),
])
def test_bad_requests_say_what_to_send(make_plan, body, words):
    with pytest.raises(EditableError, match=words):
        expand_request(body, make_plan)


def post(make_plan, body) -> tuple[int, dict]:
    async def go():
        table = web.RouteTableDef()
        routes.register(table, make_plan=make_plan)
        app = web.Application()
        app.add_routes(table)
        async with TestClient(TestServer(app)) as client:
            response = await client.post(routes.EXPAND_ROUTE, data=body if isinstance(body, str) else json.dumps(body))
            return response.status, await response.json()
    return asyncio.run(go())


def test_route_answers_the_graph_or_the_error_as_json(make_plan):
    status, data = post(make_plan, {"mode": "t2v", "values": TYPED})
    assert status == 200 and data["graph"]["stage1_noise"]["inputs"]["noise_seed"] == 7
    status, data = post(make_plan, {"mode": "t2v", "values": {**TYPED, "prompt": " "}})
    assert status == 400 and data == {"error": "prompt is empty: describe the scene, the motion and the sound you want."}
    assert post(make_plan, "{not json")[0] == 400


def test_expansion_records_where_each_value_lands_and_its_conversion(make_plan):
    params = plain(make_plan, "t2v", TYPED).params
    assert ("conditioning", "frame_rate", "float") in params["fps"]
    assert params["prompt"] == (("positive_text", "text", None),)


def test_lora_and_keyframe_rows_sent_as_the_frontend_names_them_are_built_in(make_plan):
    values = {**TYPED, "first_image": "a.png", "last_image": "b.png", "loras": "1",
              "loras.lora_name1": "mine.safetensors", "loras.lora_strength1": 0.4, "keyframes": "3",
              "keyframes.image2": "c.png", "keyframes.time2": 0.2, "keyframes.strength2": 0.7}
    answer = expand_request({"mode": "keyframe", "values": values}, make_plan)
    graph = answer["graph"]
    assert graph["user_lora_1"]["inputs"] == {"model": ["load_checkpoint", 0], "lora_name": "mine.safetensors",
                                              "strength_model": 0.4}
    assert graph["stage1_keyframe2_guide"]["inputs"]["frame_idx"] == 5 and graph["media_keyframes_image2"]
    assert answer["graph"] == plain(make_plan, "keyframe", values).graph


def test_wired_lora_strength_needs_a_readable_value(make_plan):
    values = {**TYPED, "loras": "1", "loras.lora_name1": "mine.safetensors", "loras.lora_strength1": 0.4}
    with pytest.raises(EditableError, match="loras.lora_strength1 is wired"):
        expand_request({"mode": "t2v", "values": values, "wired": {"loras.lora_strength1": True}}, make_plan)
    answer = expand_request({"mode": "t2v", "values": values, "wired": {"loras.lora_strength1": True},
                             "primitives": {"loras.lora_strength1": 0.9}}, make_plan)
    assert answer["graph"]["user_lora_1"]["inputs"]["strength_model"] == 0.9
    assert answer["dropped"] == ["loras.lora_strength1"]


def test_extend_context_and_retake_range_shape_the_graph():
    from ltx23_aio.nodes.editable import shaping_inputs
    assert {"context_seconds", "output", "video"} <= shaping_inputs(MODES["extend"])
    assert {"start", "end", "regenerate", "video"} <= shaping_inputs(MODES["retake"])


def test_retake_opens_as_the_graph_it_runs_and_a_wired_range_is_built_in_or_refused(make_plan):
    values = {**TYPED, "video": "v.mp4", "start": 1.0, "end": 2.0}
    answer = expand_request({"mode": "retake", "values": values}, make_plan)
    assert answer["graph"] == plain(make_plan, "retake", values).graph
    assert answer["graph"]["video_range"]["inputs"]["start"] == 1.0  # the source probes as 96 frames at 24 fps
    built_in = expand_request({"mode": "retake", "values": values, "wired": {"end": True},
                               "primitives": {"end": 3.5}}, make_plan)
    assert built_in["graph"]["video_range"]["inputs"]["end"] == 3.5 and built_in["dropped"] == ["end"]
    with pytest.raises(EditableError, match="end decides the graph itself"):
        expand_request({"mode": "retake", "values": values, "wired": {"end": True}}, make_plan)


def test_extend_with_a_wired_video_is_refused_by_the_plan(make_plan):
    with pytest.raises(RunError, match="choose the video file on the node"):
        expand_request({"mode": "extend", "values": {**TYPED, "video": "v.mp4"},
                        "wired": {"video_input": True}}, make_plan)
