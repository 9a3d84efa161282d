"""What the AIO node shows in a real browser while it runs and when it fails, and its media chooser
on an empty input folder (Debian's Chromium, driven by playwright-core through browser/progress.mjs,
against a real ComfyUI with the tiny models, an empty input folder and a loopback Hugging Face hub).

The steps run once and write what the page showed to a report; each test checks one behaviour in
it. Screenshots go to tests/artifacts/browser-progress/ (git-ignored).
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from comfy_server import ComfyServer
from harness import CHROMIUM, ROOT, TINY_SET, hub_env, make_base, require_browser, returning_user

STEPS = Path(__file__).resolve().parent / "browser" / "progress.mjs"
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser-progress"
LIMIT_S = 420
HUB_REPO = "ltx23-aio-tests/browser-progress"
RUN = {"prompt": "a red fox runs through deep snow, wind howls", "width": 128, "height": 128, "duration": 0.35,
       "models": "tiny", "preset": "Fast", "prompt_enhancer": False}  # the tiny CLIP cannot run the enhancer
T2V_ROLES = ["checkpoint", "text_encoder", "distilled_lora", "upscaler"]
SUMMARY = "Text → Video · Fast · model set tiny"
# What the frontend's i18n escaping would have made of / ' & = " < > (shown as text, not decoded).
ENTITIES = re.compile(r"&(#x2F|#x3D|#39|apos|quot|amp|lt|gt);")


def _hub_copy(tiny_models, hub, name: str, roles, status=None) -> dict:
    """The tiny set with the files of ``roles`` renamed and served by the test hub (so missing here)."""
    model_set = copy.deepcopy(TINY_SET)
    model_set.update(name=name, label=name)
    for role in roles:
        f = model_set["files"][role]
        source = tiny_models / f["folder"] / f["name"]
        f.update(name=f"{name}-{f['name']}", repo=HUB_REPO, path=f"weights/{name}-{f['name']}",
                 size=source.stat().st_size)
        hub.add(HUB_REPO, f["path"], source, **({"status": status} if status else {}))
    return model_set


@pytest.fixture(scope="module")
def missing_set(tiny_models, hub):
    """Every file a T2V run reads, under another name, on the hub: all missing on the server."""
    return _hub_copy(tiny_models, hub, "missing", T2V_ROLES)


@pytest.fixture(scope="module")
def refused_set(tiny_models, hub):
    """The tiny files, but the upscaler comes from a hub entry that refuses access (403)."""
    return _hub_copy(tiny_models, hub, "refused", ["upscaler"], status=403)


@pytest.fixture(scope="module")
def progress_server(tmp_path_factory, comfyui, tiny_models, hub, missing_set, refused_set):
    base = make_base(tmp_path_factory.mktemp("browser-progress"), tiny_models, [TINY_SET, missing_set, refused_set])
    returning_user(base)
    srv = ComfyServer(comfyui, base, env=hub_env(hub, base)).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def report(progress_server, missing_set, refused_set) -> dict:
    require_browser()
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    config = {"url": progress_server.url, "out": str(ARTIFACTS), "chromium": CHROMIUM, "run": RUN,
              "refusedSet": missing_set["name"], "failingSet": refused_set["name"], "limitSeconds": LIMIT_S,
              "only": [s for s in os.environ.get("LTX23AIO_BROWSER_STEPS", "").split(",") if s]}
    proc = subprocess.run(["node", str(STEPS), json.dumps(config)], cwd=ROOT, capture_output=True, text=True,
                          timeout=LIMIT_S + 30)
    path = ARTIFACTS / "report.json"
    data = json.loads(path.read_text()) if path.is_file() else {"steps": {}, "errors": {}}
    data["output"] = (proc.stdout + proc.stderr)[-3000:]
    data["hub"] = progress_server.env["HF_ENDPOINT"]
    return data


def step(report: dict, name: str):
    if name in report["errors"] or name not in report["steps"]:
        pytest.fail(f"browser step '{name}' failed: {report['errors'].get(name, 'it did not run')}\n"
                    f"{report['output']}\nconsole: {report.get('console', [])[-10:]}")
    return report["steps"][name]


def first_lines(run: dict) -> list[str]:
    """The stage lines the node showed, each change once, in order."""
    lines = []
    for s in run["shown"]:
        line = (s["text"] or "").split("\n")[0]
        if line and (not lines or lines[-1] != line):
            lines.append(line)
    return lines


# --- progress by stage --------------------------------------------------------------------------

def test_the_node_shows_each_stage_in_order_above_the_summary(report):
    run = step(report, "progress")["cold"]
    lines = first_lines(run)
    # In the order they run (a LoRA and the upscaler load when first needed: "load models" again).
    order = ["load models", "encode prompt", "stage 1 · step ", "upscale", "stage 2 · ", "decode", "save"]
    # A stage of a few milliseconds on tiny models (the upscale) can fall between two 10 ms samples
    # of the page: every stage was sent to the node, and those the page showed came in order.
    sent = [t.split("\n")[0] for t in run["sent"]]
    assert all(any(line.startswith(x) for line in sent) for x in order), sent
    firsts = [next((i for i, line in enumerate(lines) if line.startswith(x)), None) for x in order]
    shown = [i for i in firsts if i is not None]
    assert len(shown) >= len(order) - 1 and shown == sorted(shown), lines
    assert "decode video" in lines and "decode audio" in lines, lines
    # The sampler's steps as they go (ComfyUI skips some when they come fast).
    assert len({line for line in lines if re.fullmatch(r"stage 1 · step [1-8]/8", line)}) >= 3, lines
    staged = [s["text"] for s in run["shown"] if s["text"] and s["text"].startswith("stage 1 · step")]
    assert all(t.split("\n")[1].startswith(SUMMARY) for t in staged), staged
    assert run["midShot"]


def test_the_node_shows_what_the_server_sent(report):
    for name, run in step(report, "progress").items():
        shown = {s["text"] for s in run["shown"] if s["text"]}
        # Every text the server sent that lasted long enough to be sampled is shown as sent
        # (innerText: the <br> the frontend makes of a newline reads back as one).
        assert set(run["sent"][-1:]) <= shown, (name, run["sent"][-1], shown)
        assert all(t in run["sent"] for t in shown), (name, shown - set(run["sent"]))


@pytest.mark.parametrize("run", ["cold", "warm"])
def test_the_node_ends_on_the_summary_alone(report, run):
    seen = step(report, "progress")[run]
    assert seen["final"]["widget"].startswith(SUMMARY) and "\n" not in seen["final"]["widget"], seen["final"]
    assert seen["shown"][-1]["text"] == seen["final"]["widget"]
    assert seen["ended"] == "execution_success" and seen["video"].startswith("t2v_"), seen["video"]


@pytest.mark.parametrize("run", ["cold", "warm"])
def test_the_bar_the_canvas_draws_never_goes_back(report, run):
    seen = step(report, "progress")[run]
    bars = [s["bar"] for s in seen["shown"] if s["bar"] is not None]
    assert len(bars) > 5, seen["shown"]
    drops = [(a, b) for a, b in zip(bars, bars[1:]) if b < a]
    assert not drops, (drops, bars)
    assert bars[-1] > 0.9, bars
    assert seen["final"]["bar"] is None  # the run over, the canvas draws no bar


@pytest.mark.parametrize("run", ["cold", "warm"])
def test_the_nodes_text_is_shown_whole(report, run):
    shown = [s for s in step(report, "progress")[run]["shown"] if s["text"]]
    # ComfyUI gives the text two lines; the node grows once the page has drawn a longer one, so
    # a new text may be cut for a frame or two, not longer.
    assert shown[-1]["hiddenPx"] == 0, shown[-1]
    later = [s for s in shown if s["text"].startswith(("stage 2", "decode", "save"))]
    assert later and all(s["hiddenPx"] == 0 for s in later), later


# --- errors -------------------------------------------------------------------------------------

def test_a_refused_queue_reads_intact_in_the_error_overlay_and_the_errors_panel(report, missing_set):
    refused = step(report, "refused")
    panel = refused["panel"]
    assert "automatic download is off" in panel, panel
    assert not ENTITIES.search(panel) and not ENTITIES.search(refused["overlay"]), panel
    assert refused["panelHtmlEntities"] == []  # the page holds no double-escaped entity either
    plain = panel.replace("∕", "/")  # the look-alike slash the pack writes for the frontend
    for f in (missing_set["files"][role] for role in T2V_ROLES):
        assert f"{f['name']} " in panel and f"ComfyUI/models/{f['folder']}/" in plain, f
        assert f"{report['hub']}/{HUB_REPO}/resolve/main/{f['path']}" in plain, f


def test_a_failed_run_shows_the_packs_message_without_a_module_path(report, refused_set):
    failed = step(report, "failed")
    name = refused_set["files"]["upscaler"]["name"]
    assert failed["overlay"].startswith("LTX2.3 AIO: Hugging Face refused access"), failed["overlay"]
    assert name in failed["overlay"]
    panel = failed["panel"]  # ComfyUI's error report: details, stack trace, system, the server's log
    assert "- **Exception Type:** LTX2.3 AIO\n" in panel, panel[:1500]
    assert "- **Exception Message:** LTX2.3 AIO: Hugging Face refused access" in panel, panel[:1500]
    for text in (failed["overlay"], panel):
        assert not ENTITIES.search(text), ENTITIES.search(text)
    # Nowhere a Python type path, not even in the log the report quotes.
    assert "ModelFileError" not in panel and "model_store.errors" not in panel, panel
    trace = panel.split("## Stack Trace", 1)[1].split("## System Information", 1)[0]
    assert trace.rstrip().endswith("```") and "super_node.py" in trace and "model_store" not in trace, trace


def test_a_failed_run_replaces_the_nodes_text_with_the_failure(report):
    failed = step(report, "failed")
    assert failed["nodeText"].startswith("failed: Hugging Face refused access"), failed["sampled"]["shown"]
    assert failed["sampled"]["shown"][-1]["hiddenPx"] == 0  # the whole message, on the node too
    assert "downloading" not in failed["nodeText"]


# --- issue 13: an empty media chooser on a server whose input folder is empty -------------------

def test_an_empty_media_chooser_and_its_preview_read_empty_in_the_classic_view(report):
    classic = step(report, "emptymedia")["classic"]
    assert classic["options"] == [] and classic["value"] is None  # the input folder is empty
    assert classic["shown"] == "(none)"
    assert classic["preview"].startswith("No image chosen") and not classic["previewImageShown"], classic


def test_an_empty_media_chooser_and_its_preview_read_empty_in_the_nodes_2_view(report):
    vue = step(report, "emptymedia")["vue"]
    assert vue["found"]
    assert vue["row"] == "image\nSelect image...", vue["row"]  # ComfyUI's own placeholder for no file
    assert "undefined" not in vue["text"] and "null" not in vue["text"], vue["text"]
    (preview,) = vue["previews"]
    assert preview["inNode"] and preview["text"].startswith("No image chosen") and not preview["imageShown"], preview
