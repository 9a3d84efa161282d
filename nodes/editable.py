""""Open as editable nodes": the graph an AIO node runs for its current values, for the browser
to rebuild as core nodes inside a subgraph.

The browser sends the node's widget values, which inputs are wired, and the values of wired
primitive nodes it could read. The answer is the plan's own graph (the one the node expands to,
with the same checks and errors) plus where each wired value enters it, so the browser can link
the upstream nodes to exactly those inputs:

* values that pass through to the graph unchanged (prompt, negative prompt, seed, strengths,
  filename prefix, media sockets) keep their links;
* values that decide the graph's shape (size, length, fps, preset, model set, a video's start,
  choices) cannot stay links: the graph is built for one value. A primitive's value is built in
  (and its link dropped, said in a note); a value known only when the graph runs is refused.
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Mapping

from .modes import MODES, ChoiceInput, Mode
from .plan import RunPlan
from .workflow import is_link

# Inputs that decide which nodes exist or their sizes and frame counts.
SHAPING = ("width", "height", "duration", "fps", "preset", "models")
# A source video's start decides how many frames it has left, so it shapes the clip too.
SHAPING_NUMBERS = ("video_start",)
PLACEHOLDER_PROMPT = "(wired)"
WIRED_MEDIA = "__ltx23aio_wired__:"  # stands for an upstream node in the plan's graph
TRIM_NODE = "prompt_trim"


class EditableError(ValueError):
    """The request cannot become editable nodes; the message names the input and the fix."""


def shaping_inputs(mode: Mode) -> set[str]:
    # A media file name (its widget wired) decides the loader and is read for its size and length.
    return {*SHAPING, *SHAPING_NUMBERS, *(i.name for i in mode.inputs if isinstance(i, ChoiceInput)),
            *(m.name for m in mode.media), *mode.source_shaping}


def _in_list(mode: Mode, name: str) -> bool:
    """A list's count or one of its rows' inputs (``loras.lora_strength1``): each decides nodes or
    their fixed values (a keyframe's frame), so the graph is built for its value."""
    return any(name == lst.name or name.startswith(lst.name + ".") for lst in mode.lists)


def _known_inputs(mode: Mode) -> set[str]:
    names = {*mode.defaults, "filename_prefix"}
    for m in mode.media:
        names |= {m.name, m.socket}
    return names


def _known(mode: Mode, name: str, known: set[str]) -> bool:
    return name in known or _in_list(mode, name)


def _check_request(body: Any) -> tuple[Mode, dict, set[str], dict]:
    if not isinstance(body, dict):
        raise EditableError('send a JSON object: {"mode": "t2v", "values": {...}, "wired": {...}}')
    mode = MODES.get(body.get("mode"))
    if mode is None:
        raise EditableError(f"unknown mode {body.get('mode')!r}; use one of {', '.join(MODES)}.")
    values, wired, primitives = body.get("values", {}), body.get("wired", {}), body.get("primitives", {})
    if not all(isinstance(x, dict) for x in (values, wired, primitives)):
        raise EditableError("values, wired and primitives must be JSON objects keyed by input name.")
    known = _known_inputs(mode)
    unknown = sorted(k for k in wired if not _known(mode, k, known))
    if unknown:
        raise EditableError(f"{mode.title} has no input {', '.join(unknown)}; known inputs: {', '.join(sorted(known))}.")
    return (mode, {k: v for k, v in values.items() if _known(mode, k, known)}, {k for k, on in wired.items() if on},
            primitives)


def expand_request(body: Any, make_plan: Callable[[Mode, dict], RunPlan]) -> dict:
    """The answer to POST /ltx23_aio/expand; raises EditableError, or the plan's RunError, with the fix."""
    mode, given, wired, primitives = _check_request(body)
    shaping = shaping_inputs(mode)
    sockets = {m.socket: m for m in mode.media}
    values = {**mode.defaults, **given}
    notes: list[str] = []
    dropped: dict[str, str] = {}
    linked: list[str] = []  # wired inputs whose links the editable graph keeps
    for name in sorted(wired):
        if name in sockets:
            values[name] = [WIRED_MEDIA + name, 0]
            linked.append(name)
        elif name in shaping or _in_list(mode, name):
            if name not in primitives:
                raise EditableError(
                    f"{name} is wired to a node whose value is known only when the graph runs, and {name} "
                    f"decides the graph itself (sizes, frame counts, nodes, files). Type {name} on the node, or "
                    f"wire it from a primitive node (e.g. PrimitiveInt) whose value can be read, then open it "
                    f"as editable nodes again.")
            values[name] = primitives[name]
            dropped[name] = (f"{name}: the wired value {primitives[name]!r} is built into the graph (it decides "
                             f"its shape); that link is not kept.")
        else:
            if name in primitives:
                values[name] = primitives[name]  # plans (and checks) with the real value
            elif name == "prompt":
                values[name] = PLACEHOLDER_PROMPT  # the widget's text may be empty, which does not plan
            linked.append(name)

    plan = make_plan(mode, values)
    expansion = plan.expansion
    graph = copy.deepcopy(dict(expansion.graph))
    inputs: dict[str, list[list[str]]] = {}
    for name in linked:
        if name in sockets:
            link = [WIRED_MEDIA + name, 0]
            uses = [[node_id, key] for node_id, node in graph.items()
                    for key, v in node["inputs"].items() if v == link]
        else:
            uses = [[node_id, key] for node_id, key in _verbatim_uses(expansion.params, name)]
        if not uses:
            dropped[name] = f"{name}: this graph does not use it, so its link is not kept."
            continue
        for node_id, key in uses:
            graph[node_id]["inputs"][key] = None  # the browser links it
        if name == "prompt":
            # The node trims spaces around the prompt; so does core's StringTrim, exactly (str.strip).
            for node_id, key in uses:
                graph[node_id]["inputs"][key] = [TRIM_NODE, 0]
            graph[TRIM_NODE] = {"class_type": "StringTrim", "inputs": {"string": None, "mode": "Both"}}
            uses = [[TRIM_NODE, "string"]]
        inputs[name] = uses

    notes += list(dropped.values())
    if "prompt" in inputs:
        notes.append("prompt: wired text is trimmed by a StringTrim node, as the AIO node trims it; an empty "
                     "prompt is not refused there.")
    notes += [f"used: {change}" for change in plan.geometry.changes] + list(plan.notes)
    if plan.missing:
        names = ", ".join(f.name for f in plan.missing.values())
        notes.append(f"{len(plan.missing)} model file(s) are not on this machine yet ({names}): the AIO node "
                     f"downloads them when it runs, the core loaders do not. Download them in the LTX2.3 AIO "
                     f"sidebar before queuing.")
    return {
        "mode": mode.id,
        "title": f"{mode.display_name} (editable)",
        "summary": plan.summary(),
        "graph": graph,
        # The prompt output is the typed text itself when the enhancer is off: no node gives it,
        # so the subgraph has no such output (the text is in the graph's prompt widget).
        "outputs": {name: list(link) for name, link in zip(mode.outputs, expansion.outputs) if is_link(link)},
        "inputs": inputs,
        "params": {name: [[n, k] for n, k, _ in uses] for name, uses in expansion.params.items()},
        "dropped": sorted(dropped),
        "notes": notes,
    }


def _verbatim_uses(params: Mapping[str, tuple], name: str) -> list[tuple[str, str]]:
    uses = params.get(name, ())
    converted = [f"{n}.{k} (as {c})" for n, k, c in uses if c]
    if converted:
        raise EditableError(f"{name} enters the graph converted at {', '.join(converted)}, which a link cannot "
                            f"do: type {name} on the node instead of wiring it.")
    return [(n, k) for n, k, _ in uses]
