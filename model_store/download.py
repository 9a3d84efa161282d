"""Download one model file into the Hugging Face cache: space check, resumable transfer, size and
sha256 verification, then into the cache's layout. A file that fails verification is moved aside
(quarantined), never linked or used.
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Sequence

from huggingface_hub.utils import WeakFileLock

from ..model_manifest import ModelFile, human_bytes
from . import cache, errors, transfer
from .hub import Hub
from .remote import RemoteFile, remote_file

log = logging.getLogger("ltx23_aio.models")


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
    try:
        return cache.partial_path(hub.cache_dir, f.repo, remote.etag).stat().st_size
    except OSError:
        return 0


def _refresher(f: ModelFile, first: RemoteFile, hub: Hub):
    def refresh() -> RemoteFile:
        remote = remote_file(f, hub)
        if remote.etag != first.etag:
            raise errors.changed_upstream(f, "ETag", remote.etag, first.etag + " (when this download began)")
        return remote
    return refresh


def fetch_into_cache(f: ModelFile, hub: Hub, remote: RemoteFile | None,
                     progress: transfer.Progress) -> str:
    """Download ``f`` (resuming a partial one) and return its path in the cache."""
    remote = remote or remote_file(f, hub)
    try:
        cache.check_names(remote.etag, remote.commit)
    except ValueError as e:
        raise errors.unreachable([f], hub, e) from None
    lock = cache.lock_path(hub.cache_dir, f.repo, remote.etag)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with WeakFileLock(str(lock)):
        blob = cache.blob_path(hub.cache_dir, f.repo, remote.etag)
        if blob.is_file() and remote.size in (None, blob.stat().st_size):
            return cache.add_to_cache(hub.cache_dir, f.repo, f.repo_path, remote.etag, remote.commit)

        partial = cache.partial_path(hub.cache_dir, f.repo, remote.etag)
        partial.parent.mkdir(parents=True, exist_ok=True)
        kept = bytes_kept(f, remote, hub)
        if remote.size is not None and kept > remote.size:
            log.warning("LTX2.3 AIO: %s is longer than %s; starting %s over", partial, f.name, f.name)
            partial.unlink()
            kept = 0
        if remote.size is not None:
            check_space(hub.cache_dir, remote.size - kept, [f])
        if kept:
            log.info("LTX2.3 AIO: resuming %s after the %s already fetched", f.name, human_bytes(kept))

        try:
            size, sha256 = transfer.fetch(remote, _refresher(f, remote, hub), partial,
                                          retry_waits=hub.retry_waits, progress=progress)
        except transfer.WriteFailed as e:
            free, _ = free_space(hub.cache_dir)
            raise errors.disk_full(f, bytes_kept(f, remote, hub), remote.size, free, Path(hub.cache_dir),
                                   e.error) from None
        except transfer.ConnectionLost as e:
            raise errors.connection_lost(f, e.done, remote.size, e.cause) from None
        except transfer.Refused as e:
            if e.status == 404:
                raise errors.not_found(f, remote.url, e.status) from None
            raise errors.hub_error(f, remote.url, e.status, e) from None

        source = "the model set" if f.sha256 else "the hub's LFS ETag"
        if remote.size is not None and size != remote.size:
            moved = cache.quarantine(hub.cache_dir, f.repo, partial, f.name, "size-mismatch")
            raise errors.verification_failed(f, "size", f"{size:,} bytes", f"{remote.size:,} bytes",
                                             "the hub's size", moved)
        if remote.sha256 and sha256 != remote.sha256:
            moved = cache.quarantine(hub.cache_dir, f.repo, partial, f.name, "sha256-mismatch")
            raise errors.verification_failed(f, "sha256", sha256, remote.sha256, source, moved)
        return cache.add_to_cache(hub.cache_dir, f.repo, f.repo_path, remote.etag, remote.commit, partial)
