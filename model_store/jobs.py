"""Downloads in progress in this process: one per file, shared by everyone who asks for it.

The node layer (a worker thread), the HTTP routes (the event loop) and the command line all start
downloads here; a second request for a file joins the download already running. Each download
runs in its own thread and reports to listeners — the websocket event ``ltx23_aio.download`` and
a console line every 10 % — and to whoever waits on it.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Callable

from ..model_manifest import ModelFile, human_bytes
from .errors import ModelFileError
from .hub import Hub
from .remote import RemoteFile

log = logging.getLogger("ltx23_aio.models")

DOWNLOAD_EVENT = "ltx23_aio.download"
EVENT_INTERVAL_S = 0.25
LOG_STEP = 0.10  # a console line per 10 % of a file
Listener = Callable[[str, dict], None]


def file_key(f: ModelFile) -> tuple[str, str]:
    return f.repo or "", f.repo_path


@dataclass
class Job:
    file: ModelFile
    future: Future = field(default_factory=Future)  # the file's path in the cache
    done: int = 0
    total: int | None = None
    state: str = "downloading"  # then "done", "error" or "cancelled"
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    cancel: threading.Event = field(default_factory=threading.Event)

    def payload(self) -> dict:
        data = {"file": self.file.name, "folder": self.file.folder, "repo": self.file.repo,
                "done": self.done, "total": self.total, "state": self.state}
        if self.error is not None:
            data["error"] = self.error
        return data


class Downloads:
    def __init__(self):
        self._lock = threading.Lock()
        self._running: dict[tuple[str, str], Job] = {}
        self._last: dict[tuple[str, str], dict] = {}  # the final event of each finished download
        self._listeners: list[Listener] = []

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(DOWNLOAD_EVENT, payload)`` on every event; returns the way to stop."""
        with self._lock:
            self._listeners.append(listener)

        def stop() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return stop

    def running(self, f: ModelFile) -> Job | None:
        with self._lock:
            return self._running.get(file_key(f))

    def last(self, f: ModelFile) -> dict | None:
        """How the latest finished download of ``f`` ended."""
        with self._lock:
            return self._last.get(file_key(f))

    def snapshot(self) -> list[dict]:
        """The running downloads and how the finished ones ended."""
        with self._lock:
            finished = {k: v for k, v in self._last.items() if k not in self._running}
            return [j.payload() for j in self._running.values()] + list(finished.values())

    def start(self, f: ModelFile, hub: Hub, remote: RemoteFile | None = None) -> Job:
        """The running download of ``f``, or a new one."""
        key = file_key(f)
        with self._lock:
            job = self._running.get(key)
            if job is not None:
                return job
            job = self._running[key] = Job(f, total=remote.size if remote else f.size)
        threading.Thread(target=self._run, args=(job, hub, remote), daemon=True,
                         name=f"ltx23_aio download {f.name}").start()
        return job

    def cancel(self, name: str | None = None) -> list[str]:
        """Stop the running downloads of the file called ``name`` (every one when None); each ends
        with the state "cancelled" and keeps its bytes for a later resume. Returns their names."""
        with self._lock:
            jobs = [j for j in self._running.values() if name is None or j.file.name == name]
        for job in jobs:
            job.cancel.set()
        return sorted({j.file.name for j in jobs})

    def report_error(self, f: ModelFile, message: str) -> None:
        """An error about ``f`` found after its download (linking it): tell the listeners too."""
        job = Job(f, state="error", error=message)
        with self._lock:
            self._last[file_key(f)] = job.payload()
        self.emit(job)

    def emit(self, job: Job) -> None:
        """Tell the listeners where ``job`` stands."""
        with self._lock:
            listeners = list(self._listeners)
        payload = job.payload()
        for listener in listeners:
            try:
                listener(DOWNLOAD_EVENT, payload)
            except Exception:  # a broken listener must not break the download
                log.exception("LTX2.3 AIO: download event listener failed")

    def _run(self, job: Job, hub: Hub, remote: RemoteFile | None) -> None:
        f = job.file
        log.info("LTX2.3 AIO: downloading %s (%s) from %s into %s", f.name,
                 human_bytes(job.total) if job.total else "size unknown", f.repo, hub.cache_dir)
        self.emit(job)
        try:
            from .download import fetch_into_cache  # with the first download, not at ComfyUI's startup
            fetched = fetch_into_cache(f, hub, remote, _Reporter(self, job), job.cancel)
        except Exception as e:
            if not isinstance(e, ModelFileError):
                log.exception("LTX2.3 AIO: downloading %s failed", f.name)
                e = ModelFileError(f"Downloading {f.name} failed: {type(e).__name__}: {e}", "unexpected", [f])
            job.state, job.error = ("cancelled" if e.kind == "cancelled" else "error"), str(e)
            # Callers that wait on the job (the prefetch command, a node) show the message themselves.
            log.log(logging.INFO if e.kind == "cancelled" else logging.ERROR, "LTX2.3 AIO: %s", e,
                    extra={"ltx23_aio_job_error": True})
            self._finish(job)
            job.future.set_exception(e)
            return
        seconds = max(time.monotonic() - job.started, 1e-6)
        job.state = "done"
        job.total = job.total if job.total is not None else job.done
        job.done = job.total
        if fetched.received:
            log.info("LTX2.3 AIO: %s ready (%s fetched in %.0f s, %.0f MB/s): %s", f.name,
                     human_bytes(fetched.received), seconds, fetched.received / seconds / 1e6, fetched.path)
        else:
            log.info("LTX2.3 AIO: %s ready (already in the Hugging Face cache, fetched by another process): %s",
                     f.name, fetched.path)
        self._finish(job)
        job.future.set_result(fetched.path)

    def _finish(self, job: Job) -> None:
        with self._lock:
            self._running.pop(file_key(job.file), None)
            self._last[file_key(job.file)] = job.payload()
        self.emit(job)


class _Reporter:
    """A download's progress: the job's counters, an event every 0.25 s, a console line per 10 %."""

    def __init__(self, downloads: Downloads, job: Job):
        self._downloads, self._job = downloads, job
        self._last_event = 0.0
        self._logged_step: int | None = None  # the first report only says where we start (a resume: 60 %)

    def __call__(self, done: int, total: int | None) -> None:
        job = self._job
        job.done, job.total = done, total
        now = time.monotonic()
        if now - self._last_event >= EVENT_INTERVAL_S:
            self._last_event = now
            self._downloads.emit(job)
        if not total:
            return
        step = int(done / total / LOG_STEP)
        if self._logged_step is not None and step > self._logged_step:
            log.info("LTX2.3 AIO: downloading %s: %d%% (%s of %s)", job.file.name, round(step * LOG_STEP * 100),
                     human_bytes(done), human_bytes(total))
        if self._logged_step is None or step > self._logged_step:
            self._logged_step = step


DOWNLOADS = Downloads()
