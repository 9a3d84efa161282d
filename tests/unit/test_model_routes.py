"""The sidebar's HTTP routes on a real aiohttp server on loopback."""
import asyncio
import gc
import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from aiohttp import web
from conftest import ROLES, payload
from ltx23_aio.mode_files.routes import register_routes
from ltx23_aio.model_manifest import FILES, ModelFile
from ltx23_aio.model_store.auto import GpuFacts
from ltx23_aio.model_store.comfy_paths import FolderMap
from ltx23_aio.model_store.jobs import DOWNLOAD_EVENT
from ltx23_aio.model_store.sets import USER_SETS_SUBDIR
from model_state import state

WAIT_S = 20


class RouteServer:
    def __init__(self, comfy_factory):
        self.events = []
        routes = web.RouteTableDef()
        self._stop_events = register_routes(routes, comfy_factory,
                                            lambda event, data: self.events.append((event, dict(data))))
        self._app = web.Application()
        self._app.add_routes(routes)

    def __enter__(self):
        ready = threading.Event()

        def run():
            self._loop = asyncio.new_event_loop()
            self._runner = web.AppRunner(self._app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/ltx23_aio/models"
            ready.set()
            self._loop.run_forever()
        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert ready.wait(10)
        return self

    def __exit__(self, *exc):
        self._stop_events()
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def call(self, method: str, path: str, body: bytes | dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=WAIT_S) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)


@pytest.fixture
def server(comfyui, hf_env):
    folders = FolderMap.for_comfyui(comfyui)
    with RouteServer(lambda: folders.paths(comfyui / "user", GpuFacts("RTX 5090", 32, (12, 0)))) as s:
        yield s


def tree(root) -> set:
    return {str(p) for p in root.rglob("*")}


def wait_for_downloads(server, files) -> list:
    """Wait until the downloads of ``files`` ((repo, name) pairs) have ended; their last events."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        _, body = server.call("GET", "/downloads")
        ended = {(d["repo"], d["file"]): d for d in body["downloads"] if d["state"] != "downloading"}
        if set(files) <= set(ended):
            return [ended[f] for f in files]
        time.sleep(0.05)
    raise AssertionError(f"downloads of {files} did not end within {WAIT_S} s")


def test_routes_status_reports_each_file_of_a_mode(server, tiny_set, comfyui, fake_hub):
    present = tiny_set["upscaler"]
    (comfyui / "models" / present["folder"]).mkdir()
    with open(comfyui / "models" / present["folder"] / present["name"], "wb") as stand_in:
        stand_in.truncate(present["size"])  # the set names its exact size: a shorter file is not it
    status, body = server.call("GET", "/status?mode=t2v&set=tiny&preset=Fast")
    assert status == 200
    (mode,) = body["modes"]
    assert (mode["mode"], mode["set"], mode["complete"]) == ("t2v", "tiny", False)
    states = {f["role"]: f for f in mode["files"]}
    assert set(states) == set(ROLES)
    assert states["upscaler"]["state"] == "present" and states["upscaler"]["source"] == "models"
    checkpoint = states["checkpoint"]
    assert (checkpoint["state"], checkpoint["size"], checkpoint["path"]) == ("missing", tiny_set["checkpoint"]["size"], None)
    assert checkpoint["url"] == f"{fake_hub.hub_url}/{tiny_set['checkpoint']['repo']}/resolve/main/weights/tiny-checkpoint.safetensors"
    assert {"auto", "fp8", "tiny"} <= {s["name"] for s in body["sets"]}
    assert fake_hub.requests == []


def test_routes_status_says_which_set_auto_picks_and_why(server):
    status, body = server.call("GET", "/status?mode=t2v")
    assert status == 200
    (mode,) = body["modes"]
    assert (mode["requested"], mode["set"]) == ("auto", "nvfp4")
    assert mode["reason"].startswith("auto: RTX 5090, 32 GB, compute 12.0: Blackwell")


def test_routes_download_of_a_mode_completes_and_sends_events(server, tiny_set, comfyui):
    status, body = server.call("POST", "/download", {"mode": "t2v", "set": "tiny"})
    assert status == 202
    names = [f["name"] for f in tiny_set.values()]
    assert sorted(body["downloading"]) == sorted(names) and body["present"] == []
    assert all(d["state"] == "done" for d in wait_for_downloads(server, [(f["repo"], f["name"]) for f in tiny_set.values()]))
    assert {(e, d["file"]) for e, d in server.events if d["state"] == "done"} == {(DOWNLOAD_EVENT, n) for n in names}
    for f in tiny_set.values():
        assert (comfyui / "models" / f["folder"] / f["name"]).stat().st_size == f["size"]
    assert server.call("GET", "/status?mode=t2v&set=tiny")[1]["modes"][0]["complete"] is True


def test_routes_download_of_one_manifest_file(server, fake_hub, comfyui):
    f = FILES["ltx-2.3-22b-ic-lora-union-control-ref0.5.safetensors"]
    fake_hub.add(f.repo, f.repo_path, payload(500_000))
    status, body = server.call("POST", "/download", {"file": f.name})
    assert (status, body) == (202, {"downloading": [f.name], "present": []})
    wait_for_downloads(server, [(f.repo, f.name)])
    assert (comfyui / "models" / "loras" / f.name).stat().st_size == 500_000


@pytest.mark.parametrize("body", [
    {"file": "../../../etc/passwd"},
    {"file": "/etc/passwd"},
    {"mode": "../t2v"},
    {"mode": "t2v", "set": "../../fp8"},
    {"mode": "t2v", "set": "tiny", "preset": "../Fast"},
])
def test_routes_reject_unknown_names_and_write_nothing(server, tiny_set, tmp_path, fake_hub, body):
    before = tree(tmp_path)
    status, answer = server.call("POST", "/download", body)
    assert status == 404 and answer["kind"] == "unknown"
    assert tree(tmp_path) == before and fake_hub.requests == []


@pytest.mark.parametrize("body", [
    b"{not json",
    b"[]",
    b'{"file": 1}',
    b'{"file": "ltx-2.3-22b-dev-fp8.safetensors", "mode": "t2v"}',
    b'{"repo": "Lightricks/LTX-2.3", "path": "x.safetensors"}',
    b'{"url": "http://127.0.0.1:1/evil"}',
    b'{"mode": "t2v", "set": ["fp8"]}',
])
def test_routes_reject_malformed_requests_and_write_nothing(server, tmp_path, fake_hub, body):
    before = tree(tmp_path)
    status, answer = server.call("POST", "/download", body)
    assert status == 400 and answer["kind"] == "request"
    assert tree(tmp_path) == before and fake_hub.requests == []


def test_routes_reject_an_oversized_body(server, tmp_path):
    before = tree(tmp_path)
    status, _ = server.call("POST", "/download", b'{"file": "' + b"a" * 5000 + b'"}')
    assert status == 413 and tree(tmp_path) == before


@pytest.mark.parametrize("query, expected", [("?mode=t2v&repo=x", 400), ("?mode=t2v&mode=t2v", 400),
                                             ("?mode=nope", 404), ("?set=nope", 404)])
def test_routes_status_rejects_bad_queries(server, query, expected):
    assert server.call("GET", "/status" + query)[0] == expected


def test_routes_download_offline_answers_409_without_requests(server, tiny_set, fake_hub, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    status, body = server.call("POST", "/download", {"mode": "t2v", "set": "tiny"})
    assert status == 409 and body["kind"] == "offline" and "tiny-checkpoint.safetensors" in body["error"]
    assert fake_hub.requests == []


@pytest.mark.parametrize("path", ["/download", "/cancel"])
def test_routes_answer_deeply_nested_json_with_400(server, tmp_path, path):
    gc.collect()  # else finalizers of earlier tests' objects may run at the parser's depth, and fail there
    before = tree(tmp_path)
    status, answer = server.call("POST", path, b"[" * 2000 + b"]" * 2000)
    assert (status, answer["kind"]) == (400, "request") and tree(tmp_path) == before


@pytest.mark.parametrize("body", [b'{"file": 1}', b'{"mode": "t2v"}', b'{"file": "x", "all": true}', b"[]"])
def test_routes_cancel_rejects_malformed_requests(server, body):
    status, answer = server.call("POST", "/cancel", body)
    assert (status, answer["kind"]) == (400, "request")


def test_routes_cancel_stops_a_download_and_keeps_its_bytes(server, tiny_set, comfyui, fake_hub, hf_env):
    checkpoint = tiny_set["checkpoint"]
    fake_hub.files[(checkpoint["repo"], checkpoint["path"])].faults = [("hold", 100_000)]
    status, body = server.call("POST", "/download", {"mode": "t2v", "set": "tiny"})
    assert status == 202
    deadline = time.monotonic() + WAIT_S
    while not any((d["repo"], d["state"]) == (checkpoint["repo"], "downloading") and d["done"] >= 100_000
                  for d in server.call("GET", "/downloads")[1]["downloads"]):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert server.call("POST", "/cancel", {"file": checkpoint["name"]}) == (200, {"cancelled": [checkpoint["name"]]})
    (last,) = wait_for_downloads(server, [(checkpoint["repo"], checkpoint["name"])])
    fake_hub.release()
    assert last["state"] == "cancelled" and last["done"] == 100_000
    assert last["error"].startswith(f"The download of {checkpoint['name']} was cancelled; the 0.1 MB of 0.3 MB")
    assert [d for e, d in server.events if d["file"] == checkpoint["name"]][-1]["state"] == "cancelled"
    f = ModelFile(checkpoint["name"], "checkpoints", checkpoint["repo"], checkpoint["path"])
    left = state(f, hf_env.cache_dir, comfyui)
    assert (left["cached"], left["kept"], left["quarantined"]) == (None, 100_000, [])
    assert f"checkpoints/{checkpoint['name']}" not in left["models"]  # the other files of the set are linked
    assert server.call("POST", "/cancel", {}) == (200, {"cancelled": []})


def test_routes_status_never_shows_credentials_from_hf_endpoint(server, tiny_set, fake_hub, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", fake_hub.hub_url.replace("http://", "http://mirror-user:s3cret-pass@"))
    status, body = server.call("GET", "/status?mode=t2v&set=tiny")
    assert status == 200 and "s3cret" not in json.dumps(body) and "mirror-user" not in json.dumps(body)
    checkpoint = {f["role"]: f for f in body["modes"][0]["files"]}["checkpoint"]
    assert checkpoint["url"].startswith(fake_hub.hub_url + "/")


@pytest.mark.parametrize("path", ["../../../../outside", "weights/../../../outside", "/tmp/outside"])
def test_routes_refuse_a_user_set_whose_path_leaves_the_repository(server, comfyui, tmp_path, fake_hub, path):
    sets = comfyui / "user" / USER_SETS_SUBDIR
    sets.mkdir(parents=True)
    (sets / "evil.json").write_text(json.dumps({"name": "evil", "base": "fp8", "files": {
        "checkpoint": {"name": "x.safetensors", "folder": "checkpoints", "repo": "o/r", "path": path}}}))
    before = tree(tmp_path)
    status, body = server.call("POST", "/download", {"mode": "t2v", "set": "evil"})
    assert status == 404 and body["kind"] == "unknown"
    assert f"path must be a path inside its repository, not '{path}'" in body["error"]
    assert tree(tmp_path) == before and fake_hub.requests == []


def test_routes_a_storage_shorter_than_announced_ends_the_job_with_the_reason(server, tiny_set, comfyui, fake_hub):
    checkpoint = tiny_set["checkpoint"]
    fake_hub.files[(checkpoint["repo"], checkpoint["path"])].storage_size = checkpoint["size"] - 1000
    assert server.call("POST", "/download", {"mode": "t2v", "set": "tiny"})[0] == 202
    (last,) = wait_for_downloads(server, [(checkpoint["repo"], checkpoint["name"])])
    assert last["state"] == "error"
    assert last["error"].startswith(
        f"{checkpoint['name']} cannot be downloaded as the hub describes it: the storage server holds "
        f"{checkpoint['size'] - 1000:,} bytes, the hub announced {checkpoint['size']:,} (at 127.0.0.1).")
    assert fake_hub.bytes_sent() <= sum(f["size"] for f in tiny_set.values())
    assert not (comfyui / "models" / "checkpoints" / checkpoint["name"]).exists()
