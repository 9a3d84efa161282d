"""Any input of an AIO node wired from nodes that run again: no model reloads, same output.

Loader executions are counted from the websocket's "executing" events over a first run and three
reruns, under ComfyUI's default RAM-pressure cache and under --cache-classic.
"""
from __future__ import annotations

import json
import uuid

import numpy as np
import pytest
from comfy_server import ComfyServer
from harness import hub_env, make_base, output_file, write_media
from media import probe
from test_t2v import NODE, inner, loaders_run, t2v

I2V = "LTX23AIO_ImageToVideo"
SUPER = "10"


@pytest.fixture(scope="module", params=["default cache", "--cache-classic"])
def any_cache(request, tmp_path_factory, tiny_models, hub):
    """The shared server (default cache), or one started with --cache-classic."""
    if request.param == "default cache":
        srv = request.getfixturevalue("server")
        write_media(srv.base / "input")
        yield srv
        return
    base = make_base(tmp_path_factory.mktemp("classic"), tiny_models)
    write_media(base / "input")
    srv = ComfyServer(request.getfixturevalue("comfyui"), base, extra_args=["--cache-classic"],
                      env=hub_env(hub, base)).start()
    yield srv
    srv.stop()


def run_ok(srv, prompt):
    result = srv.run(prompt)
    assert result.status == "success", json.dumps(result.error, indent=1)[:3000]
    return result


def aio(upstream: dict, **wired) -> dict:
    """The t2v node with some inputs wired to upstream nodes (name -> [node id, output])."""
    prompt = t2v(filename_prefix="wired/t2v")
    prompt[SUPER]["inputs"].update(wired)
    return {**upstream, **prompt}


def tagged(value: str) -> dict:
    """Nodes that output `value` but run again every time: a unique tag is stripped off by a regex."""
    return {"1": {"class_type": "PrimitiveString", "inputs": {"value": f"{value}#{uuid.uuid4().hex}"}},
            "2": {"class_type": "RegexReplace", "inputs": {"string": ["1", 0], "regex_pattern": "#.*$",
                                                          "replace": "", "case_insensitive": True,
                                                          "multiline": False, "dotall": False, "count": 0}}}


# Each case: the upstream graph and wiring of run i (every run changes an upstream node).
CASES = {
    "seed from PrimitiveInt": lambda i: aio({"1": {"class_type": "PrimitiveInt", "inputs": {"value": 100 + i}}},
                                            seed=["1", 0]),
    "prompt from PrimitiveStringMultiline": lambda i: aio(
        {"1": {"class_type": "PrimitiveStringMultiline", "inputs": {"value": f"a fox, take {i}"}}},
        prompt=["1", 0]),
    "width from PrimitiveInt": lambda i: aio({"1": {"class_type": "PrimitiveInt", "inputs": {"value": (128, 192)[i % 2]}}},
                                             width=["1", 0]),
    # The value stays the same, so the typed seed changes too: the run then samples again.
    "preset from a string node": lambda i: aio(tagged("Fast"), preset=["2", 0], seed=i),
    "model set from a string node": lambda i: aio(tagged("tiny"), models=["2", 0], seed=i),
    "chain of three upstream nodes": lambda i: aio({
        "1": {"class_type": "PrimitiveStringMultiline", "inputs": {"value": f"a lighthouse, take {i}"}},
        "2": {"class_type": "StringConcatenate", "inputs": {"string_a": ["1", 0], "string_b": "waves crash",
                                                           "delimiter": ", "}},
        "3": {"class_type": "StringTrim", "inputs": {"string": ["2", 0], "mode": "Both"}}},
        prompt=["3", 0]),
    "LoadImage whose file changes": lambda i: {
        "5": {"class_type": "LoadImage", "inputs": {"image": ("portrait.png", "first.png", "last.png")[i % 3]}},
        SUPER: {"class_type": I2V, "inputs": {
            **t2v()[SUPER]["inputs"], "filename_prefix": "wired/i2v", "image": "portrait.png",
            "image_strength": 0.7, "image_input": ["5", 0]}}},
}


@pytest.mark.parametrize("case", CASES)
def test_wired_input_reruns_execute_no_loader(any_cache, case):
    build = CASES[case]
    first = run_ok(any_cache, build(0))
    assert probe(output_file(any_cache, first)).frames.shape[0] == 9
    for i in (1, 2, 3):
        again = run_ok(any_cache, build(i))
        upstream = [n for n in again.executed if "." not in n and n != SUPER]
        assert upstream, "the upstream node should run again"
        assert loaders_run(again) == [], f"rerun {i} reloaded models"
        assert "stage1_sample" in [inner(n) for n in again.executed]


def same_output(srv, typed: dict, wired: dict) -> None:
    a, b = probe(output_file(srv, run_ok(srv, typed))), probe(output_file(srv, run_ok(srv, wired)))
    assert a.frames.shape == (9, 128, 128, 3)
    assert np.array_equal(a.frames, b.frames)
    assert np.array_equal(a.audio, b.audio)


def test_wired_values_give_the_frames_and_audio_of_typed_values(server):
    values = dict(seed=77, prompt="rain on a tin roof, thunder", width=128, preset="Fast", models="tiny")
    upstream = {"1": {"class_type": "PrimitiveInt", "inputs": {"value": 77}},
                "2": {"class_type": "PrimitiveStringMultiline", "inputs": {"value": values["prompt"]}},
                "3": {"class_type": "PrimitiveInt", "inputs": {"value": 128}},
                "4": {"class_type": "PrimitiveString", "inputs": {"value": "Fast"}},
                "5": {"class_type": "PrimitiveString", "inputs": {"value": "tiny"}}}
    same_output(server, t2v(**values),
                aio(upstream, seed=["1", 0], prompt=["2", 0], width=["3", 0], preset=["4", 0], models=["5", 0]))


def test_wired_run_reports_on_the_aio_node_and_in_the_mp4(server):
    result = run_ok(server, aio({"1": {"class_type": "PrimitiveInt", "inputs": {"value": 100}}},
                                width=["1", 0], seed=["1", 0]))
    media = probe(output_file(server, result))
    assert media.frames.shape[1:3] == (128, 128)
    assert media.metadata["ltx23_aio"][SUPER]["seed"] == 100
    assert any(node == SUPER and "size 100×128 → 128×128" in text for node, text in result.node_texts)
    shown = [e["data"] for e in result.events if e["type"] == "executed" and (e["data"]["output"] or {}).get("images")]
    assert [d["display_node"] for d in shown] == [SUPER]


@pytest.mark.parametrize("upstream, wiring, words", [
    ({"1": {"class_type": "PrimitiveInt", "inputs": {"value": 10}}}, {"width": ["1", 0]},
     "width 10 is out of range: use 64–4096 pixels."),
    ({"1": {"class_type": "PrimitiveFloat", "inputs": {"value": 61.0}}}, {"duration": ["1", 0]},
     "at most 1441 frames"),
    ({"1": {"class_type": "PrimitiveStringMultiline", "inputs": {"value": "   "}}}, {"prompt": ["1", 0]},
     "prompt is empty"),
    ({"1": {"class_type": "PrimitiveString", "inputs": {"value": "Turbo"}}}, {"preset": ["1", 0]},
     "unknown preset ‘Turbo’; choose one of Fast, Balanced, Quality."),
    ({"1": {"class_type": "PrimitiveString", "inputs": {"value": "fp16"}}}, {"models": ["1", 0]}, "fp16"),
    ({"1": {"class_type": "PrimitiveInt", "inputs": {"value": 0}}}, {"fps": ["1", 0]},
     "fps 0 is out of range: use 1–60"),
])
def test_bad_wired_value_stops_the_run_before_any_model_loads(server, upstream, wiring, words):
    result = server.run(aio(upstream, **wiring))
    assert result.status == "error"
    assert words in result.error["exception_message"]
    assert result.error["exception_type"] == "LTX2.3 AIO"  # not a Python module path
    assert not [n for n in result.executed if "load_" in n]


def test_wired_output_of_the_wrong_type_is_refused_at_queue_time(server):
    status, body = server.post_prompt(aio({"1": {"class_type": "PrimitiveString", "inputs": {"value": "7"}}},
                                          seed=["1", 0]))
    assert status == 400
    assert "seed is wired to an output of type STRING; it takes INT" in json.dumps(body)


def test_typed_values_are_still_checked_at_queue_time_when_others_are_wired(server):
    status, body = server.post_prompt(aio({"1": {"class_type": "PrimitiveInt", "inputs": {"value": 3}}},
                                          seed=["1", 0], prompt="  "))
    assert status == 400 and "prompt is empty" in json.dumps(body)


def test_run_node_is_hidden_from_the_node_list(server):
    info = server.get(f"/object_info/{NODE}_Run")[f"{NODE}_Run"]
    assert info["dev_only"] is True and info["output_node"] is False
