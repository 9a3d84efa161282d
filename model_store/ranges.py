"""Which byte ranges of a partial download are on disk, kept in a small JSON file beside it.

Several connections write one file at different offsets, so its length says nothing about what
was fetched (the holes read as zeros). The sidecar lists the ranges that were completely written;
it is replaced atomically and only ever lists bytes already written, so after a crash (kill -9,
power loss aside) a resume re-fetches at most what arrived since its last update.
"""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path


class RangeSet:
    """Disjoint, sorted half-open ranges [start, end) within [0, size)."""

    def __init__(self, size: int, ranges: list[tuple[int, int]] = ()):
        self.size = size
        self._ranges: list[list[int]] = []
        for start, end in ranges:
            self.add(start, end)

    def add(self, start: int, end: int) -> None:
        start, end = max(0, start), min(self.size, end)
        if start >= end:
            return
        merged = []
        for r in self._ranges:
            if r[1] < start or r[0] > end:
                merged.append(r)
            else:
                start, end = min(start, r[0]), max(end, r[1])
        merged.append([start, end])
        merged.sort()
        self._ranges = merged

    @property
    def total(self) -> int:
        return sum(end - start for start, end in self._ranges)

    @property
    def prefix(self) -> int:
        """Bytes complete from offset 0 on, without a hole."""
        return self._ranges[0][1] if self._ranges and self._ranges[0][0] == 0 else 0

    def holes(self) -> list[tuple[int, int]]:
        holes, at = [], 0
        for start, end in self._ranges:
            if start > at:
                holes.append((at, start))
            at = end
        if at < self.size:
            holes.append((at, self.size))
        return holes

    def to_list(self) -> list[list[int]]:
        return [list(r) for r in self._ranges]


def sidecar_path(partial: Path) -> Path:
    return partial.with_name(partial.name + ".ranges")


def load(partial: Path, size: int) -> RangeSet:
    """The ranges recorded for ``partial``; none when the record is missing, unreadable or for
    another size (then nothing on disk can be trusted and the download starts over)."""
    try:
        data = json.loads(sidecar_path(partial).read_text())
        if data["size"] != size:
            return RangeSet(size)
        # A partial cut short since (copied, truncated) holds nothing past its end.
        length = min(size, os.path.getsize(partial))
        ranges = [(int(a), min(int(b), length)) for a, b in data["done"] if 0 <= int(a) < int(b) <= size]
        return RangeSet(size, ranges)
    except (OSError, ValueError, KeyError, TypeError):
        return RangeSet(size)


def save(partial: Path, done: RangeSet) -> None:
    path = sidecar_path(partial)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps({"size": done.size, "done": done.to_list()}))
    os.replace(tmp, path)


def discard(partial: Path) -> None:
    for path in (partial, sidecar_path(partial)):
        try:
            path.unlink()
        except FileNotFoundError:
            pass
