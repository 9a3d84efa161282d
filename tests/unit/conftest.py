"""Fixtures for the model store: a fake hub on loopback, a hermetic Hugging Face environment and a
ComfyUI folder layout in a temporary directory."""
from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: fake_hub

from fake_hub import FakeHub  # noqa: E402
from ltx23_aio.model_manifest import ModelFile  # noqa: E402
from ltx23_aio.model_store.comfy_paths import ComfyPaths, FolderMap  # noqa: E402
from ltx23_aio.model_store.hub import Hub  # noqa: E402
from ltx23_aio.model_store.sets import USER_SETS_SUBDIR  # noqa: E402

TOKEN = "hf_ltx23aioTESTtokenDoNotLeak0123456789"
FAST_RETRIES = (0.05, 0.05)
ROLES = {"checkpoint": "checkpoints", "text_encoder": "text_encoders", "distilled_lora": "loras",
         "upscaler": "latent_upscale_models"}  # the files t2v loads


@pytest.fixture
def fake_hub():
    hub = FakeHub().start()
    yield hub
    hub.stop()


@pytest.fixture
def hf_env(tmp_path, monkeypatch, fake_hub) -> Hub:
    """HF_* pointing at temporary folders and the fake hub; a fake token so no real one is read."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    monkeypatch.setenv("HF_ENDPOINT", fake_hub.hub_url)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                 "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return Hub.from_environment(retry_waits=FAST_RETRIES)


@pytest.fixture
def comfyui(tmp_path) -> Path:
    root = tmp_path / "ComfyUI"
    (root / "models").mkdir(parents=True)
    (root / "main.py").write_text("")
    return root


@pytest.fixture
def comfy(comfyui) -> ComfyPaths:
    return FolderMap.for_comfyui(comfyui).paths(comfyui / "user")


def new_repo() -> str:
    return f"test/r{uuid.uuid4().hex[:12]}"


def payload(size: int, seed: int = 0) -> bytes:
    block = uuid.UUID(int=seed).bytes * 4096
    return (block * (size // len(block) + 1))[:size]


@pytest.fixture
def hub_file(fake_hub):
    """Serve bytes from the fake hub and return the ModelFile that names them."""
    def make(size: int = 2_000_000, *, name: str = "model.safetensors", folder: str = "checkpoints",
             path: str | None = None, data: bytes | None = None, exact: bool = False, **options) -> ModelFile:
        repo = new_repo()
        data = payload(size) if data is None else data
        fake_hub.add(repo, path or name, data, **options)
        return ModelFile(name, folder, repo, path, len(data), size_exact=exact)
    return make


@pytest.fixture
def tiny_set(comfyui, fake_hub):
    """A user model set whose files the fake hub serves."""
    files = {}
    for i, (role, folder) in enumerate(ROLES.items()):
        repo, name = new_repo(), f"tiny-{role}.safetensors"
        data = payload(300_000 + i, seed=i + 1)
        fake_hub.add(repo, f"weights/{name}", data)
        files[role] = {"name": name, "folder": folder, "repo": repo, "path": f"weights/{name}", "size": len(data)}
    path = comfyui / "user" / USER_SETS_SUBDIR / "tiny.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"name": "tiny", "base": "fp8", "files": files}))
    return files
