"""Where a mode's model files stand with a model set: for the sidebar and the command line.

Which files a mode needs is derived from its workflow (``nodes.plan.files_needed``), never listed
here. Nothing in this module writes or uses the network.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..model_manifest import ModelFile, ModelSet
from ..model_store.comfy_paths import ComfyPaths
from ..model_store.ensure import find_file
from ..model_store.errors import StatusError
from ..model_store.hub import Hub
from ..model_store.jobs import DOWNLOADS
from ..model_store.sets import ModelSetError, choose_model_set, load_catalog
from ..nodes.modes import MODES, Mode
from ..nodes.plan import RunError, files_needed


@dataclass(frozen=True)
class FileState:
    role: str
    file: ModelFile
    state: str  # "present", "missing" or "downloading"
    path: str | None = None
    source: str | None = None  # "models" or "hf_cache" when present
    done: int = 0
    total: int | None = None
    error: str | None = None  # why the latest download of a missing file failed

    def to_json(self, hub: Hub) -> dict:
        f = self.file
        return {
            "role": self.role, "name": f.name, "folder": f.folder, "repo": f.repo, "path_in_repo": f.repo_path,
            "size": f.size, "size_exact": f.size_exact,
            "url": hub.public_url(f.repo, f.repo_path) if f.repo else None,
            "state": self.state, "path": self.path, "source": self.source,
            "done": self.done, "total": self.total if self.total is not None else f.size, "error": self.error,
        }


def file_states(files: Mapping[str, ModelFile], comfy: ComfyPaths, hub: Hub) -> list[FileState]:
    states = []
    for role, f in files.items():
        found = find_file(f, comfy, hub)
        job = DOWNLOADS.running(f)
        if found:
            states.append(FileState(role, f, "present", found.path, found.source, f.size or 0, f.size))
        elif job:
            states.append(FileState(role, f, "downloading", done=job.done, total=job.total))
        else:
            last = DOWNLOADS.last(f) or {}
            states.append(FileState(role, f, "missing", error=last.get("error")))
    return states


@dataclass(frozen=True)
class ModeStatus:
    mode: Mode
    requested: str  # the model set asked for, maybe "auto"
    model_set: ModelSet
    reason: str
    preset: str | None
    files: list[FileState]

    @property
    def complete(self) -> bool:
        return all(s.state == "present" for s in self.files)

    @property
    def missing_bytes(self) -> int:
        return sum((s.file.size or 0) - s.done for s in self.files if s.state != "present")

    def to_json(self, hub: Hub) -> dict:
        return {
            "mode": self.mode.id, "title": self.mode.title, "requested": self.requested,
            "set": self.model_set.name, "set_label": self.model_set.label, "reason": self.reason,
            "preset": self.preset, "complete": self.complete, "missing_bytes": self.missing_bytes,
            "files": [s.to_json(hub) for s in self.files],
        }


def get_mode(mode_id: str) -> Mode:
    if mode_id not in MODES:
        raise StatusError(f"unknown mode '{mode_id}'; modes: {', '.join(MODES)}")
    return MODES[mode_id]


def needed_files(mode: Mode, model_set: ModelSet, preset: str | None) -> dict[str, ModelFile]:
    try:
        return files_needed(mode, model_set, preset)
    except RunError as e:
        raise StatusError(str(e)) from e


def choose_set(mode: Mode, name: str, comfy: ComfyPaths, hub: Hub, preset: str | None = None) -> tuple[ModelSet, str]:
    """The model set ``name`` stands for, and why; ``auto`` picks by the GPU and what is present."""
    def complete(model_set: ModelSet) -> bool:
        return all(find_file(f, comfy, hub) for f in needed_files(mode, model_set, preset).values())
    try:
        model_set, why = choose_model_set(name, load_catalog(comfy.user_dir), comfy.gpu, complete)
    except ModelSetError as e:
        raise StatusError(str(e)) from e
    return model_set, why or "chosen"


def mode_status(mode_id: str, set_name: str, *, comfy: ComfyPaths, hub: Hub | None = None,
                preset: str | None = None) -> ModeStatus:
    """The files ``mode_id`` needs with ``set_name`` (for ``preset``, or any preset) and where each is."""
    hub = hub or Hub.from_environment()
    mode = get_mode(mode_id)
    model_set, reason = choose_set(mode, set_name, comfy, hub, preset)
    files = needed_files(mode, model_set, preset)
    return ModeStatus(mode, set_name, model_set, reason, preset, file_states(files, comfy, hub))
