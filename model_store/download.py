"""Download one model file into the Hugging Face cache: space check, resumable ranged transfer,
size and sha256 verification, then into the cache's layout. A file that fails verification is
moved aside (quarantined), never linked or used.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence
from urllib.parse import urlsplit

from filelock import Timeout
from huggingface_hub.utils import WeakFileLock

from ..model_manifest import ModelFile, human_bytes
from . import cache, errors, ranges, transfer
from .hub import Hub
from .remote import RemoteFile, remote_file

log = logging.getLogger("ltx23_aio.models")
LOCK_POLL_S = 0.5  # how soon a cancel ends the wait for another process's download


@dataclass(frozen=True)
class Fetched:
    path: str  # the file in the cache's snapshots
    received: int  # bytes this call took from the network (0: it was there, or another process fetched it)


def free_space(directory: Path) -> tuple[int, Path]:
    """Free bytes on the volume that holds (or will hold) ``directory``."""
    where = Path(directory)
    while not where.exists() and where != where.parent:
        where = where.parent
    return shutil.disk_usage(where).free, where


def check_space(cache_dir: Path, need: int, files: Sequence[ModelFile]) -> None:
    free, _ = free_space(cache_dir)
    if need > free:
        raise errors.not_enough_space(need, free, Path(cache_dir), files)


def bytes_kept(f: ModelFile, remote: RemoteFile, hub: Hub) -> int:
    """Bytes of ``f`` already in the cache from an interrupted download."""
    partial = cache.partial_path(hub.cache_dir, f.repo, remote.etag)
    if partial.exists():
        return ranges.load(partial, remote.size).total
    try:
        return min(cache.legacy_partial_path(hub.cache_dir, f.repo, remote.etag).stat().st_size, remote.size)
    except OSError:
        return 0


def _take_over_legacy(hub: Hub, f: ModelFile, remote: RemoteFile, partial: Path) -> None:
    legacy = cache.legacy_partial_path(hub.cache_dir, f.repo, remote.etag)
    if partial.exists() or not legacy.is_file():
        return
    kept = min(legacy.stat().st_size, remote.size)
    os.replace(legacy, partial)
    ranges.save(partial, ranges.RangeSet(remote.size, [(0, kept)]))


@contextmanager
def _blob_lock(lock: Path, f: ModelFile, remote: RemoteFile, cancel: threading.Event | None):
    """huggingface_hub's lock on the blob: another process downloading it makes this one wait
    (for as long as it takes), but a cancel ends the wait."""
    waiting = False
    while True:
        try:
            held = WeakFileLock(str(lock), timeout=LOCK_POLL_S)
            held.__enter__()
            break
        except Timeout:
            if cancel is not None and cancel.is_set():
                raise errors.cancelled(f, 0, remote.size) from None
            if not waiting:
                waiting = True
                log.info("LTX2.3 AIO: %s: waiting for another process that is downloading it (%s)", f.name, lock)
    try:
        yield
    finally:
        held.__exit__(None, None, None)


def _refresher(f: ModelFile, first: RemoteFile, hub: Hub):
    def refresh() -> RemoteFile:
        remote = remote_file(f, hub)
        if remote.etag != first.etag:
            raise errors.ModelFileError(remote.etag, "changed", [f])  # worded by fetch_into_cache
        return remote
    return refresh


def settings(hub: Hub) -> transfer.Settings:
    return transfer.Settings(hub.connections, hub.min_piece, hub.read_timeout, hub.retry_waits)


def _transfer(f: ModelFile, hub: Hub, remote: RemoteFile, partial: Path, progress: transfer.Progress,
              cancel: threading.Event | None) -> tuple[str, int]:
    host = urlsplit(remote.location).hostname or "the storage server"
    tries = len(hub.retry_waits) + 1
    try:
        return transfer.fetch(remote, _refresher(f, remote, hub), partial, settings(hub), progress=progress,
                              cancel=cancel)
    except transfer.WriteFailed as e:
        free, _ = free_space(hub.cache_dir)
        raise errors.disk_full(f, e.done, remote.size, free, Path(hub.cache_dir), e.error) from None
    except transfer.Cancelled as e:
        raise errors.cancelled(f, e.done, remote.size) from None
    except transfer.StorageMissing as e:
        raise errors.storage_missing(f, hub, host, e.done, remote.size) from None
    except transfer.StorageSize as e:
        raise errors.storage_size(f, hub, host, e.what, e.done, remote.size) from None
    except transfer.OverBudget as e:
        raise errors.over_budget(f, host, e.received, remote.size, e.done) from None
    except transfer.ConnectionLost as e:
        if e.status is not None:
            raise errors.storage_refused(f, host, e.status, e.done, remote.size, tries) from None
        raise errors.connection_lost(f, e.done, remote.size, e.cause, host, tries, hub.read_timeout) from None
    except errors.ModelFileError as e:
        if e.kind != "changed":
            raise
        dropped = ranges.load(partial, remote.size).total
        ranges.discard(partial)  # another version's bytes: of no use to any later download
        raise errors.changed_while_downloading(f, remote.etag, str(e), dropped) from None


def fetch_into_cache(f: ModelFile, hub: Hub, remote: RemoteFile | None, progress: transfer.Progress,
                     cancel: threading.Event | None = None) -> Fetched:
    """Download ``f`` (resuming a partial one) and return its path in the cache."""
    remote = remote or remote_file(f, hub)
    try:
        cache.check_names(remote.etag, remote.commit)
    except ValueError as e:
        raise errors.unreachable([f], hub, e) from None
    try:
        cache.snapshot_path(hub.cache_dir, f.repo, remote.commit, f.repo_path)
    except ValueError:
        raise errors.unsafe_path(f) from None
    lock = cache.lock_path(hub.cache_dir, f.repo, remote.etag)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with _blob_lock(lock, f, remote, cancel):
        blob = cache.blob_path(hub.cache_dir, f.repo, remote.etag)
        if blob.is_file() and blob.stat().st_size == remote.size:
            return Fetched(cache.add_to_cache(hub.cache_dir, f.repo, f.repo_path, remote.etag, remote.commit), 0)

        partial = cache.partial_path(hub.cache_dir, f.repo, remote.etag)
        partial.parent.mkdir(parents=True, exist_ok=True)
        _take_over_legacy(hub, f, remote, partial)
        kept = bytes_kept(f, remote, hub)
        check_space(hub.cache_dir, remote.size - kept, [f])
        if kept:
            log.info("LTX2.3 AIO: resuming %s after the %s already fetched", f.name, human_bytes(kept))

        sha256 = _transfer(f, hub, remote, partial, progress, cancel)[1]
        received = remote.size - kept
        if remote.sha256 and sha256 != remote.sha256:
            moved = cache.quarantine(hub.cache_dir, f.repo, partial, f.name, "sha256-mismatch")
            ranges.discard(partial)
            source = "the model set" if f.sha256 else "the hub's LFS ETag"
            raise errors.verification_failed(f, "sha256", sha256, remote.sha256, source, moved)
        path = cache.add_to_cache(hub.cache_dir, f.repo, f.repo_path, remote.etag, remote.commit, partial)
        ranges.discard(partial)
        return Fetched(path, received)
