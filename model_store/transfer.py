"""Fetch a file's bytes into its partial file in the cache, resuming where an earlier try stopped.

huggingface_hub 2.x downloads into a temporary file unique to the call and deletes it on any
failure, so a connection dropped after 20 of 29 GB would start over. Here the partial file
(``blobs/<etag>.incomplete``) is kept and the rest is asked for with a Range request: within a run
(a few retries) and across runs. The sha256 is computed while the bytes arrive, in a second thread,
so verifying a 30 GB file costs no second pass over it.

The metadata request goes through huggingface_hub (remote.py); this is a plain HTTP GET of the
location it returned, with the hub's headers. The token goes only to the hub's own origin, also
across redirects.
"""
from __future__ import annotations

import hashlib
import http.client
import queue
import ssl
import threading
import time
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from huggingface_hub.utils import build_hf_headers

from .errors import ModelFileError
from .remote import RemoteFile

CHUNK = 4 << 20
READ_TIMEOUT_S = 30
HASH_QUEUE = 4  # chunks waiting to be hashed: bounds the memory a slow hash can hold
RETRY_STATUS = {408, 429, 500, 502, 503, 504}
Progress = Callable[[int, "int | None"], None]


class ConnectionLost(Exception):
    def __init__(self, done: int, cause: BaseException):
        super().__init__(str(cause))
        self.done = done
        self.cause = cause


class WriteFailed(Exception):
    """Writing to the partial file failed (disk full, file size limit)."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


class Refused(Exception):
    """The file's location answered with a status that no retry will change."""

    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


class _Retry(Exception):
    def __init__(self, cause: BaseException):
        super().__init__(str(cause))
        self.cause = cause


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


class _KeepTokenOnOrigin(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(newurl) != _origin(req.full_url):
            new.remove_header("Authorization")
        return new


def _ssl_context() -> ssl.SSLContext:
    try:
        import certifi  # what huggingface_hub's HTTP client trusts; Python's own store may be empty (macOS)
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


@lru_cache(maxsize=1)
def _opener() -> urllib.request.OpenerDirector:
    # Built on first use: loading the CA store costs ~30 ms, too much for ComfyUI's startup.
    return urllib.request.build_opener(_KeepTokenOnOrigin, urllib.request.HTTPSHandler(context=_ssl_context()))


class _Hasher:
    def __init__(self):
        self._sha = hashlib.sha256()
        self._queue: queue.Queue[bytes | None] = queue.Queue(HASH_QUEUE)
        self._thread = threading.Thread(target=self._run, name="ltx23_aio sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            self._sha.update(data)  # hashlib releases the GIL on large buffers: this overlaps the download

    def update(self, data: bytes) -> None:
        self._queue.put(data)

    def hexdigest(self) -> str:
        self._queue.put(None)
        self._thread.join()
        return self._sha.hexdigest()


class _Sink:
    """The partial file, its size and its running sha256."""

    def __init__(self, path: Path, hashing: bool):
        self._file = open(path, "ab")
        self.size = self._file.tell()
        self._hashing = hashing
        self._hasher = self._new_hasher()

    def _new_hasher(self) -> _Hasher | None:
        if not self._hashing:
            return None
        hasher = _Hasher()
        if self.size:
            with open(self._file.name, "rb") as kept:
                while data := kept.read(CHUNK):
                    hasher.update(data)
        return hasher

    def write(self, data: bytes) -> None:
        try:
            self._file.write(data)
        except OSError as e:
            raise WriteFailed(e) from e
        self.size += len(data)
        if self._hasher:
            self._hasher.update(data)

    def restart(self) -> None:
        self._stop_hashing()
        self._file.truncate(0)
        self.size = 0
        self._hasher = self._new_hasher()

    def _stop_hashing(self) -> str | None:
        hasher, self._hasher = self._hasher, None
        return hasher.hexdigest() if hasher else None

    def finish(self) -> str | None:
        """The sha256 of the complete file (None when not hashing)."""
        self._file.flush()
        return self._stop_hashing()

    def close(self) -> None:
        try:
            self._file.close()
        except OSError:
            pass  # the write that failed already said why
        self._stop_hashing()


def _content_range_start(value: str | None) -> int | None:
    try:
        return int(value.split()[1].split("-")[0])
    except (AttributeError, IndexError, ValueError):
        return None


def _get_rest(remote: RemoteFile, sink: _Sink, progress: Progress) -> None:
    headers = build_hf_headers(library_name="ltx23-aio")
    if not remote.same_origin:
        headers.pop("authorization", None)
    if sink.size:
        headers["Range"] = f"bytes={sink.size}-"
    try:
        response = _opener().open(urllib.request.Request(remote.location, headers=headers), timeout=READ_TIMEOUT_S)
    except urllib.error.HTTPError as e:
        e.close()
        if e.code == 416 and remote.size is not None and sink.size == remote.size:
            return  # the partial file was already complete
        if e.code == 416:
            sink.restart()
        if e.code == 416 or e.code in RETRY_STATUS or e.code in (401, 403):
            raise _Retry(e) from e  # 401/403 here: the signed CDN address expired; a retry asks for a new one
        raise Refused(e.code) from e
    except (OSError, http.client.HTTPException) as e:
        raise _Retry(e) from e

    with response:
        if sink.size and response.status == 200:
            sink.restart()  # the server ignored the Range: it sends the whole file
        elif response.status == 206 and _content_range_start(response.headers.get("Content-Range")) != sink.size:
            sink.restart()
            raise _Retry(ValueError(f"the server resumed at the wrong place ({response.headers.get('Content-Range')})"))
        while True:
            try:
                data = response.read1(CHUNK)  # what has arrived: a stalled connection leaves no bytes unsaved
            except (OSError, http.client.HTTPException) as e:
                raise _Retry(e) from e
            if not data:
                break
            sink.write(data)
            progress(sink.size, remote.size)
        if response.length:  # http.client returns b"" (no error) when the connection closes early
            raise _Retry(ConnectionResetError(f"connection closed {response.length:,} bytes before the end"))
    if remote.size is not None and sink.size < remote.size:
        raise _Retry(ConnectionResetError(f"got {sink.size:,} of {remote.size:,} bytes"))


def fetch(remote: RemoteFile, refresh: Callable[[], RemoteFile], partial: Path, *,
          retry_waits: tuple[float, ...], progress: Progress) -> tuple[int, str | None]:
    """Complete ``partial`` from ``remote``; returns its size and sha256 (when one is expected).

    Retries after a dropped connection, asking the hub again for the file's location (signed CDN
    addresses expire); gives up after ``len(retry_waits)`` tries in a row that fetched nothing.
    """
    sink = _Sink(partial, hashing=remote.sha256 is not None)
    idle = 0
    try:
        progress(sink.size, remote.size)
        while True:
            before = sink.size
            try:
                _get_rest(remote, sink, progress)
                return sink.size, sink.finish()
            except _Retry as e:
                last = e.cause
            if sink.size > before:
                idle = 0
            if idle == len(retry_waits):
                raise ConnectionLost(sink.size, last)
            time.sleep(retry_waits[idle])
            idle += 1
            try:
                remote = refresh()
            except ModelFileError as e:
                if e.kind != "unreachable":
                    raise
    finally:
        sink.close()
