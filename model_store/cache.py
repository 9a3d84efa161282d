"""The Hugging Face cache, in huggingface_hub's own layout, so its tools see what we put there.

    <cache>/models--<org>--<name>/blobs/<etag>                   the file's bytes
                                 /snapshots/<commit>/<path>      -> ../../blobs/<etag>
                                 /refs/main                      <commit>

A download in progress lives at ``blobs/<etag>.ltx23aio-partial`` (its ranges on disk beside it,
ranges.py) and reaches ``snapshots/`` only once its size and sha256 are verified, so anything
found under ``snapshots/`` is complete. Not ``<etag>.incomplete``: huggingface_hub before 1.0
resumes that name by appending at its end, which would bury the holes of a file fetched in
ranges inside a "complete" blob. A contiguous ``.incomplete`` left by it (or by this pack before
it fetched in ranges) is taken over instead.
"""
from __future__ import annotations

import glob
import os
import re
import time
import uuid
from pathlib import Path

from huggingface_hub import try_to_load_from_cache

QUARANTINE_DIR = "ltx23-aio-quarantine"
# Both come from the server's headers and become file names: refuse anything path-like.
ETAG = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")
COMMIT = re.compile(r"[0-9a-f]{40}")


def repo_dir(cache_dir: Path, repo: str) -> Path:
    return Path(cache_dir) / ("models--" + repo.replace("/", "--"))


def find_cached(cache_dir: Path, repo: str, path: str) -> str | None:
    """The cached file at the revision ``main`` points to, else at any other cached revision."""
    try:
        hit = try_to_load_from_cache(repo, path, cache_dir=str(cache_dir), revision="main")
    except ValueError:  # huggingface_hub >= 1 refuses path-like names itself; older ones do not
        return None
    if isinstance(hit, str) and os.path.isfile(hit):
        return hit
    try:
        snapshots = [e.path for e in os.scandir(repo_dir(cache_dir, repo) / "snapshots") if e.is_dir()]
    except OSError:
        return None
    found = [p for p in (os.path.join(s, *path.split("/")) for s in snapshots)
             if os.path.isfile(p) and _inside(p, repo_dir(cache_dir, repo))]
    return max(found, key=os.path.getmtime) if found else None


def partial_path(cache_dir: Path, repo: str, etag: str) -> Path:
    return repo_dir(cache_dir, repo) / "blobs" / f"{etag}.ltx23aio-partial"


def legacy_partial_path(cache_dir: Path, repo: str, etag: str) -> Path:
    """A contiguous partial download: from huggingface_hub, or this pack before ranged downloads."""
    return repo_dir(cache_dir, repo) / "blobs" / f"{etag}.incomplete"


def _inside(path: str | Path, root: Path) -> bool:
    return os.path.commonpath([os.path.abspath(path), os.path.abspath(root)]) == os.path.abspath(root)


def snapshot_path(cache_dir: Path, repo: str, commit: str, path: str) -> Path:
    """Where ``path`` of ``repo`` at ``commit`` lives; ValueError for a path that would leave it."""
    base = repo_dir(cache_dir, repo) / "snapshots" / commit
    parts = path.replace("\\", "/").split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..") or ":" in p for p in parts):
        raise ValueError(f"{path!r} is not a path inside a repository")
    pointer = base.joinpath(*parts)
    if not _inside(pointer, base):
        raise ValueError(f"{path!r} is not a path inside a repository")
    return pointer


def lock_path(cache_dir: Path, repo: str, etag: str) -> Path:
    # huggingface_hub's own lock for this blob: another process using hf_hub_download waits on it too.
    return Path(cache_dir) / ".locks" / repo_dir(cache_dir, repo).name / f"{etag}.lock"


def check_names(etag: str, commit: str) -> None:
    if not ETAG.fullmatch(etag) or not COMMIT.fullmatch(commit):
        raise ValueError(f"the hub answered with an unusable ETag {etag!r} or commit {commit!r}")


def quarantine(cache_dir: Path, repo: str, partial: Path, name: str, reason: str) -> Path:
    """Move a file that failed verification aside, named after the model file and the reason.
    Only the latest failed copy of a file is kept: each one is as large as the file."""
    folder = repo_dir(cache_dir, repo) / QUARANTINE_DIR
    flat = name.replace("/", "_")
    target = folder / f"{flat}.{reason}.{time.strftime('%Y%m%d-%H%M%S')}"
    folder.mkdir(parents=True, exist_ok=True)
    for earlier in folder.glob(f"{glob.escape(flat)}.*"):
        earlier.unlink(missing_ok=True)
    os.replace(partial, target)
    return target



def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _point(pointer: Path, blob: Path) -> None:
    tmp = pointer.with_name(f".{pointer.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        os.symlink(os.path.relpath(blob, pointer.parent), tmp)
    except OSError:
        # No symlinks here (Windows without developer mode): the snapshot holds the bytes
        # themselves, as huggingface_hub does in that case. A move, never a copy.
        os.replace(blob, pointer)
        return
    os.replace(tmp, pointer)


def blob_path(cache_dir: Path, repo: str, etag: str) -> Path:
    return repo_dir(cache_dir, repo) / "blobs" / etag


def add_to_cache(cache_dir: Path, repo: str, path: str, etag: str, commit: str,
                 verified: Path | None = None) -> str:
    """Make a verified download (or a blob already in place) the cached file for ``repo``/``path``
    at ``commit``; returns its snapshot path."""
    check_names(etag, commit)
    root = repo_dir(cache_dir, repo)
    blob = blob_path(cache_dir, repo, etag)
    if verified is not None:
        os.replace(verified, blob)
    pointer = snapshot_path(cache_dir, repo, commit, path)
    pointer.parent.mkdir(parents=True, exist_ok=True)
    if not os.path.isfile(pointer):
        _point(pointer, blob)
    (root / "refs").mkdir(exist_ok=True)
    _atomic_write(root / "refs" / "main", commit)
    return str(pointer)
