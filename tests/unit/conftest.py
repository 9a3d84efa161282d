"""Fixtures for the model store: a ComfyUI folder layout in a temporary directory."""
from __future__ import annotations

from pathlib import Path

import pytest

from ltx23_aio.model_store.comfy_paths import ComfyPaths, FolderMap


@pytest.fixture
def comfyui(tmp_path) -> Path:
    root = tmp_path / "ComfyUI"
    (root / "models").mkdir(parents=True)
    (root / "main.py").write_text("")
    return root


@pytest.fixture
def comfy(comfyui) -> ComfyPaths:
    return FolderMap.for_comfyui(comfyui).paths(comfyui / "user")
