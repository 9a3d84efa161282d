"""The AIO node in both of ComfyUI's node views (classic canvas and Nodes 2.0), at 1280×720 and
1600×1000, in the dark and the light theme: Debian's Chromium driven by playwright-core
(browser/views.mjs) against a real ComfyUI with this pack and the tiny models.

The steps run once and write what they saw to a report; each test checks one behaviour in it, for
every view, size and theme. Screenshots go to tests/artifacts/browser-views/ (git-ignored).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from comfy_server import ComfyServer
from harness import CHROMIUM, ROOT, TINY_SET, hub_env, make_base, require_browser, returning_user, write_media
from ltx23_aio.nodes.modes import MODES

STEPS = Path(__file__).resolve().parent / "browser" / "views.mjs"
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser-views"
LIMIT_S = 540
# The tiny set's text encoder cannot write text: the prompt enhancer (on for a new node) is turned off.
RUN = {"prompt": "a red fox runs through deep snow, wind howls", "width": 128, "height": 128, "duration": 0.35,
       "models": "tiny", "preset": "Fast", "prompt_enhancer": False}
# Workflows saved by an earlier version of the pack (its example workflows at commit 8a85268).
SAVED = Path(__file__).resolve().parent / "saved_workflows"


@pytest.fixture(scope="module")
def views_server(tmp_path_factory, comfyui, tiny_models, hub):
    base = make_base(tmp_path_factory.mktemp("browser-views"), tiny_models, [TINY_SET])
    write_media(base / "input")
    returning_user(base)
    srv = ComfyServer(comfyui, base, env=hub_env(hub, base)).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def report(views_server) -> dict:
    require_browser()
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    uploads = ARTIFACTS / "to-upload"
    uploads.mkdir()
    files = {}
    for key, source in (("uploadImage", "portrait.png"), ("uploadAudio", "speech.wav")):
        files[key] = str(shutil.copy(views_server.base / "input" / source, uploads / f"ltx23aio-uploaded-{source}"))
    saved = {path.stem.split("-")[0]: json.loads(path.read_text(encoding="utf-8")) for path in sorted(SAVED.glob("*.json"))}
    config = {"url": views_server.url, "out": str(ARTIFACTS), "chromium": CHROMIUM, "limitSeconds": LIMIT_S,
              **files, "saved": saved, "run": RUN,
              "only": [s for s in os.environ.get("LTX23AIO_BROWSER_STEPS", "").split(",") if s]}
    proc = subprocess.run(["node", str(STEPS), json.dumps(config)], cwd=ROOT, capture_output=True, text=True,
                          timeout=LIMIT_S + 30)
    path = ARTIFACTS / "report.json"
    data = json.loads(path.read_text()) if path.is_file() else {"steps": {}, "errors": {}}
    data["output"] = (proc.stdout + proc.stderr)[-3000:]
    data["server"] = views_server
    return data


def step(report: dict, name: str):
    if name in report["errors"] or name not in report["steps"]:
        pytest.fail(f"browser step '{name}' failed: {report['errors'].get(name, 'it did not run')}\n"
                    f"{report['output']}\nconsole: {report.get('console', [])[-10:]}")
    return report["steps"][name]



COMBOS = [f"{view}-{size}-{theme}" for view in ("classic", "nodes2") for size in ("1280x720", "1600x1000")
          for theme in ("dark", "light")]
# What each saved value of the earlier version meant: the node definition's order, required
# inputs then optional ones (so the media choosers came last).
SAVED_ORDER = {
    "lipsync": ["prompt", "negative_prompt", "image_strength", "audio_start", "width", "height", "duration", "fps",
                "seed", "control_after_generate", "preset", "models", "filename_prefix", "image", "audio"],
    "style": ["prompt", "negative_prompt", "control", "control_strength", "video_start", "width", "height", "duration",
              "fps", "seed", "control_after_generate", "preset", "models", "filename_prefix", "video", "style_image"],
}
# Each node's media in the order shown; First/Last frame's voice reference is one too.
MEDIA = {"lipsync": ["image", "audio"], "style": ["video", "style_image"],
         "keyframe": ["first_image", "last_image", "voice_reference"]}


def saved_file(name: str) -> dict:
    (path,) = SAVED.glob(f"{name}-*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _aio(graph: dict) -> dict:
    return next(n for n in graph["nodes"] if n["type"].startswith("LTX23AIO_"))


def media_rows(seen: dict, media: list[str]) -> list[str]:
    """The names of the rows the node shows first: each medium's chooser, its upload button on the
    classic canvas (ComfyUI's control sits in the chooser in Nodes 2.0) and its preview."""
    classic = seen["view"] == "classic"
    return [row for m in media for row in (m, *([f"upload {m.replace('_', ' ')}…"] if classic else []), f"{m} preview")]


def test_no_error_from_the_pack(report):
    for combo in COMBOS:
        step(report, combo)
    from_pack = [line for line in report["console"] if line.startswith("pageerror") or "ltx23" in line.lower()]
    assert not from_pack, from_pack


@pytest.mark.parametrize("combo", COMBOS)
def test_the_theme_and_size_are_the_ones_asked_for(report, combo):
    seen = step(report, combo)
    assert seen["darkBody"] == combo.endswith("-dark")
    assert f"-{seen['size']}-" in combo


@pytest.mark.parametrize("combo", COMBOS)
def test_nodes_added_in_a_row_lie_apart_as_the_view_draws_them(report, combo):
    seen = step(report, combo)
    boxes = [a["box"] for a in seen["added"]]
    assert len(boxes) == len(MODES) and all(a["dom"] == (seen["view"] == "nodes2") for a in seen["added"])
    for i, (x, y, w, h) in enumerate(boxes):
        for (x2, y2, w2, h2) in boxes[:i]:
            assert x >= x2 + w2 or x2 >= x + w or y >= y2 + h2 or y2 >= y + h, (boxes[i], (x2, y2, w2, h2))


@pytest.mark.parametrize("node", ["lipsync", "keyframe"])
@pytest.mark.parametrize("combo", COMBOS)
def test_media_choosers_buttons_and_previews_sit_right_under_their_sockets(report, combo, node):
    seen = step(report, combo)
    layout = seen[node]["layout"]
    names = [r["name"] for r in layout["rows"]]
    first = media_rows(seen, MEDIA[node])
    assert names[:len(first)] == first and names[len(first)] == "prompt", names
    assert [s["name"] for s in layout["sockets"]] == [f"{m}_input" for m in MEDIA[node]]
    # The first chooser is the row below the sockets (the four outputs take up to two rows more).
    gap = layout["rows"][0]["top"] - max(s["y"] for s in layout["sockets"])
    assert 0 < gap < 90, layout


@pytest.mark.parametrize("combo", COMBOS)
def test_previews_show_the_picked_and_the_uploaded_file(report, combo):
    lipsync = step(report, combo)["lipsync"]
    shown = {p["media"]: p for p in lipsync["previews"]}
    assert lipsync["values"]["image"] == "portrait.png" and lipsync["values"]["audio"] == "ltx23aio-uploaded-speech.wav"
    assert shown["image"]["tag"] == "img" and shown["image"]["value"] == "portrait.png"
    assert shown["audio"]["tag"] == "audio" and shown["audio"]["value"] == "ltx23aio-uploaded-speech.wav"
    assert all(p["loaded"] and p["visible"] for p in shown.values()), shown


@pytest.mark.parametrize("combo", COMBOS)
def test_a_copied_node_has_every_value_in_its_widget(report, combo):
    lipsync = step(report, combo)["lipsync"]
    assert lipsync["copy"]["values"] == lipsync["values"]
    assert lipsync["copy"]["saved"] == lipsync["saved"]
    # Both nodes' previews show their files (the copy's too, in the Nodes 2.0 view as well).
    shown = lipsync["copy"]["previews"]
    assert sorted((p["media"], p["value"]) for p in shown) == [("audio", lipsync["values"]["audio"])] * 2 + [
        ("image", "portrait.png")] * 2
    assert all(p["loaded"] for p in shown), shown


@pytest.mark.parametrize("combo", COMBOS)
def test_one_upload_control_per_medium(report, combo):
    seen = step(report, combo)
    rows = {r["name"]: r for r in seen["lipsync"]["layout"]["rows"]}
    if seen["view"] == "classic":
        assert [n for n in rows if n.startswith("upload ")] == ["upload image…", "upload audio…"]
    else:  # ComfyUI's own control in each chooser; the pack's buttons are not drawn
        assert (rows["image"]["uploads"], rows["audio"]["uploads"]) == (1, 1)
        assert sum(r["uploads"] for r in rows.values()) == 2 and not [n for n in rows if n.startswith("upload ")]


@pytest.mark.parametrize("combo", COMBOS)
def test_an_empty_chooser_and_its_preview_read_empty(report, combo):
    seen = step(report, combo)
    keyframe = seen["keyframe"]
    assert keyframe["values"]["last_image"] is None
    assert keyframe["values"]["first_image"] == "ltx23aio-uploaded-portrait.png"  # uploaded through the view's control
    text = next(r for r in keyframe["layout"]["rows"] if r["name"] == "last_image")["text"]
    assert text == ("(none)" if seen["view"] == "classic" else "last_image\nSelect image..."), text
    shown = {p["media"]: p for p in keyframe["previews"]}
    assert shown["last_image"]["empty"].startswith("No image chosen") and not shown["last_image"]["loaded"]
    assert shown["first_image"]["loaded"] and shown["first_image"]["visible"]


@pytest.mark.parametrize("combo", COMBOS)
def test_a_switch_keeps_the_nodes_id_place_size_pin_link_and_upload_and_undo_restores_it(report, combo):
    seen = step(report, combo)
    switched = seen["switched"]
    before, after = _aio(switched["before"]), _aio(switched["after"])
    assert seen["selectedHint"].startswith("Selected: Image → Video.")  # selected by a click on its title
    assert after["type"] == "LTX23AIO_FirstLastFrameToVideo"
    assert (after["id"], after["pos"], after["flags"].get("pinned")) == (before["id"], before["pos"], True)
    assert after["size"][0] == before["size"][0] and after["size"][1] >= before["size"][1]
    assert dict(after["inputs"])["seed"] is not None
    assert "portrait.png" in after["values"] and "the wind moves her hair" in after["values"]
    # The image went to the first frame; the last frame, which nobody chose, starts empty.
    assert (switched["widgets"]["first_image"], switched["widgets"]["last_image"]) == ("portrait.png", None)
    assert any("Not used by First/Last frame → Video: image_strength = 0.55" in t for t in switched["toasts"])
    names = [r["name"] for r in switched["layout"]["rows"]]
    assert names[:len(media_rows(seen, MEDIA["keyframe"]))] == media_rows(seen, MEDIA["keyframe"]), names
    assert switched["undone"] == switched["before"]


@pytest.mark.parametrize("combo", COMBOS)
def test_a_collapsed_node_switches_collapsed_names_the_dropped_image_and_undo_restores_it(report, combo):
    collapsed = step(report, combo)["collapsed"]
    before, after = _aio(collapsed["before"]), _aio(collapsed["after"])
    assert before["flags"].get("collapsed") is True and before["type"] == "LTX23AIO_ImageToVideo"
    assert after["type"] == "LTX23AIO_TextToVideo" and after["flags"].get("collapsed") is True
    assert (after["id"], after["pos"]) == (before["id"], before["pos"])
    assert any("image = portrait.png" in t for t in collapsed["toasts"]), collapsed["toasts"]
    assert collapsed["undone"] == collapsed["before"]


@pytest.mark.parametrize("combo", COMBOS)
def test_the_sidebars_model_set_goes_to_the_selected_node_and_undo_takes_it_back(report, combo):
    chosen = step(report, combo)["modelSet"]
    assert chosen["autoShown"].endswith("auto → fp8 · scaled"), chosen  # the node says what auto resolves to
    assert chosen["picker"] == "Model set of the selected node"
    assert chosen["chosen"] == "tiny" and chosen["shown"].endswith("tiny")  # as the node shows it
    assert chosen["undone"] == "auto"


@pytest.mark.parametrize("name", list(SAVED_ORDER))
@pytest.mark.parametrize("combo", COMBOS)
def test_a_workflow_saved_by_an_earlier_version_loads_every_value_into_its_widget(report, combo, name):
    seen = step(report, combo)
    loaded = seen["saved"][name]
    values = _aio(saved_file(name))["widgets_values"]
    # Inputs added since (the prompt enhancer's, then the LoRA list) come last, at their defaults;
    # every older value is in place.
    from ltx23_aio.nodes.options import option_inputs
    added = {**{i.name: i.default for i in option_inputs(MODES[name])},
             **{lst.name: lst.default for lst in MODES[name].lists}}
    assert loaded["values"] == {**dict(zip(SAVED_ORDER[name], values, strict=True)), **added}
    assert loaded["saved"] == values + list(added.values())  # saved again as it was, plus those defaults
    rows = loaded["layout"]["rows"]
    first = media_rows(seen, MEDIA[name])
    assert [r["name"] for r in rows[:len(first)]] == first
    if seen["view"] == "nodes2":  # the values as the Nodes 2.0 view renders them
        for m in MEDIA[name]:
            assert loaded["values"][m] in next(r for r in rows if r["name"] == m)["text"]
    assert all(p["loaded"] for p in loaded["previews"]), loaded["previews"]


def test_the_nodes_progress_in_the_nodes_2_view_shows_each_text_sent_whole_and_ends_on_the_summary(report):
    run = step(report, "nodes2-progress")
    assert run["ended"] == "execution_success"
    shown = [s for s in run["shown"] if s["text"]]
    firsts = [s["text"].split("\n")[0] for s in shown]
    assert any(f.startswith("stage 1 · step") for f in firsts) and any(f.startswith("decode") for f in firsts), firsts
    assert all(s["text"] in [t.strip() for t in run["sent"]] for s in shown), (shown, run["sent"])
    assert shown[-1]["text"] == run["sent"][-1].strip() and shown[-1]["text"].startswith("Text → Video · Fast")
    assert all(s["hiddenPx"] == 0 for s in shown), [s for s in shown if s["hiddenPx"]]
