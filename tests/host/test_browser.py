"""The sidebar and the example workflows in a real browser: Debian's Chromium, driven by
playwright-core (browser/steps.mjs), against a real ComfyUI with this pack, the tiny models and a
loopback Hugging Face hub (tests/fake_hub.py) for the download.

The steps run once, in one browser, and write what they saw to a report; each test checks one
behaviour in it. Screenshots of every step go to tests/artifacts/browser/ (git-ignored).
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from comfy_server import ComfyServer
from harness import CHROMIUM, ROOT, TINY_SET, hub_env, make_base, require_browser, returning_user, write_media
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.routes import EXAMPLES_DIR, example_name

STEPS = Path(__file__).resolve().parent / "browser" / "steps.mjs"
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
LIMIT_S = 420
HUB_REPO = "ltx23-aio-tests/browser"
# Bytes per second over all of a file's connections: slow enough for the page to see a download in
# progress (a cap per connection would let 8 ranged connections finish in a fraction of a second).
HUB_RATE = 40e6
# 9 frames: seconds per example; the tiny set's CLIP stand-in cannot run the prompt enhancer.
RUN = {"width": 128, "height": 128, "duration": 0.35, "models": "tiny", "prompt_enhancer": False}


@pytest.fixture(scope="module")
def hub_set(tiny_models, hub):
    """The tiny files under other names, on the loopback hub: a model set whose files are missing."""
    model_set = copy.deepcopy(TINY_SET)
    model_set.update(name="hub-tiny", label="Tiny files from the test hub")
    for f in model_set["files"].values():
        source = tiny_models / f["folder"] / f["name"]
        f.update(name=f"hub-{f['name']}", repo=HUB_REPO, path=f"weights/hub-{f['name']}", size=source.stat().st_size)
        hub.add(HUB_REPO, f["path"], source, link_rate=HUB_RATE)
    return model_set


@pytest.fixture(scope="module")
def bad_set(tiny_models, hub):
    """The tiny files, but the upscaler comes from a hub entry that refuses access (403)."""
    model_set = copy.deepcopy(TINY_SET)
    model_set.update(name="hub-bad", label="Tiny files, one refused by the test hub")
    f = model_set["files"]["upscaler"]
    source = tiny_models / f["folder"] / f["name"]
    f.update(name=f"refused-{f['name']}", repo=HUB_REPO, path=f"weights/refused-{f['name']}", size=source.stat().st_size)
    hub.add(HUB_REPO, f["path"], source, status=403)
    return model_set


@pytest.fixture(scope="module")
def browser_server(tmp_path_factory, comfyui, tiny_models, hub, hub_set, bad_set):
    base = make_base(tmp_path_factory.mktemp("browser"), tiny_models, [TINY_SET, hub_set, bad_set])
    write_media(base / "input")
    # A user model set that does not parse: the picker shows it marked broken, with the reason.
    (base / "user" / "ltx23-aio" / "model_sets" / "broken-set.json").write_text('{"name": "broken", "files": {')
    returning_user(base)
    srv = ComfyServer(comfyui, base, env=hub_env(hub, base)).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def report(browser_server) -> dict:
    require_browser()
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    upload = ARTIFACTS / "to-upload" / "ltx23aio-uploaded-speech.wav"
    upload.parent.mkdir()
    shutil.copy(browser_server.base / "input" / "speech.wav", upload)
    upload_image = upload.parent / "ltx23aio-uploaded-portrait.png"
    shutil.copy(browser_server.base / "input" / "portrait.png", upload_image)
    config = {"url": browser_server.url, "out": str(ARTIFACTS), "chromium": CHROMIUM, "modelSet": "hub-tiny",
              "downloadMode": "t2v", "run": RUN, "limitSeconds": LIMIT_S, "uploadFile": str(upload),
              "uploadImage": str(upload_image),
              # Any file in the loras folder stands for a user's LoRA: the tiny distilled one.
              "userLora": TINY_SET["files"]["distilled_lora"]["name"],
              # While working on one behaviour: LTX23AIO_BROWSER_STEPS=open,modelset runs those steps only.
              "only": [s for s in os.environ.get("LTX23AIO_BROWSER_STEPS", "").split(",") if s]}
    proc = subprocess.run(["node", str(STEPS), json.dumps(config)], cwd=ROOT, capture_output=True, text=True,
                          timeout=LIMIT_S + 30)
    path = ARTIFACTS / "report.json"
    data = json.loads(path.read_text()) if path.is_file() else {"steps": {}, "errors": {}}
    data["output"] = (proc.stdout + proc.stderr)[-3000:]
    data["server"] = browser_server
    return data


def step(report: dict, name: str):
    if name in report["errors"] or name not in report["steps"]:
        pytest.fail(f"browser step '{name}' failed: {report['errors'].get(name, 'it did not run')}\n"
                    f"{report['output']}\nconsole: {report.get('console', [])[-10:]}")
    return report["steps"][name]


def example_file(mode) -> dict:
    return json.loads((EXAMPLES_DIR / f"{example_name(mode)}.json").read_text(encoding="utf-8"))


# --- the sidebar -------------------------------------------------------------------------------

def test_page_shows_no_error_from_the_pack(report):
    step(report, "examples")  # the last step: the whole session ran
    from_pack = [line for line in report["console"] if line.startswith("pageerror") or "ltx23" in line.lower()]
    assert not from_pack, from_pack


def test_sidebar_opens_with_a_button_per_mode(report):
    opened = step(report, "open")
    assert opened["heading"] == "LTX2.3 AIO"
    assert opened["modes"] == [m.title for m in MODES.values()]
    assert opened["hint"].startswith("Click a mode to add its node")


def test_sidebar_adds_a_node_per_mode_button_placed_apart_the_first_at_the_visible_centre(report):
    added = step(report, "add")
    assert [a["type"] for a in added["added"]] == [m.node_id for m in MODES.values()]
    assert added["count"] == len(MODES)  # the next button added another node, it did not switch the last one
    assert all(a["selected"] for a in added["added"])
    assert max(abs(d) for d in added["added"][0]["offCentre"]) < 2
    boxes = [a["box"] for a in added["added"]]
    for i, (x, y, w, h) in enumerate(boxes):
        for (x2, y2, w2, h2) in boxes[:i]:
            assert x >= x2 + w2 or x2 >= x + w or y >= y2 + h2 or y2 >= y + h, (boxes[i], (x2, y2, w2, h2))
    assert added["hint"].startswith("Added ")


@pytest.mark.parametrize("size", ["1280x720", "1600x1000"])
@pytest.mark.parametrize("theme", ["dark", "light"])
def test_sidebar_layout_fits_has_a_sticky_title_and_breaks_names_at_separators(report, size, theme):
    seen = next(r for r in step(report, "layout") if r["size"] == size and r["theme"] == theme)
    assert seen["darkBody"] == (theme == "dark")
    assert seen["overflowX"] <= 0 and seen["refreshRight"] <= 0 and seen["widest"] <= 0.5, seen
    assert seen["scrolled"] > 0 and seen["titleTop"] == 0, seen
    assert seen["namesWithBreaks"]


def test_help_pages_load_without_a_404(report):
    help_ = step(report, "help")
    assert set(help_["statuses"].values()) == {200}, help_
    assert help_["missing"] == []


def test_example_opened_twice_reuses_its_tab(report):
    tab = step(report, "exampletab")
    assert (tab["first"], tab["again"]) == (1, 1)
    assert tab["active"] == "LTX2.3 AIO - Text to Video" and tab["prompt"] == "changed here"


def test_model_set_picker_is_for_new_nodes_without_a_selection_and_says_what_auto_uses(report):
    fresh = step(report, "modelset")["fresh"]
    assert (fresh["label"], fresh["value"]) == ("Model set for new nodes", "auto")
    assert fresh["auto"].startswith("auto uses "), fresh


def test_model_set_picker_sets_the_new_node_and_then_the_selected_one_undoably(report):
    ms = step(report, "modelset")
    assert ms["added"] == ["tiny"]  # chosen before the node was added
    assert (ms["selected"]["label"], ms["selected"]["value"]) == ("Model set of the selected node", "tiny")
    assert ms["chosen"]["node"] == ["hub-tiny"]
    assert ms["chosen"]["picker"]["value"] == "hub-tiny" and ms["chosen"]["picker"]["auto"] is None
    assert ms["undone"] == ["tiny"]
    assert ms["onAuto"]["value"] == "auto" and ms["onAuto"]["auto"].startswith("auto uses ")
    assert ms["onAuto"]["nodeShows"].startswith("auto → "), ms["onAuto"]  # the node says it too


def test_model_set_picker_shows_a_broken_user_set_with_the_parsers_message(report):
    fresh = step(report, "modelset")["fresh"]
    assert [b["label"] for b in fresh["broken"]] == ["⚠ broken-set.json (broken)"]
    assert "broken-set.json" in fresh["brokenNote"] and "could not be read" in fresh["brokenNote"]


def test_sidebar_switch_keeps_shared_values_and_the_links_that_fit(report):
    switched = step(report, "switch")["lipsync"]
    aio = switched["aio"]
    assert aio["type"] == "LTX23AIO_Lipsync"
    kept = {"prompt": "a fox trots through snow", "negative_prompt": "blurry", "width": 768, "height": 512,
            "duration": 3, "fps": 25, "preset": "Quality", "models": "tiny", "image_strength": 0.55, "image": "portrait.png"}
    assert {k: aio["values"][k] for k in kept} == kept
    assert aio["values"]["filename_prefix"] == "LTX2.3-AIO/lipsync"  # unchanged, so it follows the mode
    assert aio["linkedFrom"] == {"image_input": "LoadImage", "seed": "PrimitiveInt"}
    assert aio["linkedTo"] == {"images": ["PreviewImage"]}
    assert sorted(switched["types"]) == sorted(["LoadImage", "PrimitiveInt", "PreviewImage", "LTX23AIO_Lipsync"])
    assert any("Switched to Lipsync" in t and "Settings and links kept" in t for t in switched["toasts"])


def test_sidebar_switch_drops_links_that_no_longer_fit_and_says_so(report):
    switched = step(report, "switch")["t2v"]
    aio = switched["aio"]
    assert aio["type"] == "LTX23AIO_TextToVideo"
    assert aio["linkedFrom"] == {"seed": "PrimitiveInt"}
    assert aio["linkedTo"] == {"images": ["PreviewImage"]}
    assert aio["values"]["prompt"] == "a fox trots through snow"
    assert any("image_input (IMAGE)" in t and "removed" in t for t in switched["toasts"])


def _aio(graph):
    return next(n for n in graph["nodes"] if n["type"].startswith("LTX23AIO_"))


def test_switch_keeps_an_uploaded_image_as_first_image_and_names_what_was_dropped(report):
    sw = step(report, "switchkeep")
    node = _aio(sw["after"])
    assert node["type"] == "LTX23AIO_FirstLastFrameToVideo"
    assert "ltx23aio-uploaded-portrait.png" in node["values"]
    assert "the wind moves her hair" in node["values"]
    assert any("Not used by First/Last frame → Video: image_strength = 0.55" in t for t in sw["keyToasts"]), sw["keyToasts"]
    assert not any("Settings and links kept" in t for t in sw["keyToasts"])


def test_switch_keeps_the_nodes_id_place_size_pin_and_links(report):
    sw = step(report, "switchkeep")
    before, after = _aio(sw["before"]), _aio(sw["after"])
    assert after["id"] == before["id"] and after["pos"] == before["pos"]
    assert after["size"][0] == before["size"][0] and after["size"][1] >= before["size"][1]
    assert after["flags"].get("pinned") is True
    assert dict(after["inputs"])["seed"] is not None
    collapsed = _aio(sw["collapsed"])
    assert collapsed["type"] == "LTX23AIO_TextToVideo" and collapsed["flags"].get("collapsed") is True
    assert any("image = ltx23aio-uploaded-portrait.png" in t for t in sw["t2vToasts"]), sw["t2vToasts"]


def test_undo_after_a_switch_restores_the_graph_exactly(report):
    sw = step(report, "switchkeep")
    assert sw["undone"] == sw["before"]


def _previews(seen):
    return {p["media"]: p for p in seen["previews"]}


def test_media_previews_show_the_picked_and_the_uploaded_file(report):
    lipsync = _previews(step(report, "media")["lipsync"])
    assert lipsync["image"]["tag"] == "img" and lipsync["image"]["loaded"] and lipsync["image"]["value"] == "portrait.png"
    assert lipsync["audio"]["tag"] == "audio" and lipsync["audio"]["loaded"]
    assert lipsync["audio"]["value"] == "ltx23aio-uploaded-speech.wav"
    style = _previews(step(report, "media")["style"])
    assert style["video"]["tag"] == "video" and style["video"]["loaded"] and style["video"]["videoWidth"] > 0, style
    assert style["style_image"]["loaded"] and style["style_image"]["value"] == "first.png"


def test_media_chooser_and_preview_read_empty_without_a_file(report):
    keyframe = step(report, "media")["keyframe"]
    shown = _previews(keyframe)
    assert shown["first_image"]["loaded"] and shown["first_image"]["value"] == "first.png"
    assert shown["last_image"]["empty"].startswith("No image chosen"), shown["last_image"]
    assert keyframe["shown"] == keyframe["shownNull"] == "(none)"


def test_one_upload_control_per_medium_in_both_views(report):
    media = step(report, "media")
    assert media["lipsync"]["buttons"] == ["upload image…", "upload audio…"]  # classic canvas
    vue = media["vue"]
    assert vue["found"] and vue["packButtons"] == 0  # Nodes 2.0: ComfyUI's own control in each chooser
    assert all(p["loaded"] and p["visible"] for p in vue["previews"]), vue["previews"]


def test_switch_and_undo_in_the_nodes_2_view(report):
    vue = step(report, "vue")
    (before,), (after,) = vue["before"], vue["after"]
    assert after["type"] == "LTX23AIO_FirstLastFrameToVideo" and after["id"] == before["id"] and after["pos"] == before["pos"]
    assert "portrait.png" in after["values"] and "waves roll in" in after["values"]
    assert vue["dom"]["found"] and "First/Last frame" in vue["dom"]["text"], vue["dom"]
    assert vue["dom"]["previews"] == ["first_image", "last_image", "voice_reference"]
    assert vue["undone"] == vue["before"]


def test_node_menu_switches_an_aio_nodes_mode(report):
    assert step(report, "menu")["types"] == ["LTX23AIO_Lipsync"]


def test_sidebar_hint_names_the_selected_node(report):
    assert step(report, "switch")["hint"].startswith("Selected: Image → Video.")


def test_node_upload_button_puts_the_file_in_the_input_folder_and_chooses_it(report):
    uploaded = step(report, "upload")
    assert uploaded["buttons"] == ["upload image…", "upload audio…"]  # one per media input
    assert uploaded["value"] == "ltx23aio-uploaded-speech.wav"
    assert (report["server"].base / "input" / "ltx23aio-uploaded-speech.wav").is_file()
    assert len(uploaded["serialized"]) == uploaded["widgets"] - 4  # the buttons and previews are not saved


def test_auto_download_setting_is_on_by_default_and_stored_where_the_server_reads_it(report):
    setting = step(report, "setting")
    assert setting == {"before": True, "stored": False}
    stored = json.loads((report["server"].base / "user" / "default" / "comfy.settings.json").read_text())
    assert stored["LTX23AIO.AutoDownload"] is True  # switched back on at the end of the step


def test_sidebar_download_from_the_hub_reaches_100_percent(report, hub_set):
    download = step(report, "download")
    # t2v needs neither IC-LoRA (style's ic_lora, Dub video's dub_lora: the same tiny file), and the
    # ID-LoRA only with a voice reference
    assert download["before"] == f"{len(hub_set['files']) - 3} missing · 133 MB"
    names = {f["name"] for role, f in hub_set["files"].items() if role not in ("ic_lora", "dub_lora", "id_lora")}
    final = {e["file"]: e for e in download["events"] if e["state"] != "downloading"}
    assert set(final) == names
    assert all(e["state"] == "done" and e["done"] == e["total"] for e in final.values()), final
    percents = [int(f["percent"]) for s in download["seen"] for f in s["files"]
                if f["name"] == "hub-ltx23-tiny-clip-l.safetensors" and f["percent"]]
    assert len(percents) > 2 and percents == sorted(percents), percents
    badges = [s["badge"] for s in download["seen"]]
    assert badges[-1] == "ready"
    assert any(b.startswith("downloading · ") for b in badges)


def test_a_failed_download_stays_in_the_sidebar_with_its_reason_until_dismissed(report):
    failed = step(report, "failure")
    assert failed["first"]["files"] and "403" in failed["first"]["reasons"][0] or "denied" in failed["first"]["reasons"][0].lower(), failed
    assert failed["later"] == failed["first"]  # still there after the toast is gone
    assert failed["retried"]["count"] == 1  # retried, refused again, still one entry
    assert failed["dismissed"]["count"] == 0


def test_a_running_download_has_a_cancel_button(report):
    download = step(report, "download")
    assert any(f["cancel"] for s in download["seen"] for f in s["files"] if f["state"] == "downloading")


def test_model_set_totals_count_shared_files_once(report, hub_set):
    from ltx23_aio.model_manifest import CONTROL_FILES
    totals = step(report, "download")["totals"]
    # The set's own files and style's depth and pose models, which it gets from the pack.
    # (The ID-LoRA is no mode's own file: it loads only with a voice reference.)
    count = len({f["name"] for role, f in hub_set["files"].items() if role != "id_lora"}
                | {f.name for f in CONTROL_FILES.values()})
    assert totals.startswith(f"Model set Tiny files from the test hub: {count} files"), totals
    assert "Modes share files" in totals


def test_sidebar_stops_asking_for_the_status_once_downloads_end(report):
    assert step(report, "download")["statusReadsWhenIdle"] == 0


def test_downloaded_files_are_where_comfyui_looks(report, hub_set):
    step(report, "download")
    models = report["server"].base / "models"
    for role, f in hub_set["files"].items():
        if role not in ("ic_lora", "dub_lora", "id_lora"):
            assert (models / f["folder"] / f["name"]).stat().st_size == f["size"], f["name"]


# --- the examples -------------------------------------------------------------------------------

def test_templates_browser_lists_every_example_under_the_pack(report):
    listed = step(report, "templates")
    assert sorted(listed["titles"]) == sorted(example_name(m) for m in MODES.values())
    fetched = {t["url"].rsplit("/", 1)[1]: t for t in listed["thumbnails"]}
    assert set(fetched) == {f"{example_name(m)}.jpg" for m in MODES.values()}
    assert all(t["status"] == 200 and t["type"] == "image/jpeg" for t in fetched.values()), fetched
    assert listed["shown"] and all(width == 512 for width in listed["shown"])


def test_example_opened_from_the_templates_browser_brings_its_media(report):
    opened = step(report, "templates")
    values = opened["opened"]["aio"]["values"]
    assert (values["image"], values["audio"]) == ("ltx23_aio_portrait.png", "ltx23_aio_singing.mp3")
    assert "ltx23_aio_portrait.png" in opened["inputFolder"]["image"]
    assert "ltx23_aio_singing.mp3" in opened["inputFolder"]["audio"]


@pytest.mark.parametrize("mode", list(MODES))
def test_example_loads_as_saved(report, mode):
    loaded = step(report, "examples")[mode]["loaded"]["aio"]
    node = next(n for n in example_file(MODES[mode])["nodes"] if n["type"] == MODES[mode].node_id)
    assert loaded["serialized"] == node["widgets_values"]


@pytest.mark.parametrize("mode", list(MODES))
def test_example_names_its_model_files_to_comfyuis_missing_models_check(report, mode):
    opened = step(report, "examples")[mode]
    # A tab opened before (Lipsync, from the Templates browser) was checked when it first opened.
    missing = step(report, "templates")["missingModels"] if opened["reused"] else opened["missingModels"]
    count = len(example_file(MODES[mode])["models"])
    assert f"{count} required models are missing" in missing


@pytest.mark.parametrize("mode", list(MODES))
def test_example_runs_with_the_tiny_set_and_shows_its_video(report, mode):
    video = step(report, "examples")[mode]["video"]
    if not MODES[mode].makes_video:  # Text → Audio: its FLAC in an audio player
        assert video["tag"] == "audio" and video["duration"] > 0
    else:
        # Extend and Retake take the size of the example's source clip (480×264, snapped to 64).
        size = (512, 256) if MODES[mode].edits_source else (RUN["width"], RUN["height"])
        assert (video["width"], video["height"]) == size
    assert f"filename={mode}_" in video["src"] and "subfolder=LTX2.3-AIO" in video["src"]
    name = video["src"].split("filename=")[1].split("&")[0]
    assert (report["server"].base / "output" / "LTX2.3-AIO" / name).stat().st_size > 0


# --- the LoRA and keyframe lists -------------------------------------------------------------------

def test_lists_load_old_values_in_place_survive_a_reload_and_run(report):
    lists = step(report, "lists")
    old = lists["old"]  # a First/Last workflow saved before the lists: every value where it was
    assert (old["first_image"], old["last_image"]) == ("ltx23_aio_lake_day.jpg", "ltx23_aio_lake_dusk.jpg")
    assert (old["first_strength"], old["keyframes"], old["loras"]) == (1.0, "2", "0")
    names, values = lists["reloaded"]["names"], lists["reloaded"]["values"]
    # Each list's rows right under its count, after the media; kept through a save and reload.
    rows = ["keyframes", "keyframes.image2", "keyframes.time2", "keyframes.strength2", "loras", "loras.lora_name1",
            "loras.lora_strength1"]
    at = [names.index(name) for name in rows]
    assert at == sorted(at) and names.index("last_image") < at[0], names
    assert values["keyframes.image2"] == "portrait.png" and values["keyframes.time2"] == 0.2
    assert values["loras.lora_name1"] == TINY_SET["files"]["distilled_lora"]["name"]
    assert values["loras.lora_strength1"] == 0.5
    assert lists["video"]["src"]
    switched = lists["switched"]["aio"]  # then keyframes back to 2 and a switch to Text → Video
    assert switched["type"] == MODES["t2v"].node_id
    assert (switched["values"]["loras"], switched["values"]["loras.lora_strength1"]) == ("1", 0.5)
    assert switched["values"]["loras.lora_name1"] == TINY_SET["files"]["distilled_lora"]["name"]
    assert not any("keyframes" in t for t in lists["switched"]["toasts"]), lists["switched"]["toasts"]
