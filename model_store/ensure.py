"""Make a run's model files available to ComfyUI: the call the node layer makes before it expands.

A file found in one of ComfyUI's folders for it (extra_model_paths.yaml included) or in the
Hugging Face cache is used as it is, with no network; a file in a ComfyUI folder whose size differs
from the exact size the set names is not (an interrupted copy). The rest are checked with the hub
(one metadata request each), the disk space for all of them and the place each will be linked to
are checked, and they are downloaded at the same time into the cache, verified, and linked under
``<first folder>/<name>``.

Everything that goes wrong is a ``ModelFileError`` whose message says what is missing, how big it
is, and what to do.
"""
from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from ..model_manifest import ModelFile
from . import errors
from .cache import find_cached
from .comfy_paths import ComfyPaths
from .download import bytes_kept, check_space
from .errors import ModelFileError
from .hub import Hub
from .jobs import DOWNLOADS, Job, file_key
from .links import LinkError, expose
from .remote import RemoteFile, remote_file

log = logging.getLogger("ltx23_aio.models")

Progress = Callable[[int, int], None]  # (bytes done, bytes in all) over every file being downloaded
WAIT_TICK_S = 0.25


@dataclass(frozen=True)
class Found:
    path: str
    source: str  # "models" (a ComfyUI model folder) or "hf_cache" (not linked yet)


def find_file(f: ModelFile, comfy: ComfyPaths, hub: Hub | None = None) -> Found | None:
    """Where ``f`` already is, without network and without changing anything."""
    path = comfy.find(f.folder, f.name)
    if path and _right_size(f, path):
        return Found(path, "models")
    if f.repo:
        hub = hub or Hub.from_environment()
        cached = find_cached(hub.cache_dir, f.repo, f.repo_path)
        # A cached file of another size is another version of it: not the one the set names.
        if cached and (not f.size_exact or f.size is None or os.path.getsize(cached) == f.size):
            return Found(cached, "hf_cache")
    return None


def _right_size(f: ModelFile, path: str) -> bool:
    try:
        return not f.size_exact or f.size is None or os.path.getsize(path) == f.size
    except OSError:
        return False


def check_target(f: ModelFile, comfy: ComfyPaths) -> None:
    """Raise before downloading ``f`` if what sits where it will be linked cannot be replaced."""
    dirs = comfy.model_dirs(f.folder)
    if not dirs:
        raise errors.target_taken(f, f"models/{f.folder}", f"ComfyUI has no model folder '{f.folder}'")
    target = os.path.join(dirs[0], *f.name.split("/"))
    if os.path.islink(target) or not os.path.lexists(target):
        return  # a link (maybe dangling) is replaced when the file is linked
    if os.path.isdir(target):
        raise errors.target_taken(f, target, "it is a folder")
    size = os.path.getsize(target)
    raise errors.target_taken(f, target, f"a file of {size:,} bytes where the model set expects {f.size:,} "
                                         "(an incomplete or different copy)" if f.size_exact and f.size is not None
                              else "a file that is not the one in the Hugging Face cache")


def _expose(f: ModelFile, cached: str, comfy: ComfyPaths) -> str:
    try:
        exposed = expose(f.folder, f.name, cached, comfy)
    except (LinkError, OSError) as e:
        raise errors.link_failed(f, cached, e) from None
    if exposed.note:
        log.info("LTX2.3 AIO: %s: %s; made visible by %s", f.name, exposed.note, exposed.how)
    return exposed.path


@dataclass
class Fetch:
    """What ``prepare`` found: the paths present and what is left to download."""

    hub: Hub
    roles: tuple[str, ...]  # the caller's order
    paths: dict[str, str]  # role -> path ComfyUI reads
    missing: dict[str, ModelFile] = field(default_factory=dict)  # role -> file
    remotes: dict[tuple[str, str], RemoteFile | None] = field(default_factory=dict)  # None: joins a running download
    files: dict[tuple[str, str], ModelFile] = field(default_factory=dict)  # each missing file once

    def size(self, key: tuple[str, str], job: Job | None = None) -> int:
        remote = self.remotes.get(key)
        if remote is not None and remote.size is not None:
            return remote.size
        if job is not None and job.total is not None:
            return job.total
        return self.files[key].size or 0


def prepare(files: Mapping[str, ModelFile], *, comfy: ComfyPaths, hub: Hub | None = None,
            allow_download: bool = True, mode: str | None = None, model_set: str | None = None) -> Fetch:
    """Resolve what is present (linking cached files) and check what must be downloaded: its
    source, the hub's answer for each file and the disk space for all. ``mode`` and
    ``model_set`` only word the messages."""
    hub = hub or Hub.from_environment()
    plan = Fetch(hub, tuple(files), {})
    for role, f in files.items():
        found = find_file(f, comfy, hub)
        if found is None:
            plan.missing[role] = f
        else:
            plan.paths[role] = found.path if found.source == "models" else _expose(f, found.path, comfy)
    plan.files = {file_key(f): f for f in plan.missing.values()}
    if not plan.files:
        return plan

    check_downloadable(list(plan.files.values()), hub=hub, allow_download=allow_download, mode=mode,
                       model_set=model_set)
    for f in plan.files.values():
        check_target(f, comfy)
    for key, f in plan.files.items():
        plan.remotes[key] = None if DOWNLOADS.running(f) else remote_file(f, hub)
    new = [(plan.files[k], r) for k, r in plan.remotes.items() if r is not None]
    check_space(hub.cache_dir, sum(r.size - bytes_kept(f, r, hub) for f, r in new if r.size is not None),
                [f for f, _ in new])
    return plan


def check_downloadable(files: Sequence[ModelFile], *, hub: Hub | None = None, allow_download: bool = True,
                       mode: str | None = None, model_set: str | None = None) -> None:
    """Raise what would stop these missing files from downloading, before any request: no repo to
    fetch from, automatic download off, or offline mode. Cheap enough for queue time."""
    hub = hub or Hub.from_environment()
    if any(not f.repo for f in files):
        raise errors.no_source([f for f in files if not f.repo], hub)
    if not allow_download:
        raise errors.download_off(files, hub, mode, model_set)
    if hub.offline:
        raise errors.offline(files, hub, mode, model_set)


def _wait(jobs: Mapping[tuple[str, str], Job], plan: Fetch, progress: Progress | None) -> dict[tuple[str, str], str]:
    # Waiting in the caller's thread keeps `progress` there too: ComfyUI's progress hook raises
    # there when the user interrupts, which stops the waiting, not the shared downloads.
    results: dict[tuple[str, str], str] = {}
    while len(results) < len(jobs):
        for key, job in jobs.items():
            if key in results or not job.future.done():
                continue
            try:
                results[key] = job.future.result()
            except ModelFileError as e:
                raise ModelFileError(str(e), e.kind, e.files) from None
        if progress:
            done = sum(plan.size(k, j) if k in results else j.done for k, j in jobs.items())
            progress(done, max(done, sum(plan.size(k, j) for k, j in jobs.items())))
        if len(results) < len(jobs):
            wait([j.future for k, j in jobs.items() if k not in results], timeout=WAIT_TICK_S,
                 return_when=FIRST_COMPLETED)
    return results


def fetch(plan: Fetch, *, comfy: ComfyPaths, progress: Progress | None = None) -> dict[str, str]:
    """Download what ``prepare`` left missing, the files at the same time, and link each."""
    paths = dict(plan.paths)
    jobs = {key: DOWNLOADS.start(f, plan.hub, plan.remotes.get(key)) for key, f in plan.files.items()}
    for key, cached in _wait(jobs, plan, progress).items():
        path = _expose(plan.files[key], cached, comfy)
        paths.update({role: path for role, m in plan.missing.items() if file_key(m) == key})
    return {role: paths[role] for role in plan.roles}


def ensure_files(files: Mapping[str, ModelFile], *, comfy: ComfyPaths, progress: Progress | None = None,
                 allow_download: bool = True, hub: Hub | None = None, mode: str | None = None,
                 model_set: str | None = None) -> dict[str, str]:
    """Role -> the path ComfyUI will read, downloading what is missing; raises ModelFileError."""
    plan = prepare(files, comfy=comfy, hub=hub, allow_download=allow_download, mode=mode, model_set=model_set)
    return fetch(plan, comfy=comfy, progress=progress)


async def ensure_files_async(files: Mapping[str, ModelFile], *, comfy: ComfyPaths,
                             progress: Progress | None = None, allow_download: bool = True,
                             hub: Hub | None = None, mode: str | None = None,
                             model_set: str | None = None) -> dict[str, str]:
    """``ensure_files`` for an event loop: runs in a thread, joins downloads already running."""
    return await asyncio.to_thread(ensure_files, files, comfy=comfy, progress=progress,
                                   allow_download=allow_download, hub=hub, mode=mode, model_set=model_set)
