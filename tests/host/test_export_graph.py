"""The export command's graph, queued over HTTP without the AIO node, makes the node's output."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from harness import ROOT, flush_cache, output_file
from media import probe
from test_media_modes import NODES, media_files, run_ok, values  # noqa: F401  (media_files: fixture)

NODES = {**NODES, "t2v": "LTX23AIO_TextToVideo"}


def exported(server, mode: str, node_values: dict) -> dict:
    args = [sys.executable, str(ROOT), "export", "--mode", mode, "--base-directory", str(server.base),
            "--comfyui", str(server.comfyui)]
    for name, value in node_values.items():
        args += [f"--{name}", str(value)]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("mode", ["t2v", "i2v", "a2v", "lipsync", "keyframe", "style"])
def test_exported_graph_gives_the_nodes_frames_and_audio(server, mode):
    own = values(mode if mode != "t2v" else "i2v", seed=61)
    if mode == "t2v":
        own = {k: v for k, v in own.items() if k not in ("image", "image_strength")}
    made = run_ok(server, {"10": {"class_type": NODES[mode], "inputs": own}})
    graph = exported(server, mode, {**own, "filename_prefix": f"export/{mode}"})
    assert NODES[mode] not in {n["class_type"] for n in graph.values()}
    flush_cache(server)
    again = run_ok(server, graph)
    samplers = {"pass1_sample"} if mode == "style" else {"stage1_sample", "stage2_sample"}
    assert samplers | {"load_checkpoint"} <= set(again.executed)  # computed afresh, not from the cache
    a, b = probe(output_file(server, made)), probe(output_file(server, again))
    assert a.frames.shape[0] == 17
    assert np.array_equal(a.frames, b.frames)
    assert np.array_equal(a.audio, b.audio)
