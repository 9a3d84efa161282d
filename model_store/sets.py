"""Model sets: the built-in ones from the manifest plus the user's own JSON files.

A user set lives in ``<ComfyUI user directory>/ltx23-aio/model_sets/<anything>.json`` and has the
shape of a built-in set (README.md, "Your own model sets"). ``"base": "fp8"`` starts from a
built-in set, so a fine-tune needs only the file it replaces.
"""
from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

from ..model_manifest import BUILTIN_SETS, CONTROL_FILES, FILES, Loader, ModelFile, ModelSet
from .auto import GpuFacts, pick_model_set

log = logging.getLogger("ltx23_aio")

AUTO = "auto"
USER_SETS_SUBDIR = Path("ltx23-aio") / "model_sets"
REQUIRED_OUTPUTS = ("model", "video_vae", "audio_vae", "text_encoder", "upscale_model")
FILE_FIELDS = {"name": str, "folder": str, "repo": str, "path": str, "size": int, "sha256": str}
# A set's names become file system paths (in ComfyUI's folders and the Hugging Face cache): no
# part of one may climb out, start at a root or a drive, or be empty.
REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}")
FOLDER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")


def _inside_path(value: str) -> bool:
    parts = value.replace("\\", "/").split("/")
    return bool(value) and not any(p in ("", ".", "..") or ":" in p for p in parts) and "\0" not in value


class ModelSetError(ValueError):
    """A model set file the user wrote is not usable; the message names the file and the fix."""


@dataclass(frozen=True)
class Catalog:
    sets: Mapping[str, ModelSet]
    broken: Mapping[str, str]  # file -> why it was not loaded

    @property
    def names(self) -> list[str]:
        return [AUTO, *self.sets]

    def get(self, name: str) -> ModelSet:
        if name in self.sets:
            return self.sets[name]
        known = ", ".join(self.names)
        hint = "".join(f"\n  {file}: {why}" for file, why in self.broken.items())
        raise ModelSetError(f"unknown model set '{name}'; known: {known}." + (
            f" These model set files could not be read:{hint}" if hint else ""))


def _file(role: str, raw: Any, where: str) -> ModelFile:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not isinstance(raw.get("folder"), str):
        raise ModelSetError(f"{where}: file '{role}' needs at least \"name\" and \"folder\" "
                            f"(e.g. {{\"name\": \"my.safetensors\", \"folder\": \"checkpoints\"}})")
    for key, value in raw.items():
        if key not in FILE_FIELDS:
            raise ModelSetError(f"{where}: file '{role}' has unknown field '{key}'; fields: {', '.join(FILE_FIELDS)}")
        if not isinstance(value, FILE_FIELDS[key]):
            raise ModelSetError(f"{where}: file '{role}' field '{key}' must be a {FILE_FIELDS[key].__name__}")
    if "size" in raw and (isinstance(raw["size"], bool) or raw["size"] < 0):
        raise ModelSetError(f"{where}: file '{role}' size must be a number of bytes")
    if "sha256" in raw and not re.fullmatch(r"[0-9a-fA-F]{64}", raw["sha256"]):
        raise ModelSetError(f"{where}: file '{role}' sha256 must be 64 hexadecimal digits")
    if not _inside_path(raw["name"]):
        raise ModelSetError(f"{where}: file '{role}' name must be a path inside its folder, not '{raw['name']}'")
    if "path" in raw and not _inside_path(raw["path"]):
        raise ModelSetError(f"{where}: file '{role}' path must be a path inside its repository, not '{raw['path']}'")
    if not FOLDER.fullmatch(raw["folder"]):
        raise ModelSetError(f"{where}: file '{role}' folder must be a ComfyUI model folder name such as "
                            f"\"checkpoints\", not '{raw['folder']}'")
    if "repo" in raw and not REPO.fullmatch(raw["repo"]):
        raise ModelSetError(f"{where}: file '{role}' repo must be a Hugging Face repository id "
                            f"(\"owner/name\"), not '{raw['repo']}'")
    known = FILES.get(raw["name"])
    if known and known.folder == raw["folder"] and "repo" not in raw:
        # A file the pack knows (the first distilled LoRA, say) named without its source: where it
        # comes from is the manifest's, and its size unless the set gives one, so it can still be
        # fetched and shown.
        exact = "size" in raw
        return ModelFile(known.name, known.folder, known.repo, known.path, raw["size"] if exact else known.size,
                         size_exact=exact or known.size_exact, sha256=raw.get("sha256", known.sha256))
    return ModelFile(raw["name"], raw["folder"], raw.get("repo"), raw.get("path"), raw.get("size"),
                     size_exact=raw.get("size") is not None, sha256=raw.get("sha256"))


def _loader(name: str, raw: Any, files: Mapping[str, ModelFile], where: str) -> Loader:
    if not isinstance(raw, dict) or not isinstance(raw.get("class_type"), str) or not isinstance(raw.get("inputs", {}), dict):
        raise ModelSetError(f"{where}: loader '{name}' needs \"class_type\" and an \"inputs\" object")
    for key, value in raw.get("inputs", {}).items():
        if isinstance(value, dict):
            if set(value) != {"file"}:
                raise ModelSetError(f"{where}: loader '{name}' input '{key}' may only reference {{\"file\": role}}")
            if value["file"] not in files:
                raise ModelSetError(f"{where}: loader '{name}' input '{key}' uses file '{value['file']}', "
                                    f"which the set does not define (files: {', '.join(files)})")
    return Loader(raw["class_type"], MappingProxyType(dict(raw.get("inputs", {}))))


def parse_model_set(raw: Any, where: str) -> ModelSet:
    """Build a user model set from its JSON data; `where` names it in errors."""
    if not isinstance(raw, dict):
        raise ModelSetError(f"{where}: a model set is a JSON object")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ModelSetError(f"{where}: \"name\" is missing")
    if name == AUTO or name in BUILTIN_SETS:
        raise ModelSetError(f"{where}: the name '{name}' is taken by a built-in choice; pick another")
    base = None
    if "base" in raw:
        if raw["base"] not in BUILTIN_SETS:
            raise ModelSetError(f"{where}: base '{raw['base']}' is not a built-in set ({', '.join(BUILTIN_SETS)})")
        base = BUILTIN_SETS[raw["base"]]

    files = dict(base.files) if base else dict(CONTROL_FILES)
    files.update({role: _file(role, f, where) for role, f in raw.get("files", {}).items()})
    raw_loaders = raw.get("loaders", {})
    loaders = dict(base.loaders) if base else {}
    loaders.update({n: _loader(n, spec, files, where) for n, spec in raw_loaders.items()})
    provides = dict(base.provides) if base else {}
    for what, link in raw.get("provides", {}).items():
        if not (isinstance(link, list) and len(link) == 2 and isinstance(link[0], str) and isinstance(link[1], int)):
            raise ModelSetError(f"{where}: provides '{what}' must be [loader name, output index]")
        provides[what] = (link[0], link[1])
    missing = [w for w in REQUIRED_OUTPUTS if w not in provides]
    if missing:
        raise ModelSetError(f"{where}: \"provides\" lacks {', '.join(missing)}; every mode needs "
                            f"{', '.join(REQUIRED_OUTPUTS)}")
    for what, (loader, _) in provides.items():
        if loader not in loaders:
            raise ModelSetError(f"{where}: provides '{what}' comes from loader '{loader}', which is not defined")
    return ModelSet(
        name=name,
        label=raw.get("label", name),
        description=raw.get("description", ""),
        files=MappingProxyType(files),
        loaders=MappingProxyType(loaders),
        provides=MappingProxyType(provides),
        user_defined=True,
        source=where,
    )


def _set_files(directory: Path | None) -> list[os.DirEntry]:
    if directory is None:  # os.scandir(None) would list the working directory
        return []
    try:
        return sorted((e for e in os.scandir(directory) if e.name.endswith(".json") and e.is_file()),
                      key=lambda e: e.name)
    except (OSError, TypeError):
        return []


def _read(entry: os.DirEntry) -> Any | Exception:
    try:
        with open(entry.path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError, RecursionError) as e:
        return e


_cache: dict[Path | None, tuple[tuple, Catalog]] = {}


def load_catalog(user_dir: str | Path | None) -> Catalog:
    """Built-in sets plus the user's, re-read only when a set file changes.

    ComfyUI builds a node's schema many times per queued prompt, so the unchanged case is one
    directory scan.
    """
    directory = Path(user_dir) / USER_SETS_SUBDIR if user_dir else None
    entries = _set_files(directory)
    stamp = tuple((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in entries)
    cached = _cache.get(directory)
    if cached and cached[0] == stamp:
        return cached[1]
    sets: dict[str, ModelSet] = dict(BUILTIN_SETS)
    broken: dict[str, str] = {}
    for where, raw in ((e.path, _read(e)) for e in entries):
        try:
            if isinstance(raw, Exception):
                raise ModelSetError(f"{where}: not readable JSON ({raw})")
            model_set = parse_model_set(raw, where)
            if model_set.name in sets:
                raise ModelSetError(f"{where}: another file already defines '{model_set.name}'")
            sets[model_set.name] = model_set
        except ModelSetError as e:
            broken[where] = str(e)
            log.warning("LTX2.3 AIO: skipped model set %s", e)
    catalog = Catalog(MappingProxyType(sets), MappingProxyType(broken))
    _cache[directory] = (stamp, catalog)
    return catalog


def choose_model_set(name: str, catalog: Catalog, gpu: GpuFacts | None,
                     is_complete: Callable[[ModelSet], bool]) -> tuple[ModelSet, str | None]:
    """The set ``name`` stands for. For ``auto``: the built-in set that suits the GPU (preferring
    one whose files are all present, as ``is_complete`` says), with the reason to show."""
    if name != AUTO:
        return catalog.get(name), None
    pick = pick_model_set(gpu, lambda set_name: is_complete(BUILTIN_SETS[set_name]))
    return BUILTIN_SETS[pick.name], "auto: " + pick.reason
