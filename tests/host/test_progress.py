"""Progress by stage on the AIO node: its text names the stage, its bar covers the whole run."""
from __future__ import annotations

from harness import flush_cache
from test_t2v import t2v

# In the order they run; ComfyUI may decode the audio before or after the video.
STAGES = ["load models", "encode prompt", "stage 1 · step", "upscale", "stage 2 · ", ("decode video", "decode audio"),
          "save"]


def js_order(keys) -> list[str]:
    """The order a browser iterates an object's keys in: integer-like ones first, ascending."""
    numeric = sorted((k for k in keys if k.isdigit()), key=int)
    return numeric + [k for k in keys if not k.isdigit()]


def shown_bar(result, node: str = "10") -> list[float]:
    """The AIO node's bar after each progress_state message, merged as ComfyUI's frontend (1.45,
    mergeExecutionProgressStates) merges the entries displayed on one node: in key order, a running
    entry replaces the merged one if that is not running, at 0, or further on."""
    bars = []
    for e in result.events:
        if e["type"] != "progress_state":
            continue
        nodes = e["data"]["nodes"]
        merged = None
        for key in js_order(nodes):
            n = nodes[key]
            if n.get("display_node_id") != node:
                continue
            if merged is None:
                merged = dict(n)
            elif merged["state"] != "error" and n["state"] == "running":
                share = n["value"] / n["max"] if n["max"] > 0 else 0
                now = merged["value"] / merged["max"] if merged["max"] > 0 else 0
                if merged["state"] != "running" or now == 0 or share < now:
                    merged.update(value=n["value"], max=n["max"])
                merged["state"] = "running"
        if merged and merged["state"] == "running":
            bars.append(merged["value"] / merged["max"] if merged["max"] else 0)
    return bars


def test_the_node_names_each_stage_in_order_and_ends_on_the_summary(server):
    flush_cache(server)
    result = server.run(t2v(seed=81))
    assert result.status == "success", result.error
    texts = [text for node, text in result.node_texts if node == "10"]
    firsts = [next(i for i, t in enumerate(texts) if t.startswith(stage)) for stage in STAGES]
    assert firsts == sorted(firsts), texts
    assert any(t.startswith("decode video") for t in texts) and any(t.startswith("decode audio") for t in texts)
    assert "stage 1 · step 8/8" in [t.split("\n")[0] for t in texts]
    assert texts[-1].startswith("Text → Video · Fast · model set tiny")


def test_the_bar_covers_the_whole_run_and_never_restarts(server):
    flush_cache(server)
    result = server.run(t2v(seed=82))
    assert result.status == "success", result.error
    bar = shown_bar(result)
    assert len(bar) > 10
    assert bar == sorted(bar), bar
    assert bar[-1] > 0.9


def test_a_rerun_whose_models_are_cached_ends_on_the_summary_with_a_full_bar(server):
    server.run(t2v(seed=83))
    result = server.run(t2v(seed=84))  # only the samplers onwards run
    assert result.status == "success", result.error
    assert not any(t.startswith("load models") for n, t in result.node_texts if n == "10")
    assert [t for n, t in result.node_texts if n == "10"][-1].startswith("Text → Video · Fast · model set tiny")
    bar = shown_bar(result)
    assert bar == sorted(bar) and next(b for b in bar if b) > 0.3 and bar[-1] > 0.9, bar  # cached loaders count


def test_a_run_with_a_wired_seed_keeps_one_bar_too(server):
    flush_cache(server)
    prompt = t2v()
    prompt["1"] = {"class_type": "PrimitiveInt", "inputs": {"value": 85}}
    prompt["10"]["inputs"]["seed"] = ["1", 0]  # the AIO node expands into a run node first
    result = server.run(prompt)
    assert result.status == "success", result.error
    bar = shown_bar(result)
    assert len(bar) > 10 and bar == sorted(bar) and bar[-1] > 0.9, bar
    assert [t for n, t in result.node_texts if n == "10"][-1].startswith("Text → Video · Fast · model set tiny")


def test_a_failed_run_replaces_the_nodes_text_with_the_failure(server):
    prompt = t2v()
    prompt["1"] = {"class_type": "PrimitiveInt", "inputs": {"value": 8}}
    prompt["10"]["inputs"]["width"] = ["1", 0]  # wired: checked when it runs
    result = server.run(prompt)
    assert result.status == "error"
    assert [t for n, t in result.node_texts if n == "10"][-1] == \
        "failed: width 8 is out of range: use 64–4096 pixels."
