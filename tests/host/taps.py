"""A mode's expanded graph, built by the pack's own code, with SaveLatent taps on inner links.

Inner nodes' outputs are not visible from outside a super-node, so latent-level checks queue the
same expansion directly, plus core SaveLatent nodes on the links under test.
"""
from __future__ import annotations

import uuid
from pathlib import Path

from harness import TINY_SET
from ltx23_aio.model_store.sets import parse_model_set
from ltx23_aio.nodes.media import MediaInfo, shape_clip, sources
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.plan import run_params
from ltx23_aio.nodes.settings import resolve_geometry
from ltx23_aio.nodes.workflow import build, load_long, load_presets, load_workflow
from safetensors.torch import load_file

TINY = parse_model_set(TINY_SET, "tiny_model_set.json")


def expansion(mode_id: str, values: dict, preset: str = "Fast") -> dict:
    mode = MODES[mode_id]
    v = {**mode.defaults, **values}
    media, _ = sources(mode, v, lambda kind, name: MediaInfo(kind))
    geometry, _ = shape_clip(mode, v, {}, resolve_geometry(v["width"], v["height"], v["duration"], v["fps"],
                                                           mode.longest_seconds))
    params = run_params(mode, v, v["prompt"], geometry)
    long = load_long(mode_id) if len(geometry.windows) > 1 else None  # as the plan does
    return build(load_workflow(mode_id), load_presets(mode_id)[preset], params, TINY, media, long).graph


def tap(graph: dict, name: str, link: list) -> str:
    prefix = f"taps/{name}-{uuid.uuid4().hex[:6]}"
    graph[f"tap_{name}"] = {"class_type": "SaveLatent", "inputs": {"samples": link, "filename_prefix": prefix}}
    return f"tap_{name}"


def tapped(server, result, name: str):
    saved = result.history["outputs"][f"tap_{name}"]["latents"][0]
    return load_file(str(Path(server.base) / "output" / saved["subfolder"] / saved["filename"]))["latent_tensor"]
