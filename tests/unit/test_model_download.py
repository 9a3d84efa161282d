"""Downloads through a real HTTP server on loopback that speaks the hub's protocol, with faults."""
import asyncio
import dataclasses
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
from ltx23_aio.model_store.cache import QUARANTINE_DIR, partial_path, repo_dir
from ltx23_aio.model_store.ensure import ensure_files, ensure_files_async
from ltx23_aio.model_store.errors import ModelFileError
from ltx23_aio.model_store.jobs import DOWNLOAD_EVENT, DOWNLOADS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MB = 1_000_000
WAIT_S = 20


def linked(comfyui: Path) -> list[Path]:
    return [p for p in (comfyui / "models").rglob("*") if p.is_symlink() or p.is_file()]


def partial_of(f: ModelFile, hub) -> Path:
    blobs = repo_dir(hub.cache_dir, f.repo) / "blobs"
    found = list(blobs.glob("*.incomplete")) if blobs.exists() else []
    assert len(found) <= 1
    return found[0] if found else partial_path(hub.cache_dir, f.repo, "none")


def in_subprocess(f: ModelFile, comfyui: Path, **options) -> subprocess.Popen:
    args = {"file": dataclasses.asdict(f), "comfyui": str(comfyui), **options}
    return subprocess.Popen([sys.executable, str(HERE / "model_subprocess.py"), str(ROOT), json.dumps(args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


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


def test_download_reports_progress_up_to_the_total(comfy, hf_env, hub_file, fake_hub):
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
    f = hub_file(10 * MB)
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


def test_download_resumes_within_a_run_after_a_cut(comfy, hf_env, hub_file, fake_hub):
    f = hub_file(20 * MB, faults=[("cut", 8 * MB)])
    ensure_files({"checkpoint": f}, comfy=comfy, hub=hf_env)
    first, second = fake_hub.body_requests()
    assert first.sent == 8 * MB
    assert second.range == f"bytes={8 * MB}-"
    assert fake_hub.bytes_sent() <= f.size * 1.01


def test_download_keeps_the_partial_file_when_the_connection_stays_down(comfy, comfyui, hf_env, hub_file):
    f = hub_file(10 * MB, faults=[("cut", 3 * MB), ("drop",), ("drop",), ("drop",)])
    with pytest.raises(ModelFileError) as e:
        ensure_files({"checkpoint": f}, comfy=comfy, hub=hf_env)
    assert e.value.kind == "connection_lost"
    assert "run again to resume" in str(e.value) and "3.0 MB of 10.0 MB" in str(e.value)
    assert partial_of(f, hf_env).stat().st_size == 3 * MB
    assert try_to_load_from_cache(f.repo, f.repo_path, cache_dir=hf_env.cache_dir) is None
    assert linked(comfyui) == []


def test_download_resumes_in_a_later_run_after_the_process_died(comfy, comfyui, hf_env, hub_file, fake_hub):
    f = hub_file(20 * MB, faults=[("hold", 7 * MB)])
    child = in_subprocess(f, comfyui)
    try:
        wait_until(lambda: partial_of(f, hf_env).exists() and partial_of(f, hf_env).stat().st_size == 7 * MB,
                   "the child to write 7 MB")
    finally:
        child.kill()
        child.communicate(timeout=WAIT_S)
    fake_hub.requests.clear()
    path = ensure_files({"checkpoint": f}, comfy=comfy, hub=hf_env)["checkpoint"]
    (again,) = fake_hub.body_requests()
    assert again.range == f"bytes={7 * MB}-"
    assert again.sent <= (f.size - 7 * MB) + f.size * 0.01
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
    with pytest.raises(ModelFileError) as e:
        ensure_files({"checkpoint": f}, comfy=comfy)
    assert e.value.kind == "verification" and "sha256" in str(e.value)
    (moved,) = (repo_dir(hf_env.cache_dir, f.repo) / QUARANTINE_DIR).iterdir()
    assert moved.name.startswith("model.safetensors.sha256-mismatch.") and str(moved) in str(e.value)
    assert moved.stat().st_size == f.size
    assert try_to_load_from_cache(f.repo, f.repo_path, cache_dir=hf_env.cache_dir) is None
    assert linked(comfyui) == []


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


def test_download_that_fills_the_disk_keeps_its_bytes_and_resumes(comfy, comfyui, hf_env, hub_file, fake_hub):
    f = hub_file(12 * MB)
    child = in_subprocess(f, comfyui, file_size_limit=5 * MB)
    out, err = child.communicate(timeout=WAIT_S)
    result = json.loads(out)
    assert result["kind"] == "disk_full", err
    assert "run again to resume" in result["message"] and "free at" in result["message"]
    assert partial_of(f, hf_env).stat().st_size == 5 * MB
    assert linked(comfyui) == []
    fake_hub.requests.clear()
    ensure_files({"checkpoint": f}, comfy=comfy)
    (again,) = fake_hub.body_requests()
    assert again.range == f"bytes={5 * MB}-"


def test_two_threads_share_one_download(comfy, hf_env, hub_file, fake_hub):
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


def test_two_coroutines_share_one_download(comfy, hf_env, hub_file, fake_hub):
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
    with caplog.at_level(logging.DEBUG):
        ensure_files({"m": good}, comfy=comfy, hub=hf_env)
        for f in (denied, down):
            with pytest.raises(ModelFileError) as e:
                ensure_files({"m": f}, comfy=comfy, hub=hf_env)
            messages.append(str(e.value) + repr(e.value))
    assert any(r.authorization == f"Bearer {TOKEN}" for r in fake_hub.requests if r.origin == "hub")
    assert all(r.authorization is None for r in fake_hub.requests if r.origin == "cdn")
    assert TOKEN not in caplog.text and caplog.text
    assert not any(TOKEN in m for m in messages)
    for path in tmp_path.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert TOKEN.encode() not in path.read_bytes(), path
