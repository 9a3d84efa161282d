"""Test set-up shared by both tiers.

The pack's folder may have any name (ComfyUI loads it by path), so it is imported here under the
fixed name ``ltx23_aio``. Tests under ``tests/host/`` need a real ComfyUI: found through
``COMFYUI_PATH`` or because the pack sits in a ComfyUI ``custom_nodes`` folder; without one they
are not collected and the header says so in one line.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from pack_import import ROOT, load_pack  # noqa: E402

HOST_DIR = ROOT / "tests" / "host"


def find_comfyui() -> Path | None:
    env = os.environ.get("COMFYUI_PATH")
    if env:
        path = Path(env).expanduser().resolve()
        if not (path / "main.py").is_file():
            raise pytest.UsageError(f"COMFYUI_PATH={env} has no main.py; point it at a ComfyUI checkout")
        return path
    parent = ROOT.resolve().parent
    if parent.name == "custom_nodes" and (parent.parent / "main.py").is_file():
        return parent.parent
    return None


load_pack()
COMFYUI = find_comfyui()


def pytest_configure(config: pytest.Config) -> None:
    config.comfyui_path = COMFYUI  # read by the host tier's fixtures


def pytest_report_header(config: pytest.Config) -> str:
    if COMFYUI is None:
        return ("host tier: SKIPPED — no ComfyUI found (set COMFYUI_PATH=/path/to/ComfyUI and run "
                "with the Python that runs it)")
    python = os.environ.get("COMFYUI_PYTHON", sys.executable)
    return f"host tier: ComfyUI at {COMFYUI} (python {python})"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if COMFYUI is None and (collection_path == HOST_DIR or HOST_DIR in collection_path.parents):
        return True
    return None
