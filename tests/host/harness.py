"""Helpers the host-tier tests share: the tiny model set, base directories, cache flushing."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

from comfy_server import ComfyServer

HOST_TESTS = Path(__file__).resolve().parent
ROOT = HOST_TESTS.parents[1]
TINY_SET = json.loads((HOST_TESTS / "tiny_model_set.json").read_text())
USER_SETS = Path("ltx23-aio") / "model_sets"


def make_base(base: Path, tiny_models: Path, model_sets: list[dict] = (TINY_SET,)) -> Path:
    """A ComfyUI base directory with the tiny files linked into models/ and the model sets."""
    ComfyServer.prepare_base(base)
    for folder in tiny_models.iterdir():
        for f in folder.iterdir():
            (base / "models" / folder.name).mkdir(parents=True, exist_ok=True)
            target = base / "models" / folder.name / f.name
            if not target.exists():
                target.symlink_to(f)
    sets_dir = base / "user" / USER_SETS
    sets_dir.mkdir(parents=True, exist_ok=True)
    for s in model_sets:
        (sets_dir / f"{s['name']}.json").write_text(json.dumps(s))
    return base


def flush_cache(srv: ComfyServer) -> None:
    """Drop every cached node output and model, so the next run computes everything again.

    ComfyUI applies /free after the next prompt it runs, so a trivial prompt carries it out.
    """
    srv.request("POST", "/free", {"free_memory": True, "unload_models": True})
    srv.run({"1": {"class_type": "PrimitiveString", "inputs": {"value": uuid.uuid4().hex}},
             "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}})


def output_file(srv: ComfyServer, result) -> Path:
    videos = result.outputs_of("images")
    assert len(videos) == 1, f"expected one saved video, history outputs: {result.history.get('outputs')}"
    v = videos[0]
    return srv.base / "output" / v["subfolder"] / v["filename"]

