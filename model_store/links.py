"""Make a file from the Hugging Face cache visible where ComfyUI looks: ``<first folder>/<name>``.

A symlink first. Where symlinks are refused (Windows without developer mode, some shares) a
hardlink, which only works on the same volume. Else the snapshot folder holding the file is
registered with ComfyUI as one more place to look (for this process only; the next run finds the
file in the cache and registers it again). Never a copy: these files are tens of GB.

A link is made under a temporary name and renamed over the target, so ComfyUI never sees a
half-made one, and a dangling link left by a deleted cache is replaced in the same step.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from .comfy_paths import ComfyPaths


class LinkError(OSError):
    """The file is in the cache but cannot be made visible to ComfyUI."""


@dataclass(frozen=True)
class Exposed:
    path: str  # the path ComfyUI reads
    how: str  # "symlink", "hardlink", "registered" or "existing"
    note: str = ""  # why the link fell back, when it did


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _link(target: str, make) -> None:
    tmp = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.{uuid.uuid4().hex[:8]}.tmp")
    make(tmp)
    try:
        os.replace(tmp, target)
    except OSError:
        os.unlink(tmp)
        raise


def _snapshot_folder(cached: str, name: str) -> str:
    parts = name.split("/")
    path = Path(cached)
    if list(path.parts[-len(parts):]) != parts:
        raise LinkError(f"{cached} cannot be registered under the name {name}")
    return str(path.parents[len(parts) - 1])


def expose(folder: str, name: str, cached: str, comfy: ComfyPaths) -> Exposed:
    """Make ``cached`` readable by ComfyUI as ``name`` in ``folder``; never copies it."""
    dirs = comfy.model_dirs(folder)
    if not dirs:
        raise LinkError(f"ComfyUI has no model folder '{folder}'")
    target = os.path.join(dirs[0], *name.split("/"))
    if os.path.commonpath([os.path.abspath(target), os.path.abspath(dirs[0])]) != os.path.abspath(dirs[0]) or \
            os.path.abspath(target) == os.path.abspath(dirs[0]):
        raise LinkError(f"{name} is not a file name inside {dirs[0]}")
    if _same_file(target, cached):
        return Exposed(target, "existing")
    if os.path.lexists(target) and not os.path.islink(target):
        raise LinkError(f"{target} exists and is not the downloaded {name}; move it away and run again")

    failures = []
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        for how, make in (("symlink", lambda tmp: os.symlink(os.path.abspath(cached), tmp)),
                          ("hardlink", lambda tmp: os.link(os.path.realpath(cached), tmp))):
            try:
                _link(target, make)
                return Exposed(target, how, "; ".join(failures))
            except OSError as e:
                failures.append(f"{how} refused ({e.strerror or e})")
    except OSError as e:
        failures.append(f"cannot create {os.path.dirname(target)} ({e.strerror or e})")

    if os.path.islink(target) and not os.path.exists(target):
        try:
            os.unlink(target)  # dangling: ComfyUI would warn about it on every scan
        except OSError:
            pass
    comfy.register(folder, _snapshot_folder(cached, name))
    return Exposed(cached, "registered", "; ".join(failures))
