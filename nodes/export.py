"""``python <pack folder> export --mode MODE [--<input> VALUE …]``: the API-format graph of a run.

Prints the graph an AIO node with these values expands to — the same plan, checks and errors —
so a server can queue it without this pack. Like the prefetch command it imports no part of
ComfyUI (no torch) and needs no model file present: missing files are named on stderr with the
folder they belong in. Media are file names in ComfyUI's input folder; reading them needs PyAV,
which ComfyUI's Python has. Exit status: 0 printed, 2 a usage error or values that do not plan.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence, TextIO

from ..model_store.comfy_paths import DEFAULT_FOLDERS, FolderMap, NotComfyUI, locate_comfyui
from ..model_store.sets import AUTO
from .media import MediaError
from .modes import MODES, Mode, NumberInput
from .plan import Environment, RunError, plan_run

PACK_DIR = Path(__file__).resolve().parents[1]
TEXT_INPUTS = ("prompt", "negative_prompt", "preset", "models", "filename_prefix")


def _parser(mode: Mode | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python {PACK_DIR.name} export",
        description="Print the API-format graph an AIO node runs for these values.")
    parser.add_argument("--mode", required=True, choices=list(MODES))
    parser.add_argument("--set", dest="models", help="the model set (same as --models)")
    parser.add_argument("--comfyui", help="the ComfyUI folder whose model folders, user model sets and input "
                                          "folder to use (default: $COMFYUI_PATH, else the one this pack sits in)")
    parser.add_argument("--base-directory", help="as given to ComfyUI's main.py: models/, user/ and input/ "
                                                 "are read from there")
    if mode is None:
        return parser
    for name, default in mode.defaults.items():
        if name in mode.fixed:  # not the mode's to set (Text → Audio has no size)
            continue
        if name == "models":
            parser.add_argument("--models", dest="models", default=None)
            continue
        kind = type(default) if name not in TEXT_INPUTS else str
        parser.add_argument(f"--{name}", type=kind, default=None, metavar=kind.__name__.upper())
    parser.add_argument("--filename_prefix", default=None)
    for m in mode.media:
        parser.add_argument(f"--{m.name}", metavar="FILE", help=f"the {m.kind}, in ComfyUI's input folder")
    for lst in mode.lists:  # a row's input as the node names it: --loras 1 --loras.lora_name1 FILE
        for number in lst.rows(lst.most):
            for f in lst.fields:
                number_field = isinstance(f, NumberInput)
                parser.add_argument(f"--{lst.name}.{f.name}{number}", type=float if number_field else str,
                                    default=None, metavar="FLOAT" if number_field else "FILE",
                                    help=f"{f.tooltip} (row {number}; rows after the first alike)"
                                    if number == lst.rows(lst.most)[0] else argparse.SUPPRESS)
    return parser


def _probe(input_dir: Path):
    def probe(kind: str, name: str):
        path = input_dir / name
        if not path.is_file():
            raise MediaError(f"the {kind} '{name}' is not in {input_dir}; copy it there or pass --comfyui.")
        try:
            from .host import _read_media
            return _read_media(kind, str(path))
        except ImportError as e:
            raise MediaError(f"reading the {kind} '{name}' needs PyAV ({e}): run this with ComfyUI's Python.") from e
        except Exception as e:  # av raises many types for damaged files
            raise MediaError(f"the {kind} '{name}' cannot be read ({e}); it may be damaged.") from e
    return probe


def environment(comfyui: Path | None, base: Path | None) -> tuple[Environment, FolderMap]:
    root = base or comfyui
    folders = (FolderMap.for_comfyui(root) if root else FolderMap({f: [] for f in DEFAULT_FOLDERS}))
    env = Environment(
        user_dir=str(root / "user") if root else None,
        node_classes=_Everything(),  # core nodes cannot be listed without ComfyUI; the server checks them
        model_folders={*DEFAULT_FOLDERS, "unet", "clip"},
        locate=lambda f: folders.find(f.folder, f.name),
        unavailable=lambda files, mode, model_set: None,  # missing files are named, not refused
        probe=_probe(root / "input" if root else Path("input")),
    )
    return env, folders


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


def export(mode: Mode, values: dict, env: Environment) -> tuple[dict, list[str]]:
    """The graph and a line per model file that is not present."""
    plan = plan_run(mode, {**mode.defaults, **values}, env)
    notes = [f"missing model file: {f.name} (role {role}) → models/{f.folder}/" for role, f in plan.missing.items()]
    return plan.expansion.graph, notes


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    known, _ = _parser(None).parse_known_args(argv)  # the mode decides which inputs exist
    mode = MODES[known.mode]
    args = _parser(mode).parse_args(argv)
    values = {k: v for k, v in vars(args).items()
              if v is not None and k not in ("mode", "comfyui", "base_directory")}
    values.setdefault("models", AUTO)
    if "prompt" not in values:
        print("export: --prompt is required: describe the scene, the motion and the sound.", file=err)
        return 2
    try:
        base = Path(args.base_directory).expanduser().absolute() if args.base_directory else None
        env, _ = environment(locate_comfyui(args.comfyui), base)
        graph, notes = export(mode, values, env)
    except (NotComfyUI, RunError) as e:
        print(f"export: {e}", file=err)
        return 2
    for line in notes:
        print(line, file=err)
    json.dump(graph, out, indent=1, ensure_ascii=False)
    out.write("\n")
    return 0

