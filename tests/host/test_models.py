"""Model files on a real ComfyUI: downloaded when a node runs, linked where its loaders read them,
refused at queue time when they cannot be fetched, and reported by the sidebar's routes.

The hub is the loopback one (tests/fake_hub.py) serving the tiny files; the server's Hugging Face
cache is its own.
"""
from __future__ import annotations

import json
import os
import uuid

import pytest
from harness import TINY_SET, USER_SETS, output_file
from media import probe
from test_t2v import inner, rejected, t2v

REPO = "ltx23-aio-tests/tiny"


def hub_set(server, tiny_models, hub, role: str, **file_options) -> tuple[dict, str]:
    """A user model set like the tiny one whose `role` file must come from the hub."""
    original = TINY_SET["files"][role]
    data = (tiny_models / original["folder"] / original["name"]).read_bytes()
    name = f"hub-{uuid.uuid4().hex[:8]}-{original['name']}"
    hub_file = hub.add(REPO, f"weights/{name}", data, **file_options)
    model_set = {**TINY_SET, "name": f"tiny-{name[4:12]}",
                 "files": {**TINY_SET["files"], role: {"name": name, "folder": original["folder"], "repo": REPO,
                                                       "path": f"weights/{name}", "size": len(data),
                                                       "sha256": hub_file.sha256}}}
    (server.base / "user" / USER_SETS / f"{model_set['name']}.json").write_text(json.dumps(model_set))
    return model_set, name


def test_a_missing_file_downloads_when_the_node_runs_and_its_loader_reads_it(server, tiny_models, hub):
    model_set, name = hub_set(server, tiny_models, hub, "upscaler")
    before = len(hub.body_requests())
    result = server.run(t2v(models=model_set["name"]))
    assert result.status == "success", result.error
    linked = server.base / "models" / "latent_upscale_models" / name
    assert linked.is_symlink() and str(server.base / "hf" / "hub") in os.path.realpath(linked)
    assert len(hub.body_requests()) == before + 1
    assert "load_upscaler" in [inner(n) for n in result.executed]  # ComfyUI's loader read the link
    assert probe(output_file(server, result)).frames.shape[0] == 9
    states = [e["data"]["state"] for e in result.pack_events
              if e["type"] == "ltx23_aio.download" and e["data"]["file"] == name]
    assert states[-1] == "done"
    assert any(e["type"] == "progress" and e["data"]["node"] == "10" for e in result.events)

    again = server.run(t2v(models=model_set["name"], seed=9))
    assert again.status == "success" and len(hub.body_requests()) == before + 1  # present: no request


def test_a_file_the_hub_lacks_fails_the_run_clearly_and_links_nothing(server, tiny_models, hub):
    model_set, name = hub_set(server, tiny_models, hub, "distilled_lora", status=404)
    result = server.run(t2v(models=model_set["name"]))
    assert result.status == "error"
    assert f"{name} was not found on Hugging Face (HTTP 404)" in result.error["exception_message"]
    assert [inner(n) for n in result.executed] == ["10"]  # nothing loaded
    assert not os.path.lexists(server.base / "models" / "loras" / name)


def test_a_corrupt_download_is_quarantined_not_used(server, tiny_models, hub):
    model_set, name = hub_set(server, tiny_models, hub, "distilled_lora", sha256="0" * 64)
    result = server.run(t2v(models=model_set["name"]))
    assert result.status == "error"
    message = result.error["exception_message"]
    assert "sha256" in message and "quarantine" in message
    assert not os.path.lexists(server.base / "models" / "loras" / name)


@pytest.fixture
def downloads_off(server):
    settings = server.base / "user" / "default" / "comfy.settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"LTX23AIO.AutoDownload": False}))
    yield
    settings.unlink()


def test_with_automatic_download_off_missing_files_are_refused_at_queue_time(server, tiny_models, hub, downloads_off):
    model_set, name = hub_set(server, tiny_models, hub, "upscaler")
    text = rejected(server, t2v(models=model_set["name"]))
    assert "automatic download is off" in text and name in text
    assert f"models download --mode t2v --set {model_set['name']}" in text


def test_sidebar_status_route_reports_each_file_of_a_mode(server):
    status, body = server.request("GET", "/api/ltx23_aio/models/status?mode=t2v&set=tiny")
    assert status == 200
    (mode,) = body["modes"]
    assert (mode["mode"], mode["set"], mode["complete"]) == ("t2v", "tiny", True)
    assert {f["role"]: f["state"] for f in mode["files"]} == {
        "checkpoint": "present", "text_encoder": "present", "distilled_lora": "present", "upscaler": "present"}


@pytest.mark.parametrize("method, path, body, code", [
    ("GET", "/api/ltx23_aio/models/status?mode=../../etc&set=tiny", None, 404),
    ("GET", "/api/ltx23_aio/models/status?mode=t2v&set=..%2F..%2Fpasswd", None, 404),
    ("POST", "/api/ltx23_aio/models/download", {"file": "../../../evil.safetensors"}, 404),
    ("POST", "/api/ltx23_aio/models/download", {"repo": "someone/else", "file": "x"}, 400),
])
def test_sidebar_routes_refuse_what_is_not_in_the_manifest(server, method, path, body, code):
    before = sorted(p.name for p in (server.base / "models").rglob("*"))
    status, _ = server.request(method, path, body)
    assert status == code
    assert sorted(p.name for p in (server.base / "models").rglob("*")) == before
