"""Import the pack under the fixed name ``ltx23_aio`` whatever its folder is called (ComfyUI
loads it by path, so the folder may be ``ltx23-aio``, which is no Python name)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_pack():
    if "ltx23_aio" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "ltx23_aio", ROOT / "__init__.py", submodule_search_locations=[str(ROOT)])
        module = importlib.util.module_from_spec(spec)
        sys.modules["ltx23_aio"] = module
        spec.loader.exec_module(module)
    return sys.modules["ltx23_aio"]
