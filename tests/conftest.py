"""Test set-up shared by both tiers.

The pack's folder may have any name (ComfyUI loads it by path), so it is imported here under the
fixed name ``ltx23_aio``. Tests under ``tests/host/`` need a real ComfyUI: found through
``COMFYUI_PATH`` or because the pack sits in a ComfyUI ``custom_nodes`` folder; without one (or
with ``LTX23_AIO_NO_HOST`` set) they are not collected and the header says so in one line.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from pack_import import ROOT, load_pack  # noqa: E402

HOST_DIR = ROOT / "tests" / "host"


# What a ComfyUI checkout has and a folder merely named ComfyUI (a test fixture, a download
# folder, a portable install's outer folder) lacks; the host tier starts main.py and imports the rest.
COMFYUI_FILES = ("main.py", "nodes.py")
COMFYUI_DIRS = ("comfy",)


def missing_parts(path: Path) -> list[str]:
    return ([f for f in COMFYUI_FILES if not (path / f).is_file()]
            + [f"{d}/" for d in COMFYUI_DIRS if not (path / d).is_dir()])


def find_comfyui() -> tuple[Path | None, str]:
    """The ComfyUI the host tier runs against, or None and why there is none."""
    if os.environ.get("LTX23_AIO_NO_HOST"):
        return None, "LTX23_AIO_NO_HOST is set (unit tier only)"
    env = os.environ.get("COMFYUI_PATH")
    if env:
        path = Path(env).expanduser().resolve()
        if missing_parts(path):
            raise pytest.UsageError(f"COMFYUI_PATH={env} is not a ComfyUI checkout (no "
                                    f"{', '.join(missing_parts(path))} there); point it at one")
        return path, ""
    parent = ROOT.resolve().parent
    if parent.name == "custom_nodes":
        if not missing_parts(parent.parent):
            return parent.parent, ""
        return None, (f"{parent.parent} holds this pack in custom_nodes/ but is not a ComfyUI checkout "
                      f"(no {', '.join(missing_parts(parent.parent))}); set COMFYUI_PATH to one")
    return None, ("no ComfyUI found (set COMFYUI_PATH=/path/to/ComfyUI and run with the Python that "
                  "runs it)")


load_pack()
COMFYUI, WHY_NO_COMFYUI = find_comfyui()


def pytest_configure(config: pytest.Config) -> None:
    config.comfyui_path = COMFYUI  # read by the host tier's fixtures


def pytest_report_header(config: pytest.Config) -> str:
    if COMFYUI is None:
        return f"host tier: SKIPPED — {WHY_NO_COMFYUI}"
    python = os.environ.get("COMFYUI_PYTHON", sys.executable)
    return f"host tier: ComfyUI at {COMFYUI} (python {python})"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if COMFYUI is None and (collection_path == HOST_DIR or HOST_DIR in collection_path.parents):
        return True
    return None
