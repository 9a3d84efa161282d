"""Downloads through a real HTTP server on loopback that speaks the hub's protocol, with faults."""
import asyncio
import dataclasses
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import TOKEN, payload
from huggingface_hub import scan_cache_dir, try_to_load_from_cache
from ltx23_aio.model_manifest import ModelFile
from ltx23_aio.model_store.cache import QUARANTINE_DIR, legacy_partial_path, repo_dir
from ltx23_aio.model_store.ensure import ensure_files, ensure_files_async
from ltx23_aio.model_store.errors import ModelFileError
from ltx23_aio.model_store.jobs import DOWNLOAD_EVENT, DOWNLOADS
from model_state import failed_state, kept, linked, partials, state

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MB = 1_000_000
WAIT_S = 20


def in_subprocess(f: ModelFile, comfyui: Path, **options) -> subprocess.Popen:
    args = {"file": dataclasses.asdict(f), "comfyui": str(comfyui), **options}
    return subprocess.Popen([sys.executable, str(HERE / "model_subprocess.py"), str(ROOT), json.dumps(args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def one_stream(monkeypatch):
    """One connection per file: for what is about the order of bytes in one stream."""
    monkeypatch.setenv("LTX23_AIO_CONNECTIONS", "1")


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {WAIT_S} s waiting for {what}")
        time.sleep(0.02)


def test_download_lands_in_the_hf_cache_and_is_linked(comfy, comfyui, hf_env, hub_file):
    f = hub_file(path="sub/dir/model.safetensors")
    path = ensure_files({"checkpoint": f}, comfy=comfy)["checkpoint"]
    assert path == str(comfyui / "models" / "checkpoints" / "model.safetensors")
    cached = try_to_load_from_cache(f.repo, f.repo_path, cache_dir=hf_env.cache_dir)
    assert os.readlink(path) == cached
    report = scan_cache_dir(hf_env.cache_dir)
    assert not report.warnings and [r.repo_id for r in report.repos] == [f.repo]


def test_download_reports_progress_up_to_the_total(comfy, hf_env, hub_file, fake_hub, one_stream):
    f = hub_file(12 * MB, faults=[("hold", 4 * MB)])
    seen = []

    def progress(done, total):
        seen.append((done, total))
        if done >= 4 * MB:
            fake_hub.release()
    ensure_files({"checkpoint": f}, comfy=comfy, progress=progress)
    assert seen[-1] == (f.size, f.size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert any(0 < d < f.size for d, _ in seen)


def test_download_sends_events_and_console_lines(comfy, hf_env, hub_file, caplog):
    f = hub_file(10 * MB, link_rate=20 * MB)  # half a second: several progress reports
    events = []
    stop = DOWNLOADS.listen(lambda name, data: events.append((name, dict(data))))
    try:
        with caplog.at_level(logging.INFO, logger="ltx23_aio"):
            ensure_files({"checkpoint": f}, comfy=comfy)
    finally:
        stop()
    assert {name for name, _ in events} == {DOWNLOAD_EVENT}
    assert events[0][1]["state"] == "downloading" and events[-1][1] == {
        "file": f.name, "folder": f.folder, "repo": f.repo, "done": f.size, "total": f.size, "state": "done"}
    lines = [r.getMessage() for r in caplog.records]
    assert any(re.search(r"downloading model.safetensors: [1-9]0% \(", line) for line in lines)
    assert any("model.safetensors ready" in line for line in lines)


def test_download_fetches_ranges_over_several_connections(comfy, comfyui, hf_env, hub_file, fake_hub):
    f = hub_file(24 * MB, rate=20 * MB)  # per connection, as a CDN caps each stream
    hub = dataclasses.replace(hf_env, connections=4, min_piece=MB)
    started = time.monotonic()
    path = ensure_files({"checkpoint": f}, comfy=comfy, hub=hub)["checkpoint"]
    elapsed = time.monotonic() - started
    requests = fake_hub.body_requests()
    assert Path(path).read_bytes() == payload(f.size)
    assert len({r.range for r in requests}) == len(requests) >= 4
    assert all(re.fullmatch(r"bytes=\d+-\d+", r.range) for r in requests)
    assert fake_hub.bytes_sent() == f.size  # no byte twice
    assert elapsed < 24 / 20 * 0.6, elapsed  # one stream needs 1.2 s
    assert state(f, hub.cache_dir, comfyui)["kept"] == 0 and partials(f, hub.cache_dir) == []


def test_download_resumes_within_a_run_after_a_cut(comfy, hf_env, hub_file, fake_hub):
    f = hub_file(20 * MB, faults=[("cut", 8 * MB)])
    ensure_files({"checkpoint": f}, comfy=comfy, hub=dataclasses.replace(hf_env, connections=1))
    first, second = fake_hub.body_requests()
    assert first.sent == 8 * MB
    assert second.range == f"bytes={8 * MB}-{f.size - 1}"
    assert fake_hub.bytes_sent() <= f.size * 1.01


def test_download_with_several_connections_refetches_only_the_cut_range(comfy, hf_env, hub_file, fake_hub):
    f = hub_file(16 * MB, faults=[("cut", MB)])
    ensure_files({"checkpoint": f}, comfy=comfy, hub=dataclasses.replace(hf_env, connections=4, min_piece=MB))
    assert fake_hub.body_requests()[0].sent == MB
    assert fake_hub.bytes_sent() <= f.size * 1.01


def test_download_keeps_the_partial_file_when_the_connection_stays_down(comfy, comfyui, hf_env, hub_file):
    f = hub_file(10 * MB, faults=[("cut", 3 * MB), ("drop",), ("drop",), ("drop",)])
    with pytest.raises(ModelFileError) as e:
        ensure_files({"checkpoint": f}, comfy=comfy, hub=dataclasses.replace(hf_env, connections=1))
    assert e.value.kind == "connection_lost"
    assert str(e.value) == (
        "The download of model.safetensors stopped after 3.0 MB of 10.0 MB: the connection to 127.0.0.1 "
        "failed (RemoteDisconnected: Remote end closed connection without response), on each of 3 tries "
        "in a row. The 3.0 MB already fetched are kept in the Hugging Face cache: check the connection "
        "and run again to resume from there.")
    assert state(f, hf_env.cache_dir, comfyui) == failed_state(3 * MB)


def test_download_resumes_in_a_later_run_after_the_process_died(comfy, comfyui, hf_env, hub_file, fake_hub):
    f = hub_file(20 * MB, faults=[("hold", 7 * MB)], rate=40 * MB)
    child = in_subprocess(f, comfyui, connections=1)
    try:
        wait_until(lambda: kept(f, hf_env.cache_dir) == 7 * MB, "the child to record 7 MB")
    finally:
        child.kill()
        child.communicate(timeout=WAIT_S)
    fake_hub.requests.clear()
    path = ensure_files({"checkpoint": f}, comfy=comfy, hub=hf_env)["checkpoint"]
    assert min(int(r.range[6:].split("-")[0]) for r in fake_hub.body_requests()) == 7 * MB
    assert fake_hub.bytes_sent() <= (f.size - 7 * MB) + f.size * 0.01
    assert Path(path).read_bytes() == payload(f.size)


def test_download_after_a_kill_with_several_connections_refetches_at_most_1_percent(comfy, comfyui, hf_env,
                                                                                     hub_file, fake_hub):
    f = hub_file(32 * MB, faults=[("hold", 2 * MB)], rate=50 * MB)
    child = in_subprocess(f, comfyui, connections=4, min_piece=MB)
    try:  # the first range holds; the others complete
        wait_until(lambda: kept(f, hf_env.cache_dir) >= f.size - 6 * MB, "the other ranges")
        time.sleep(0.5)  # the record is saved every 0.2 s
    finally:
        child.kill()
        child.communicate(timeout=WAIT_S)
    on_disk = kept(f, hf_env.cache_dir)
    fake_hub.requests.clear()
    path = ensure_files({"checkpoint": f}, comfy=comfy, hub=hf_env)["checkpoint"]
    assert fake_hub.bytes_sent() <= (f.size - on_disk) + f.size * 0.01
    assert Path(path).read_bytes() == payload(f.size)


def test_download_takes_over_a_contiguous_incomplete_file(comfy, hf_env, hub_file, fake_hub, one_stream):
    f = hub_file(12 * MB)  # e.g. left by huggingface_hub, or this pack before ranged downloads
    etag = hashlib.sha256(payload(f.size)).hexdigest()
    legacy = legacy_partial_path(hf_env.cache_dir, f.repo, etag)
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(payload(f.size)[:5 * MB])
    path = ensure_files({"checkpoint": f}, comfy=comfy, hub=dataclasses.replace(hf_env, connections=1))["checkpoint"]
    assert fake_hub.bytes_sent() == f.size - 5 * MB and not legacy.exists()
    assert Path(path).read_bytes() == payload(f.size)


def test_download_not_found_says_what_is_missing(comfy, comfyui, hf_env, hub_file):
    f = dataclasses.replace(hub_file(), path="renamed.safetensors")
    with pytest.raises(ModelFileError) as e:
        ensure_files({"checkpoint": f}, comfy=comfy)
    assert e.value.kind == "not_found"
    assert "HTTP 404" in str(e.value) and f"{f.repo}/renamed.safetensors" in str(e.value)
    assert linked(comfyui) == [] and not repo_dir(hf_env.cache_dir, f.repo).exists()


def test_download_unauthorized_says_how_to_log_in(comfy, comfyui, hf_env, hub_file):
    f = hub_file(status=401)
    with pytest.raises(ModelFileError) as e:
        ensure_files({"checkpoint": f}, comfy=comfy)
    assert e.value.kind == "access_denied"
    assert "HTTP 401" in str(e.value) and "gated or private" in str(e.value)
    assert "hf auth login" in str(e.value) and "HF_TOKEN" in str(e.value)
    assert linked(comfyui) == []


def test_download_forbidden_says_the_repo_is_gated(comfy, comfyui, hf_env, hub_file):
    f = hub_file(status=403)
    with pytest.raises(ModelFileError) as e:
        ensure_files({"checkpoint": f}, comfy=comfy)
    assert e.value.kind == "access_denied"
    assert "HTTP 403" in str(e.value) and "accept its terms" in str(e.value)
    assert linked(comfyui) == []


def test_download_with_a_wrong_sha256_is_quarantined_not_linked(comfy, comfyui, hf_env, hub_file):
    f = hub_file(3 * MB, sha256="0" * 64)
    for _ in range(2):  # a second failure replaces the first copy: they must not pile up
        with pytest.raises(ModelFileError) as e:
            ensure_files({"checkpoint": f}, comfy=comfy)
        (moved,) = (repo_dir(hf_env.cache_dir, f.repo) / QUARANTINE_DIR).iterdir()
        time.sleep(1.01)  # another name for the second copy
    assert e.value.kind == "verification"
    real = hashlib.sha256(payload(f.size)).hexdigest()
    assert str(e.value) == (
        f"model.safetensors failed verification: its sha256 is {real}, expected {'0' * 64} (the hub's LFS "
        f"ETag). It was not used: the download was moved aside to {moved} (replacing an earlier failed copy, "
        "if any). Run again to download it afresh; if it fails again, the hub or a proxy serves a corrupt "
        "copy: delete that folder and report it.")
    assert moved.stat().st_size == f.size
    assert state(f, hf_env.cache_dir, comfyui) == {**failed_state(), "quarantined": ["model.safetensors.sha256-mismatch"]}


def test_download_of_a_changed_exact_size_is_refused_before_downloading(comfy, hf_env, hub_file, fake_hub):
    f = dataclasses.replace(hub_file(exact=True), size=123)
    with pytest.raises(ModelFileError) as e:
        ensure_files({"checkpoint": f}, comfy=comfy)
    assert e.value.kind == "changed" and "123 bytes" in str(e.value)
    assert fake_hub.body_requests() == []


def test_download_checks_free_space_before_starting(comfy, comfyui, hf_env, hub_file, fake_hub):
    f = hub_file(linked_size=10**18)  # the hub says 1 EB: no disk here has that free
    with pytest.raises(ModelFileError) as e:
        ensure_files({"checkpoint": f}, comfy=comfy)
    assert e.value.kind == "disk_space"
    assert "needs 1000000000.0 GB" in str(e.value) and f"free at {hf_env.cache_dir}" in str(e.value)
    assert fake_hub.body_requests() == [] and linked(comfyui) == []


def test_download_that_fills_the_disk_keeps_its_bytes_and_resumes(comfy, comfyui, hf_env, hub_file, fake_hub, one_stream):
    f = hub_file(12 * MB)
    child = in_subprocess(f, comfyui, file_size_limit=5 * MB, connections=1)
    out, err = child.communicate(timeout=WAIT_S)
    result = json.loads(out)
    assert result["kind"] == "disk_full", err
    assert "run again to resume" in result["message"] and "free at" in result["message"]
    assert state(f, hf_env.cache_dir, comfyui) == failed_state(5 * MB)
    fake_hub.requests.clear()
    ensure_files({"checkpoint": f}, comfy=comfy)
    (again,) = fake_hub.body_requests()
    assert again.range == f"bytes={5 * MB}-{f.size - 1}" and fake_hub.bytes_sent() == f.size - 5 * MB


def test_two_threads_share_one_download(comfy, hf_env, hub_file, fake_hub, one_stream):
    f = hub_file(8 * MB, faults=[("hold", 2 * MB)])
    results, errors, second_waits = [], [], threading.Event()

    def run(progress=None):
        try:
            results.append(ensure_files({"checkpoint": f}, comfy=comfy, progress=progress))
        except Exception as e:  # reported below
            errors.append(e)
    first = threading.Thread(target=run)
    first.start()
    wait_until(lambda: DOWNLOADS.running(f) is not None and DOWNLOADS.running(f).done >= 2 * MB, "the hold")
    second = threading.Thread(target=run, args=(lambda done, total: second_waits.set(),))
    second.start()
    assert second_waits.wait(WAIT_S)
    fake_hub.release()
    for t in (first, second):
        t.join(WAIT_S)
    assert not errors and len(results) == 2 and results[0] == results[1]
    assert len(fake_hub.body_requests()) == 1
    assert len(fake_hub.requests) == 2  # the second caller joined: not even a metadata request of its own


def test_two_coroutines_share_one_download(comfy, hf_env, hub_file, fake_hub, one_stream):
    f = hub_file(8 * MB, faults=[("hold", 2 * MB)])
    second_waits = threading.Event()

    async def both():
        first = asyncio.create_task(ensure_files_async({"checkpoint": f}, comfy=comfy))
        while DOWNLOADS.running(f) is None or DOWNLOADS.running(f).done < 2 * MB:
            await asyncio.sleep(0.02)
        second = asyncio.create_task(ensure_files_async({"checkpoint": f}, comfy=comfy,
                                                        progress=lambda done, total: second_waits.set()))
        while not second_waits.is_set():
            await asyncio.sleep(0.02)
        fake_hub.release()
        return await asyncio.gather(first, second)
    a, b = asyncio.run(asyncio.wait_for(both(), WAIT_S))
    assert a == b
    assert len(fake_hub.body_requests()) == 1 and len(fake_hub.requests) == 2


def test_offline_lists_missing_files_without_a_request(comfy, hf_env, hub_file, fake_hub, monkeypatch):
    files = {"checkpoint": hub_file(name="a.safetensors"), "lora": hub_file(name="b.safetensors", folder="loras")}
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelFileError) as e:
        ensure_files(files, comfy=comfy, mode="t2v", model_set="fp8")
    message = str(e.value)
    assert e.value.kind == "offline" and "2 model file(s) are missing" in message
    for f in files.values():
        assert f"{f.name} (≈2.0 MB) → ComfyUI/models/{f.folder}/" in message
        assert f"{hf_env.endpoint}/{f.repo}/resolve/main/{f.name}" in message
    assert "unset HF_HUB_OFFLINE" in message and "models download --mode t2v --set fp8" in message
    assert fake_hub.requests == []


def test_download_off_lists_missing_files_without_a_request(comfy, hf_env, hub_file, fake_hub):
    f = hub_file()
    with pytest.raises(ModelFileError) as e:
        ensure_files({"checkpoint": f}, comfy=comfy, allow_download=False)
    assert e.value.kind == "download_off" and f.name in str(e.value) and "ComfyUI/models/checkpoints/" in str(e.value)
    assert fake_hub.requests == []


def test_a_file_without_a_repo_says_where_to_put_it(comfy, hf_env):
    f = ModelFile("mine.safetensors", "checkpoints")
    with pytest.raises(ModelFileError) as e:
        ensure_files({"checkpoint": f}, comfy=comfy)
    assert e.value.kind == "no_source" and "ComfyUI/models/checkpoints/" in str(e.value)


def test_token_never_appears_in_logs_errors_or_files(comfy, comfyui, hf_env, hub_file, fake_hub, caplog, tmp_path):
    good = hub_file(4 * MB, name="good.safetensors", faults=[("cut", MB)])
    denied = hub_file(name="denied.safetensors", status=401)
    down = hub_file(4 * MB, name="down.safetensors", faults=[("cut", MB), ("drop",), ("drop",), ("drop",)])
    messages = []
    hub = dataclasses.replace(hf_env, connections=1)  # so that the scripted faults hit the one stream
    with caplog.at_level(logging.DEBUG):
        ensure_files({"m": good}, comfy=comfy, hub=hub)
        for f in (denied, down):
            with pytest.raises(ModelFileError) as e:
                ensure_files({"m": f}, comfy=comfy, hub=hub)
            messages.append(str(e.value) + repr(e.value))
    assert any(r.authorization == f"Bearer {TOKEN}" for r in fake_hub.requests if r.origin == "hub")
    assert all(r.authorization is None for r in fake_hub.requests if r.origin == "cdn")
    assert TOKEN not in caplog.text and caplog.text
    assert not any(TOKEN in m for m in messages)
    for path in tmp_path.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_the_files_of_a_set_download_at_the_same_time(comfy, comfyui, hf_env, hub_file, fake_hub):
    files = {"checkpoint": hub_file(4 * MB, name="a.safetensors", rate=8 * MB),
             "lora": hub_file(4 * MB, name="b.safetensors", folder="loras", rate=8 * MB)}
    hub = dataclasses.replace(hf_env, connections=1)  # each file alone takes 0.5 s
    started = time.monotonic()
    paths = ensure_files(files, comfy=comfy, hub=hub)
    assert time.monotonic() - started < 0.85  # one after the other: 1 s
    assert sorted(state(files["checkpoint"], hub.cache_dir, comfyui)["models"]) == [
        "checkpoints/a.safetensors", "loras/b.safetensors"]
    assert all(Path(p).read_bytes() == payload(4 * MB) for p in paths.values())


def test_download_without_pread_and_pwrite_as_on_windows(comfy, hf_env, hub_file, monkeypatch):
    monkeypatch.delattr(os, "pwrite")
    monkeypatch.delattr(os, "pread")
    f = hub_file(16 * MB, faults=[("cut", MB)])
    path = ensure_files({"checkpoint": f}, comfy=comfy, hub=dataclasses.replace(hf_env, connections=4, min_piece=MB))
    assert Path(path["checkpoint"]).read_bytes() == payload(f.size)


class PipeProxy:
    """A forward HTTP proxy on loopback that pipes each connection to the host of its first
    request (absolute-form targets pass through: HTTP/1.1 servers accept them)."""

    def __init__(self):
        import socket
        self.targets = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        from urllib.parse import urlsplit
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            head = b""
            while b"\r\n\r\n" not in head:
                head += client.recv(65536)
            target = urlsplit(head.split(b" ")[1].decode())
            self.targets.append(target.netloc)
            upstream = socket.create_connection((target.hostname, target.port))
            upstream.sendall(head)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(1 << 20):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(2)
            except OSError:
                pass

    def close(self):
        self._server.close()


def test_download_goes_through_the_proxy_from_the_environment(comfy, hf_env, hub_file, fake_hub, monkeypatch):
    proxy = PipeProxy()
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY")
    try:
        f = hub_file(6 * MB)
        path = ensure_files({"checkpoint": f}, comfy=comfy, hub=dataclasses.replace(hf_env, connections=2, min_piece=MB))
    finally:
        proxy.close()
    assert Path(path["checkpoint"]).read_bytes() == payload(f.size)
    assert fake_hub.cdn_url.split("//")[1] in proxy.targets
