"""The sha256 of a file being written out of order, computed while it downloads.

sha256 is sequential, so it can only take in the part of the file complete from offset 0 on. A
thread follows that frontier as the connections fill it and reads those bytes back (from the page
cache: they were just written) — not a second read of the disk, and by the time the last range
arrives, only the ranges still in flight are left to hash.

Measured with tests/benchmark_models.py's hub (200 MB, 8 connections, this project's 2-core
machine, shared): at load average ~4, 0-29 MB were left to hash when the last byte arrived
(0-56 ms); at load average ~7 up to ~115 MB (~200 ms).
A second read of the whole file afterwards would cost the whole hash time (~0.15-0.25 s for 200 MB).
"""
from __future__ import annotations

import hashlib
import os
import threading

CHUNK = 4 << 20


def read_at(fd: int, n: int, offset: int) -> bytes:
    """``os.pread``, also on Windows (which lacks it): there each thread reads its own descriptor."""
    if hasattr(os, "pread"):
        return os.pread(fd, n, offset)
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, n)


def write_at(fd: int, data: memoryview, offset: int) -> int:
    """``os.pwrite``, also on Windows: there each thread writes through its own descriptor."""
    if hasattr(os, "pwrite"):
        return os.pwrite(fd, data, offset)
    os.lseek(fd, offset, os.SEEK_SET)
    return os.write(fd, data)


class FollowHash:
    def __init__(self, path: str, size: int):
        self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        self._size = size
        self._sha = hashlib.sha256()
        self._hashed = 0
        self._frontier = 0
        self._stopped = False
        self._error: OSError | None = None
        self._cv = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="ltx23_aio sha256", daemon=True)
        self._thread.start()

    def advance(self, frontier: int) -> None:
        """Bytes [0, frontier) are on disk."""
        with self._cv:
            if frontier > self._frontier:
                self._frontier = frontier
                self._cv.notify()

    def _run(self) -> None:
        try:
            while self._hashed < self._size:
                with self._cv:
                    while self._hashed >= self._frontier and not self._stopped:
                        self._cv.wait()
                    if self._stopped:
                        return
                    end = self._frontier
                while self._hashed < end:
                    data = read_at(self._fd, min(CHUNK, end - self._hashed), self._hashed)
                    if not data:
                        raise OSError(f"the partial file ends at {self._hashed:,} bytes, before {end:,}")
                    self._sha.update(data)  # releases the GIL: runs beside the downloading threads
                    self._hashed += len(data)
        except OSError as e:
            self._error = e

    def hexdigest(self) -> str:
        """Once the whole file is on disk: its sha256."""
        self.advance(self._size)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._sha.hexdigest()

    def close(self) -> None:
        with self._cv:
            self._stopped = True
            self._cv.notify()
        self._thread.join()
        os.close(self._fd)
