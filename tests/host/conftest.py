"""Host-tier fixtures: tiny model files, and a real ComfyUI with this pack and those files.

Only collected when a ComfyUI was found (tests/conftest.py). What cannot exist here is the
Gemma text encoder: the tiny model set names a random CLIP-L tower through CLIPLoader instead,
declared like any user's model set (tests/host/tiny_model_set.json).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: fake_hub

from comfy_server import ComfyServer  # noqa: E402
from fake_hub import FakeHub  # noqa: E402
from harness import ROOT, hub_env, make_base  # noqa: E402


@pytest.fixture(scope="session")
def comfyui(request) -> Path:
    return request.config.comfyui_path  # found by tests/conftest.py before collection


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory, comfyui) -> Path:
    """A ComfyUI `models` folder holding the tiny LTX-2.3 files."""
    out = tmp_path_factory.mktemp("tiny_models")
    python = os.environ.get("COMFYUI_PYTHON", sys.executable)
    subprocess.run([python, str(ROOT / "tests" / "tiny_models.py"), str(out), "--comfyui", str(comfyui)],
                   check=True)
    return out


@pytest.fixture(scope="session")
def hub():
    """A Hugging Face hub on loopback (the real one is out of reach here)."""
    fake = FakeHub().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory, comfyui, tiny_models, hub):
    """One ComfyUI with ComfyUI's default cache, shared by the tests that need no special flags.
    Its Hugging Face cache is its own and its hub is the loopback one; no token is sent."""
    base = make_base(tmp_path_factory.mktemp("comfy"), tiny_models)
    srv = ComfyServer(comfyui, base, env=hub_env(hub, base)).start()
    yield srv
    srv.stop()
