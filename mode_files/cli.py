"""The prefetch command, for servers and container builds: ``python <pack folder> models …``.

    python custom_nodes/ltx23-aio models status   --mode t2v --set fp8
    python custom_nodes/ltx23-aio models download --mode all --set fp8 [--comfyui PATH]
                                                  [--base-directory DIR]

It imports no part of ComfyUI (no torch): the model folders are computed the way ComfyUI does by
default (``comfy_paths.FolderMap``). Exit status: 0 every file present (or downloaded), 1 something
missing or a download failed, 2 a usage error.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Sequence, TextIO

from ..model_manifest import human_bytes
from ..model_store import ensure
from ..model_store.comfy_paths import ComfyPaths, ExtraPathsError, FolderMap, NotComfyUI, locate_comfyui
from ..model_store.errors import PACK_DIR, ModelFileError
from ..model_store.hub import Hub
from ..model_store.jobs import DOWNLOADS
from ..model_store.sets import AUTO
from ..nodes.modes import MODES
from .status import FileState, ModeStatus, StatusError, mode_status

log = logging.getLogger("ltx23_aio")


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python {PACK_DIR}", description="LTX2.3 AIO model files.")
    group = parser.add_subparsers(dest="group", required=True)
    models = group.add_parser("models", help="check or download the model files a mode needs")
    actions = models.add_subparsers(dest="action", required=True)
    for action, text in (("status", "say which files are present, where, and which are missing"),
                         ("download", "download the missing files into the Hugging Face cache and "
                                      "link them into ComfyUI's model folders")):
        p = actions.add_parser(action, help=text, description=text)
        p.add_argument("--mode", required=True, help=f"a mode ({', '.join(MODES)}) or 'all'")
        p.add_argument("--set", required=True, dest="model_set",
                       help="a model set: bf16, fp8, nvfp4, or one of yours (ComfyUI/user/ltx23-aio/model_sets)")
        p.add_argument("--preset", help="only the files this preset loads (default: any preset)")
        p.add_argument("--comfyui", help="the ComfyUI folder (default: $COMFYUI_PATH, else the ComfyUI "
                                         "this pack sits in)")
        p.add_argument("--base-directory", metavar="DIR",
                       help="the --base-directory given to ComfyUI's main.py (its models/ and user/ are used)")
        p.add_argument("--extra-model-paths-config", action="append", default=[], metavar="YAML",
                       help="another extra_model_paths.yaml, as given to ComfyUI's main.py")
    return parser


def find_comfyui(given: str | None, base_directory: str | None = None) -> Path | None:
    """The ComfyUI folder; None when only ``base_directory`` is known (then no extra_model_paths.yaml
    beside main.py is read)."""
    try:
        found = locate_comfyui(given)
    except NotComfyUI as e:
        raise UsageError(str(e)) from None
    if found is not None or base_directory is not None:
        return found
    raise UsageError("no ComfyUI folder found: pass --comfyui PATH (and --base-directory DIR if ComfyUI runs "
                     "with one) or set COMFYUI_PATH")


def folder_map(args: argparse.Namespace) -> tuple[FolderMap, Path]:
    """ComfyUI's model folders and its user directory, as its main.py would have them."""
    base = Path(args.base_directory).expanduser().absolute() if args.base_directory else None
    if base is not None and not base.is_dir():
        raise UsageError(f"--base-directory {args.base_directory} is not a folder")
    comfyui = find_comfyui(args.comfyui, args.base_directory)
    folders = FolderMap.for_comfyui(comfyui, args.extra_model_paths_config, base)
    return folders, (base or comfyui) / "user"


class _NotTwice(logging.Filter):
    """A failed download's message is printed by ``main``: not once more by the job's log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, "ltx23_aio_job_error", False)


def _where(s: FileState, comfy: ComfyPaths, hub: Hub) -> str:
    if s.state == "present":
        return s.path + ("  (Hugging Face cache; linked into ComfyUI on first use)" if s.source == "hf_cache" else "")
    dirs = comfy.model_dirs(s.file.folder)
    target = os.path.join(dirs[0], s.file.name) if dirs else f"models/{s.file.folder}/{s.file.name}"
    return f"→ {target}" + (f"  {hub.public_url(s.file.repo, s.file.repo_path)}" if s.file.repo else "")


def print_status(status: ModeStatus, comfy: ComfyPaths, hub: Hub, out: TextIO) -> None:
    preset = status.preset or "any preset"
    print(f"{status.mode.id} ({status.mode.title}) with model set {status.model_set.name}, {preset}:", file=out)
    width = max(len(s.file.name) for s in status.files)
    for s in status.files:
        print(f"  {s.state:<8} {s.role:<15} {s.file.name:<{width}}  {s.file.size_label:>10}  {_where(s, comfy, hub)}",
              file=out)
    missing = [s for s in status.files if s.state != "present"]
    if missing:
        print(f"  {len(missing)} of {len(status.files)} file(s) missing "
              f"(≈{human_bytes(status.missing_bytes)} to download).", file=out)
    else:
        print(f"  all {len(status.files)} file(s) present.", file=out)


class _Bars:
    """One terminal progress bar per file, fed by the download events."""

    def __init__(self):
        from tqdm import tqdm  # a dependency of huggingface_hub
        self._tqdm = tqdm
        self._bars: dict[str, object] = {}

    def __call__(self, event: str, payload: dict) -> None:
        name = payload["file"]
        bar = self._bars.get(name)
        if bar is None:
            bar = self._bars[name] = self._tqdm(total=payload["total"], desc=name, unit="B", unit_scale=True,
                                                unit_divisor=1000, leave=True, file=sys.stderr)
        bar.total = payload["total"]
        bar.update(payload["done"] - bar.n)
        if payload["state"] != "downloading":
            bar.close()


def _statuses(args: argparse.Namespace, comfy: ComfyPaths, hub: Hub) -> list[ModeStatus]:
    modes = list(MODES) if args.mode == "all" else [args.mode]
    return [mode_status(m, args.model_set, comfy=comfy, hub=hub, preset=args.preset) for m in modes]


def _download(statuses: list[ModeStatus], args: argparse.Namespace, comfy: ComfyPaths, hub: Hub) -> None:
    files = {f"{s.mode.id}/{state.role}": state.file for s in statuses for state in s.files}
    stop = DOWNLOADS.listen(_Bars()) if sys.stderr.isatty() else None
    if stop is None:  # build logs: a line per 10 % rather than a bar redrawn with carriage returns
        log.setLevel(logging.INFO)
    jobs_log, not_twice = logging.getLogger("ltx23_aio.models"), _NotTwice()
    jobs_log.addFilter(not_twice)
    try:
        ensure.ensure_files(files, comfy=comfy, hub=hub, mode=args.mode, model_set=args.model_set)
    finally:
        jobs_log.removeFilter(not_twice)
        if stop is not None:
            stop()


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        if args.model_set == AUTO:
            raise UsageError("'auto' picks a set from the GPU ComfyUI runs on, which this command does not "
                             "load; name the set: bf16 (48 GB+ GPUs), fp8 (24 GB+), nvfp4 (Blackwell), or yours")
        if args.mode != "all" and args.mode not in MODES:
            raise UsageError(f"unknown mode '{args.mode}'; modes: {', '.join(MODES)}, all")
        folders, user_dir = folder_map(args)
        comfy = folders.paths(user_dir)
        hub = Hub.from_environment()
        statuses = _statuses(args, comfy, hub)
    except (UsageError, StatusError, ExtraPathsError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    # Also when every file is present: those found only in the Hugging Face cache get linked (a
    # dangling link left by a deleted cache is replaced), so ComfyUI finds them without the pack.
    if args.action == "download":
        try:
            _download(statuses, args, comfy, hub)
        except ModelFileError as e:
            print(f"\n{e}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted: the bytes fetched are kept; run the same command again to resume.", file=sys.stderr)
            return 1
        statuses = _statuses(args, comfy, hub)
    for status in statuses:
        print_status(status, comfy, hub, out)
    return 0 if all(s.complete for s in statuses) else 1
