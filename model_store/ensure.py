"""Make a run's model files available to ComfyUI: the call the node layer makes before it expands.

A file found in one of ComfyUI's folders for it (extra_model_paths.yaml included) or in the
Hugging Face cache is used as it is, with no network. The rest are checked with the hub (one
metadata request each), the disk space for all of them is checked, and they are downloaded one
after the other into the cache, verified, and linked under ``<first folder>/<name>``.

Everything that goes wrong is a ``ModelFileError`` whose message says what is missing, how big it
is, and what to do.
"""
from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import TimeoutError as WaitTimeout
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
    if path:
        return Found(path, "models")
    if f.repo:
        hub = hub or Hub.from_environment()
        cached = find_cached(hub.cache_dir, f.repo, f.repo_path)
        # A cached file of another size is another version of it: not the one the set names.
        if cached and (not f.size_exact or f.size is None or os.path.getsize(cached) == f.size):
            return Found(cached, "hf_cache")
    return None


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


def _wait(job: Job, progress: Progress | None, base: int, total: int) -> str:
    # Waiting in the caller's thread keeps `progress` there too: ComfyUI's progress hook raises
    # there when the user interrupts, which stops the waiting, not the shared download.
    while True:
        try:
            return job.future.result(timeout=WAIT_TICK_S)
        except WaitTimeout:
            if progress:
                progress(base + job.done, max(total, base + job.done))
        except ModelFileError as e:
            raise ModelFileError(str(e), e.kind, e.files) from None


def fetch(plan: Fetch, *, comfy: ComfyPaths, progress: Progress | None = None) -> dict[str, str]:
    """Download what ``prepare`` left missing, one file after the other, and link each."""
    paths = dict(plan.paths)
    total = sum(plan.size(k) for k in plan.files)
    base = 0
    for key, f in plan.files.items():
        job = DOWNLOADS.start(f, plan.hub, plan.remotes.get(key))
        cached = _wait(job, progress, base, total)
        base += plan.size(key, job)
        if progress:
            progress(base, max(total, base))
        path = _expose(f, cached, comfy)
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
