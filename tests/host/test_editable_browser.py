""""Open as editable nodes" in a real browser (Debian's Chromium, playwright-core, browser/editable.mjs)
against a real ComfyUI with the tiny models: for each mode an AIO node, some of its inputs wired,
is queued, opened as editable nodes from its right-click menu or the sidebar, undone with Ctrl+Z,
opened again, and queued as the subgraph of core nodes.

The server runs with --cache-none, so the subgraph's run computes every node again: equal frames
and audio come from equal graphs, not from ComfyUI's cache. Screenshots go to
tests/artifacts/browser/ (git-ignored).
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from comfy_server import ComfyServer
from harness import CHROMIUM, ROOT, TINY_SET, make_base, require_browser, returning_user, write_media
from ltx23_aio.nodes.modes import MODES
from media import probe

STEPS = Path(__file__).resolve().parent / "browser" / "editable.mjs"
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
LIMIT_S = 1500
BASE = {"prompt": "a fox trots through snow, wind howls", "width": 128, "height": 128, "duration": 0.35,
        "models": "tiny", "seed": 5, "prompt_enhancer": False}  # 9 frames; the tiny CLIP cannot run the enhancer

# name: (mode, how it is opened, values typed on the node, inputs wired: {input: (node type, value)})
CASES = {
    "t2v": ("t2v", "menu", {}, {"prompt": ("PrimitiveStringMultiline", "  a fox trots through snow  "),
                                "seed": ("PrimitiveInt", 41), "width": ("PrimitiveInt", 128)}),
    "i2v": ("i2v", "sidebar", {"image": "portrait.png", "image_strength": 0.6},
            {"image_input": ("LoadImage", "first.png")}),
    "a2v": ("a2v", "menu", {"audio": "speech.wav", "audio_start": 0.25}, {"seed": ("PrimitiveInt", 42)}),
    "lipsync": ("lipsync", "menu", {"image": "portrait.png", "audio": "speech.wav"},
                {"audio_input": ("LoadAudio", "speech.wav")}),
    "keyframe": ("keyframe", "menu", {"first_image": "first.png", "last_image": "last.png", "preset": "Balanced"},
                 {"first_strength": ("PrimitiveFloat", 0.8)}),
    "style": ("style", "menu", {"video": "source.mp4", "style_image": "portrait.png"},
              {"seed": ("PrimitiveInt", 43)}),
    # A keyframe between the first and last, and a LoRA (the tiny distilled file stands for one).
    "rows": ("keyframe", "menu", {"first_image": "first.png", "last_image": "last.png", "keyframes": "3",
                                  "keyframes.image2": "portrait.png", "keyframes.time2": 0.2,
                                  "keyframes.strength2": 0.7, "loras": "1",
                                  "loras.lora_name1": TINY_SET["files"]["distilled_lora"]["name"],
                                  "loras.lora_strength1": 0.5},
             {"seed": ("PrimitiveInt", 44)}),
}
# Wired inputs whose links the subgraph keeps (width shapes the graph: its value is built in).
KEPT = {name: {i: t for i, (t, _) in wire.items() if i != "width"} for name, (_, _, _, wire) in CASES.items()}


@pytest.fixture(scope="module")
def editable_server(tmp_path_factory, comfyui, tiny_models):
    base = make_base(tmp_path_factory.mktemp("editable"), tiny_models)
    write_media(base / "input")
    returning_user(base)
    srv = ComfyServer(comfyui, base, extra_args=["--cache-none"]).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def report(editable_server) -> dict:
    require_browser()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("editable-*.png"):
        old.unlink()
    cases = [{"name": name, "mode": mode, "nodeId": MODES[mode].node_id, "via": via,
              "values": {**BASE, **typed}, "wire": {i: {"type": t, "value": v} for i, (t, v) in wire.items()}}
             for name, (mode, via, typed, wire) in CASES.items()
             # While working on one case: LTX23AIO_EDITABLE_CASES=rows runs that one only.
             if name in os.environ.get("LTX23AIO_EDITABLE_CASES", name).split(",")]
    config = {"url": editable_server.url, "out": str(ARTIFACTS), "chromium": CHROMIUM, "cases": cases,
              "limitSeconds": LIMIT_S}
    proc = subprocess.run(["node", str(STEPS), json.dumps(config)], cwd=ROOT, capture_output=True, text=True,
                          timeout=LIMIT_S + 30)
    path = ARTIFACTS / "editable.json"
    data = json.loads(path.read_text()) if path.is_file() else {"cases": {}, "errors": {}, "console": []}
    data["output"] = (proc.stdout + proc.stderr)[-3000:]
    return data


def case(report: dict, name: str) -> dict:
    if name in report["errors"] or name not in report["cases"]:
        pytest.fail(f"case '{name}' failed: {report['errors'].get(name, report['errors'].get('timeout', 'it did not run'))}"
                    f"\n{report['output']}\nconsole: {report['console'][-10:]}")
    return report["cases"][name]


def history(server: ComfyServer, prompt_id: str) -> dict:
    entry = server.get(f"/history/{prompt_id}")[prompt_id]
    assert entry["status"]["status_str"] == "success", json.dumps(entry["status"], indent=1)[:3000]
    return entry


def saved_video(server: ComfyServer, entry: dict) -> Path:
    videos = [v for out in entry["outputs"].values() for v in out.get("images", []) if v["filename"].endswith(".mp4")]
    assert len(videos) == 1, entry["outputs"]
    return server.base / "output" / videos[0]["subfolder"] / videos[0]["filename"]


@pytest.mark.parametrize("name", list(CASES))
def test_editable_nodes_give_the_aio_nodes_frames_and_audio(report, editable_server, name):
    seen = case(report, name)
    aio, editable = history(editable_server, seen["aioRun"]), history(editable_server, seen["editableRun"])
    queued = {n["class_type"] for n in editable["prompt"][2].values()}
    assert not any(t.startswith("LTX23AIO_") for t in queued), queued  # only core nodes ran
    assert "SamplerCustomAdvanced" in queued
    cached = [m[1]["nodes"] for m in editable["status"]["messages"] if m[0] == "execution_cached"]
    assert cached == [[]], cached  # computed afresh
    a, b = probe(saved_video(editable_server, aio)), probe(saved_video(editable_server, editable))
    assert a.frames.shape[0] == 9 and a.audio.size
    assert np.array_equal(a.frames, b.frames)
    assert np.array_equal(a.audio, b.audio)


@pytest.mark.parametrize("name", list(CASES))
def test_editable_subgraph_takes_the_aio_nodes_links(report, name):
    seen = case(report, name)["editable"]
    mode = CASES[name][0]
    assert seen["subgraphNodes"] == 1
    assert not any(t.startswith("LTX23AIO_") for t in seen["types"]), seen["types"]
    assert seen["title"] == f"{MODES[mode].display_name} (editable)"
    assert dict(seen["inputs"]) == KEPT[name]
    assert dict(seen["outputs"]) == {"video": [], "images": ["PreviewImage"], "audio": []}
    inner = set(seen["inner"])
    assert {"SamplerCustomAdvanced", "CheckpointLoaderSimple", "SaveVideo", "CLIPLoader"} <= inner
    assert ("StringTrim" in inner) == (name == "t2v")  # a wired prompt is trimmed as the node trims it
    # Every seed stays put from run to run, as on the AIO node set to "fixed".
    assert seen["innerControls"] and all(v == "fixed" for _, v in seen["innerControls"]), seen["innerControls"]


def test_editable_keeps_media_from_the_upstream_loader(report):
    inner = case(report, "i2v")["editable"]["inner"]
    assert "LoadImage" not in inner  # the image comes from the LoadImage outside, through the subgraph input


def test_editable_says_a_wired_shaping_value_was_built_in(report):
    toasts = " ".join(case(report, "t2v")["toasts"])
    assert "Opened as editable nodes" in toasts
    assert "width: the wired value 128 is built into the graph" in toasts


@pytest.mark.parametrize("name", list(CASES))
def test_undo_restores_the_aio_node_exactly(report, name):
    seen = case(report, name)
    assert seen["control"] == seen["before"]  # the run changed nothing on the canvas
    assert seen["undone"]["nodes"] == seen["before"]["nodes"]
    assert seen["undone"]["links"] == seen["before"]["links"]
    assert seen["undone"]["subgraphs"] == 0


@pytest.mark.parametrize("name", list(CASES))
def test_the_restored_node_opens_again_into_the_same_subgraph(report, name):
    seen = case(report, name)
    assert seen["reopened"] == seen["editable"]


def test_a_width_known_only_at_run_time_is_refused_with_the_fix_and_nothing_changes(report):
    if "refused" in report["errors"] or "refused" not in report:
        pytest.fail(f"the refusal step failed: {report['errors'].get('refused', 'it did not run')}")
    seen = report["refused"]
    assert "width is wired to a node whose value is known only when the graph runs" in seen["text"]
    assert "Type width on the node" in seen["text"]
    assert seen["unchanged"] and seen["undoStepsAdded"] == 0


def test_values_from_the_frontends_primitive_node_stay_links_or_are_built_in(report):
    if "legacyPrimitive" in report["errors"] or "legacyPrimitive" not in report:
        pytest.fail(f"the PrimitiveNode step failed: {report['errors'].get('legacyPrimitive', 'it did not run')}")
    seen = report["legacyPrimitive"]
    assert seen["root"] == ["PrimitiveNode", "PrimitiveNode"]  # plus the subgraph node
    assert sorted(seen["noiseSeeds"]) == [42, 1234]  # the wired seed reaches stage 1; stage 2 keeps its own
    assert seen["stage1Height"] == 96  # 192, built in: stage 1 samples at half size


def test_page_shows_no_error_from_the_pack(report):
    assert report["cases"], report["errors"]
    from_pack = [line for line in report["console"] if line.startswith("pageerror") or "ltx23" in line.lower()]
    assert not from_pack, from_pack
