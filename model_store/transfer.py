"""Fetch a file's bytes into its partial file over several connections, resuming what is missing.

A CDN serves each connection at a capped rate (tens of MB/s), so one stream cannot fill a fast
link: like aria2c, the file is fetched as byte ranges over ``connections`` keep-alive connections.
Ranges are handed out lowest offset first and shrink towards the end (each takes a share of what
is left), and a connection with nothing left to take splits the largest range still in flight, so
all connections stay busy to the end and the file fills from its start — which lets the sha256
follow the download instead of reading the whole file again afterwards (follow_hash.py). A split
costs what the victim's server had already sent past the cut: ranges under ``2 * min_piece`` are
not split.

Every interruption keeps what was written (ranges.py records it), and every download ends:
    * never a byte written past the announced size, and at most ``REFETCHES`` times the file's
      size received beyond what was missing (a server that ignores ranges, restarts, loops);
    * a connection that fails waits and retries, a few times in a row at most;
    * what no retry changes (storage of another size, a body longer than announced, a 404)
      stops the download at once, with what happened.
The metadata request goes through huggingface_hub (remote.py); this is plain HTTP to the location
it returned. The token goes only to the hub's own origin.
"""
from __future__ import annotations

import http.client
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from huggingface_hub.utils import build_hf_headers

from . import ranges
from .errors import ModelFileError
from .follow_hash import FollowHash, write_at
from .http_client import Connection, origin
from .remote import RemoteFile

CHUNK = 1 << 20
# A connection slower than this for a whole read timeout is dropped, like a silent one: low enough
# that 8 connections on a slow line (8 kB/s in all) are not mistaken for a stall.
LOW_SPEED = 1_000  # bytes/s
PROGRESS = 64 << 10  # a try that fetched less than this counts as failed: retries stay bounded in time
REFETCHES = 2  # whole-file re-fetches a download may cost beyond what was missing
SAVE_EVERY_S = 0.2  # how stale the record of fetched ranges may get (what a kill -9 re-fetches)
TICK_S = 0.1
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
REFRESH_STATUS = {401, 403, 410}  # a signed CDN address expired: ask the hub for a new one
Progress = Callable[[int, "int | None"], None]


class Failed(Exception):
    """The download stopped; ``done`` bytes of it are kept on disk."""

    done = 0


class ConnectionLost(Failed):
    def __init__(self, cause: BaseException, status: int | None):
        super().__init__(str(cause))
        self.cause, self.status = cause, status


class WriteFailed(Failed):
    """Writing to the partial file failed (disk full, file size limit)."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


class StorageMissing(Failed):
    """The storage server answered 404 for a file the hub lists (with an unchanged ETag)."""


class StorageSize(Failed):
    """The storage serves another number of bytes than the hub announced."""

    def __init__(self, served: int | None, what: str):
        super().__init__(what)
        self.served, self.what = served, what


class OverBudget(Failed):
    def __init__(self, received: int):
        super().__init__(f"{received:,} bytes received")
        self.received = received


class Cancelled(Failed):
    pass


class SlowConnection(TimeoutError):
    def __init__(self, seconds: float):
        super().__init__(f"less than {LOW_SPEED / 1000:g} kB/s for {seconds:g} s")
        self.seconds = seconds


class ShortRange(ConnectionError):
    """A 206 that ends before the range asked for."""


class _Retry(Exception):
    def __init__(self, cause: BaseException | str, status: int | None = None):
        super().__init__(str(cause))
        self.cause = cause if isinstance(cause, BaseException) else ConnectionError(cause)
        self.status = status


class _Short(_Retry):
    """The server answered with fewer bytes than the range asked (a cap on range sizes): not a
    failure when it sent a fair amount; the rest is asked for at once."""


class _Refresh(_Retry):
    def __init__(self, cause: str, status: int, location: str):
        super().__init__(cause, status)
        self.location = location  # the address that was refused


@dataclass(eq=False)
class _Piece:
    start: int
    end: int
    cursor: int = -1
    reserved: int = -1  # cursor + the bytes being written now: a split never cuts below it

    def __post_init__(self):
        self.cursor = self.reserved = self.start


@dataclass(frozen=True)
class Settings:
    connections: int
    min_piece: int
    read_timeout: float
    retry_waits: tuple[float, ...]


def _content_range(value: str | None) -> tuple[int | None, int | None, int | None]:
    """(first byte, end: the last byte + 1, complete length) of a Content-Range header."""
    try:
        _, spec = value.split(None, 1)
        span, total = spec.split("/")
        first, last = (None, None) if span == "*" else (int(x) for x in span.split("-"))
        return first, (None if last is None else last + 1), (None if total == "*" else int(total))
    except (AttributeError, ValueError):
        return None, None, None


class _Download:
    def __init__(self, remote: RemoteFile, refresh: Callable[[], RemoteFile], partial: Path,
                 settings: Settings, cancel: threading.Event | None):
        self.remote, self._refresh_remote, self.partial, self.settings = remote, refresh, partial, settings
        self.size: int = remote.size
        self.cancel = cancel or threading.Event()
        self.lock = threading.Lock()
        self.done = ranges.load(partial, self.size)
        self.budget = self.size - self.done.total + REFETCHES * self.size
        self.received = 0
        self.fatal: BaseException | None = None
        self.last_failure: _Retry | None = None
        self.single = False  # the server ignores ranges: one stream of the whole file
        self._free = list(self.done.holes())
        self._active: set[_Piece] = set()
        self._connections: set[Connection] = set()
        self._stopped = threading.Event()
        self._refreshing = threading.Lock()
        self._worker_left = threading.Event()
        self.hasher: FollowHash | None = None
        headers = build_hf_headers(library_name="ltx23-aio")
        self._headers = headers if remote.same_origin else {k: v for k, v in headers.items()
                                                            if k.lower() != "authorization"}
        self._token_origin = origin(remote.url)
        self.fd = self.open()
        if os.fstat(self.fd).st_size > self.size:
            os.ftruncate(self.fd, self.size)

    def open(self) -> int:
        """A descriptor of the partial file: one per thread, as Windows has no pwrite."""
        return os.open(self.partial, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)

    # -- handing out ranges ----------------------------------------------------------------
    def take(self) -> _Piece | None:
        with self.lock:
            if self.fatal is not None:
                return None
            if self.single:
                if self._active or self.done.total >= self.size:
                    return None
                piece = _Piece(0, self.size)  # the one stream broke: it starts over (within the budget)
                self._active.add(piece)
                return piece
            if self._free:
                left = sum(end - start for start, end in self._free)
                share = max(self.settings.min_piece, left // (2 * self.settings.connections))
                start, end = self._free[0]
                if self.settings.connections == 1:
                    share = end - start
                cut = min(end, start + share)
                if end - cut < self.settings.min_piece:
                    cut = end  # no crumb left behind for a request of its own
                self._free[0:1] = [] if cut == end else [(cut, end)]
                piece = _Piece(start, cut)
            else:
                victim = max(self._active, key=lambda p: p.end - p.reserved, default=None)
                if victim is None or victim.end - victim.reserved < 2 * self.settings.min_piece:
                    return None
                middle = victim.reserved + (victim.end - victim.reserved) // 2
                piece, victim.end = _Piece(middle, victim.end), middle
            self._active.add(piece)
            return piece

    def give_back(self, piece: _Piece) -> None:
        with self.lock:
            self._active.discard(piece)
            if piece.cursor < piece.end and not self.single:
                self._free.append((piece.cursor, piece.end))
                self._free.sort()

    # -- writing -----------------------------------------------------------------------------
    def write(self, fd: int, piece: _Piece, data: bytes) -> bool:
        """Write what of ``data`` belongs to ``piece``; False once the piece is complete."""
        with self.lock:
            self.received += len(data)
            if self.received > self.budget:
                raise OverBudget(self.received)
            n = min(len(data), piece.end - piece.cursor)
            at = piece.cursor
            piece.reserved = at + n
        view = memoryview(data)[:n]
        try:
            while view:
                written = write_at(fd, view, at)
                view, at = view[written:], at + written
        except OSError as e:
            raise WriteFailed(e) from e
        finally:
            with self.lock:  # what was written, also when the disk filled up halfway
                self.done.add(piece.cursor, at)
                piece.cursor = piece.reserved = at
                prefix = self.done.prefix
            if self.hasher is not None:
                self.hasher.advance(prefix)  # at once: fed only every tick, the hash would trail the download
        return piece.cursor < piece.end

    # -- one connection ------------------------------------------------------------------------
    def worker(self) -> None:
        connection = Connection(self.settings.read_timeout, self._headers, self._token_origin)
        with self.lock:
            self._connections.add(connection)
        failures = 0
        fd = -1
        try:
            fd = self.open()
            while not self._stopped.is_set():
                piece = self.take()
                if piece is None:
                    return
                before = piece.cursor
                try:
                    self._fetch(connection, fd, piece)
                    with self.lock:
                        self._active.discard(piece)
                    failures = 0
                    continue
                except _Retry as e:
                    self.give_back(piece)
                    if isinstance(e, _Short) and piece.cursor - before >= PROGRESS:
                        failures = 0
                        continue  # the connection is clean: the next range goes over it at once
                    connection.close()
                    if piece.cursor - before >= PROGRESS:
                        failures = 0
                    with self.lock:
                        self.last_failure = e
                    if isinstance(e, _Refresh):
                        self._refresh(e)
                except (OSError, http.client.HTTPException) as e:
                    self.give_back(piece)
                    connection.close()
                    if self._stopped.is_set():
                        return
                    if piece.cursor - before >= PROGRESS:
                        failures = 0
                    with self.lock:
                        self.last_failure = _Retry(e)
                if failures == len(self.settings.retry_waits):
                    return
                self._stopped.wait(self.settings.retry_waits[failures])
                failures += 1
        except BaseException as e:  # noqa: BLE001 -- handed to the caller's thread
            self.stop(e)
        finally:
            connection.close()
            if fd >= 0:
                os.close(fd)
            self._worker_left.set()

    def _fetch(self, connection: Connection, fd: int, piece: _Piece) -> None:
        extra = {"Range": f"bytes={piece.cursor}-{piece.end - 1}", "Accept-Encoding": "identity"}
        with self.lock:
            location = self.remote.location
        response = connection.get(location, extra)
        try:
            served_end = self._check(response, piece, location)
            single = response.status == 200
            window_start, window_bytes = time.monotonic(), 0
            while True:
                data = response.read1(CHUNK)  # what has arrived: a stalled connection leaves no bytes unsaved
                if not data:
                    break
                if self._stopped.is_set():
                    raise _Retry("stopped")
                if not self.write(fd, piece, data):
                    break
                # A server that trickles a few bytes before each timeout would never time out.
                window_bytes += len(data)
                if time.monotonic() - window_start >= self.settings.read_timeout:
                    if window_bytes < LOW_SPEED * self.settings.read_timeout:
                        raise _Retry(SlowConnection(self.settings.read_timeout))
                    window_start, window_bytes = time.monotonic(), 0
            if piece.cursor < piece.end:
                if response.status == 206 and response.length == 0 and piece.cursor == served_end:
                    raise _Short(ShortRange(f"it sent the range only up to byte {served_end:,}"))
                raise _Retry(f"connection closed {piece.end - piece.cursor:,} bytes before the end of the range")
            if single and piece.end == self.size:  # (another stream may have taken over: then it checks)
                extra_byte = response.read(1)
                if extra_byte:
                    raise StorageSize(None, f"the storage server sent more than the {self.size:,} bytes the "
                                            "hub announced")
        finally:
            connection.done(response)

    def _check(self, response: http.client.HTTPResponse, piece: _Piece, location: str) -> int | None:
        """Raise what the answer's status and headers say is wrong; for a 206, where its range ends."""
        status = response.status
        if status in (206, 200):
            length = response.getheader("Content-Length")
            if status == 206:
                start, end, total = _content_range(response.getheader("Content-Range"))
                if total is not None and total != self.size:
                    raise StorageSize(total, f"the storage server holds {total:,} bytes, the hub announced "
                                             f"{self.size:,}")
                if start != piece.cursor:
                    raise _Retry(f"the server answered the range {piece.cursor:,}- with "
                                 f"{response.getheader('Content-Range')}")
                return end
            if length is not None and length.isdigit() and int(length) != self.size:
                raise StorageSize(int(length), f"the storage server sends {int(length):,} bytes, the hub "
                                               f"announced {self.size:,}")
            self._go_single(piece)
            return None
        response.read(64 << 10)
        if status == 416:
            _, _, total = _content_range(response.getheader("Content-Range"))
            if total is not None and total != self.size:
                raise StorageSize(total, f"the storage server holds {total:,} bytes, the hub announced "
                                         f"{self.size:,}")
            raise _Retry(f"HTTP 416 for bytes {piece.cursor:,}-{piece.end - 1:,}", status)
        if status == 404 or status in REFRESH_STATUS:
            raise _Refresh(f"HTTP {status}", status, location)
        if status in RETRY_STATUS:
            raise _Retry(f"HTTP {status}", status)
        raise ConnectionLost(ConnectionError(f"HTTP {status}"), status)

    def _go_single(self, piece: _Piece) -> None:
        # The server ignores Range and sends the whole file: this connection writes it from the
        # start (over what is there: the same bytes) and every other one stops.
        with self.lock:
            self.single = True
            for other in self._active:
                if other is not piece:
                    other.end = other.reserved
            self._free = []
            piece.start = piece.cursor = piece.reserved = 0
            piece.end = self.size

    def _refresh(self, failure: _Refresh) -> None:
        with self._refreshing:
            with self.lock:
                if self.remote.location != failure.location:
                    return  # another connection asked the hub already
            try:
                remote = self._refresh_remote()  # raises when the ETag changed: the bytes here are another file's
            except ModelFileError as e:
                if e.kind == "changed":
                    self.stop(e)
                return
            if failure.status == 404 and remote.location == failure.location:
                self.stop(StorageMissing(f"HTTP 404 from {urlsplit(failure.location).hostname}"))
            with self.lock:
                self.remote = remote

    # -- the whole -----------------------------------------------------------------------------
    def stop(self, error: BaseException) -> None:
        with self.lock:
            if self.fatal is None:
                self.fatal = error
            connections = list(self._connections)
        self._stopped.set()
        for connection in connections:
            connection.close()

    def _save(self) -> None:
        with self.lock:
            done = ranges.RangeSet(self.size, self.done.to_list())
        ranges.save(self.partial, done)

    def run(self, progress: Progress) -> str | None:
        if self.cancel.is_set():
            os.close(self.fd)
            raise _with_done(Cancelled("cancelled"), self.done.total)
        hasher = self.hasher = FollowHash(str(self.partial), self.size) if self.remote.sha256 else None
        if hasher:
            hasher.advance(self.done.prefix)  # what a resume kept: hashed while the rest arrives
        saved_at = time.monotonic()
        try:
            count = min(self.settings.connections,
                        max(1, -(-(self.size - self.done.total) // self.settings.min_piece)))
            workers = [threading.Thread(target=self.worker, name=f"ltx23_aio range {i}", daemon=True)
                       for i in range(count if self.done.total < self.size else 0)]
            for w in workers:
                w.start()
            progress(self.done.total, self.size)
            while any(w.is_alive() for w in workers):
                self._worker_left.wait(TICK_S)  # woken when a worker ends: the last one ends the download
                self._worker_left.clear()
                if self.cancel.is_set():
                    self.stop(Cancelled("cancelled"))
                with self.lock:
                    done = self.done.total
                progress(done, self.size)
                if time.monotonic() - saved_at >= SAVE_EVERY_S:
                    self._save()
                    saved_at = time.monotonic()
            for w in workers:
                w.join()
            self._save()
            if self.fatal is not None:
                if isinstance(self.fatal, Failed):
                    self.fatal.done = self.done.total
                raise self.fatal
            if self.done.total < self.size:
                failure = self.last_failure or _Retry("no connection could be made")
                raise _lost(failure, self.done.total)
            progress(self.size, self.size)
            return hasher.hexdigest() if hasher else None
        finally:
            if hasher:
                hasher.close()
            os.close(self.fd)


def _with_done(error: Failed, done: int) -> Failed:
    error.done = done
    return error


def _lost(failure: _Retry, done: int) -> ConnectionLost:
    return _with_done(ConnectionLost(failure.cause, failure.status), done)


def fetch(remote: RemoteFile, refresh: Callable[[], RemoteFile], partial: Path, settings: Settings, *,
          progress: Progress, cancel: threading.Event | None = None) -> tuple[int, str | None]:
    """Complete ``partial`` (``remote.size`` bytes) from ``remote``; returns its size and sha256
    (None when ``remote`` names none to check).

    Raises a ``Failed`` subclass (with ``done``: the bytes kept) or ModelFileError (the ETag
    changed); the ranges fetched are recorded beside ``partial`` either way.
    """
    return remote.size, _Download(remote, refresh, partial, settings, cancel).run(progress)
