"""Turn a mode's workflow (data in ``workflows/modes/``) into the API-format graph a super-node expands.

A workflow names its nodes in words (``stage1_sampler``), and its input values are either plain
values, links ``[node, output]``, or references bound here by name:

* ``{"param": "seed"}`` — a value of this run (``"as": "float"`` converts it; inner nodes get no
  type coercion from ComfyUI, so the types must already be right);
* ``{"file": "distilled_lora"}`` — the file the model set names for that role;
* ``{"model_set": "text_encoder"}`` — an output of the model set's loaders, which are added to
  the graph as ``load_<name>`` nodes;
* ``{"media": "image"}`` — the mode's media input: a core loader node (``media_<name>``) reading
  the uploaded file, or, when the user wired the socket, that link itself (outside the graph).

A preset patches nodes by name, then the option picked for each of the workflow's ``"choices"``
does; nodes that no output reaches afterwards are dropped, so the graph holds exactly what runs.
A clip longer than the model's window gets ``long.json`` on top: its nodes are added and the
model-set outputs it names come from them instead.
The options a user turns on (``workflows/options/<name>.json``) patch the result the same way,
after the preset, and may add nodes and outputs; in an option, ``{"was": "node.input"}`` is
that input's value before the option (the preset's stage-1 model, say), so one option fits
every preset and mode.

Two things vary in number: the user's LoRAs (run value ``loras``: ``[[file, strength], …]``)
become a chain of ``user_lora_<n>`` nodes on the model set's model, which every other
``{"model_set": "model"}`` reads through (the long-clip wrapper too), so they patch the video model
under whatever the workflow adds (the distilled LoRA, the IC-LoRA); and a workflow's ``"repeat"``
block is added once per row of a list (see ``apply_repeat``).
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from ..model_manifest import ModelFile, ModelSet

# A subfolder: ComfyUI lists every top-level JSON file of a pack's `workflows/` folder in its
# Templates browser, and these graphs are no templates.
WORKFLOW_DIR = Path(__file__).resolve().parent.parent / "workflows" / "modes"
OPTION_DIR = WORKFLOW_DIR.parent / "options"
LOADER_PREFIX = "load_"
MEDIA_PREFIX = "media_"
CONVERSIONS = {"float": float, "int": int, "str": str}
LORAS_PARAM = "loras"
USER_LORA_PREFIX = "user_lora_"


class WorkflowError(ValueError):
    """The workflow data, a preset or a model set does not fit together."""


@dataclass(frozen=True)
class MediaSource:
    """Where a media input comes from: a file in ComfyUI's input folder, or a link the user wired."""

    loader: str | None = None  # core node that reads the file, e.g. "LoadImage"
    loader_input: str | None = None
    file: str | None = None
    link: tuple[str, int] | None = None


@dataclass(frozen=True)
class Expansion:
    graph: dict[str, dict]  # node id -> {"class_type", "inputs"}
    outputs: tuple[list, ...]  # links for the super-node's outputs, in the mode's output order
    files: Mapping[str, ModelFile]  # role -> file, only the files this graph loads
    # Where each run value lands: param -> ((node id, input, conversion or None), ...). The
    # editable-nodes route links a wired value to exactly these inputs.
    params: Mapping[str, tuple[tuple[str, str, str | None], ...]] = field(default_factory=dict)

    @property
    def class_types(self) -> set[str]:
        return {node["class_type"] for node in self.graph.values()}


@lru_cache(maxsize=None)
def _load_json(name: str) -> dict:
    return json.loads((WORKFLOW_DIR / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def load_workflow(mode: str) -> dict:
    """A mode's workflow, resolved; shared and read-only (``build`` copies what it patches).

    A workflow may build on another: ``"base"`` names it, ``"include"`` lists modes whose own
    nodes are applied too (lipsync = image → video + audio → video), then its own ``"nodes"``
    patch the result the way presets do, or add nodes.
    """
    raw = _load_json(f"{mode}.json")
    if "base" not in raw:
        return raw
    base = load_workflow(raw["base"])
    nodes, outputs = base["nodes"], dict(base["outputs"])
    for other in [*raw.get("include", []), mode]:
        own = _load_json(f"{other}.json")
        nodes = patch_nodes(nodes, own.get("nodes", {}), allow_new=True)
        outputs.update(own.get("outputs", {}))
    resolved = {k: v for k, v in raw.items() if k not in ("base", "include")}
    resolved.update(nodes=nodes, outputs=outputs, output_nodes=raw.get("output_nodes", base["output_nodes"]))
    # How the recipe differs from the official graphs: what the base and the included modes say
    # holds here too, then this mode's own. Each note starts with its topic ("Samplers: …"); a
    # later note on the same topic replaces the inherited one (Dub video samples with plain euler,
    # so t2v's note on its samplers does not hold there).
    notes: dict[str, str] = {}
    for note in [*base.get("differences", []), *(d for other in [*raw.get("include", []), mode]
                                                 for d in _load_json(f"{other}.json").get("differences", []))]:
        notes.pop(_topic(note), None)
        notes[_topic(note)] = note
    resolved["differences"] = list(notes.values())
    return resolved


def _topic(note: str) -> str:
    return note.split(":", 1)[0].strip().lower()


def load_presets(mode: str | None = None) -> dict:
    """The presets shared by the modes, or a mode's own when its workflow carries them."""
    if mode is not None:
        own = load_workflow(mode).get("presets")
        if own is not None:
            return own
    return _load_json("presets.json")


def load_long(mode: str) -> dict:
    """The long-clip patch for a mode: its nodes (with the mode's own changes) and the model-set
    outputs they stand in for."""
    raw = _load_json("long.json")
    nodes = patch_nodes(raw["nodes"], raw.get("modes", {}).get(mode, {}))
    return {"nodes": nodes, "model_set": raw["model_set"]}


def real_cfg_presets(mode: str) -> list[str]:
    """The presets in which some pass samples with real CFG (cfg above 1): only those read the
    negative prompt."""
    base = load_workflow(mode)["nodes"]
    found = []
    for name, preset in load_presets(mode).items():
        nodes = apply_preset(base, preset)
        if any(isinstance(n["inputs"].get("cfg"), (int, float)) and n["inputs"]["cfg"] > 1 for n in nodes.values()):
            found.append(name)
    return found


def negative_prompt_use(mode: str) -> str:
    """What the negative prompt does in this mode, for its tooltip and help page."""
    presets = real_cfg_presets(mode)
    if not presets:
        return "Every preset of this mode samples at cfg 1, so the negative prompt has no effect here."
    return f"Only {' and '.join(presets)} use{'s' if len(presets) == 1 else ''} it (real CFG)."


def is_link(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], int))


def patch_nodes(nodes: Mapping, patches: Mapping, allow_new: bool = False) -> dict:
    """Nodes with patches applied: a patch's inputs are merged in, unless it changes the node's
    class, which replaces the node. New nodes are allowed only where a workflow adds them."""
    nodes = copy.deepcopy(dict(nodes))
    for name, patch in patches.items():
        node = nodes.get(name)
        if node is None or ("class_type" in patch and patch["class_type"] != node["class_type"]):
            if node is None and not allow_new:
                raise WorkflowError(f"a preset patches node '{name}', which the workflow does not have")
            if "class_type" not in patch:
                raise WorkflowError(f"node '{name}' is new but names no class_type")
            nodes[name] = {"class_type": patch["class_type"], "inputs": copy.deepcopy(patch.get("inputs", {}))}
        else:
            node["inputs"].update(copy.deepcopy(patch.get("inputs", {})))
    return nodes


def apply_preset(nodes: Mapping, preset: Mapping) -> dict:
    return patch_nodes(nodes, preset.get("nodes", {}))


def apply_repeat(nodes: Mapping, repeat: Mapping | None, params: Mapping[str, Any]) -> dict:
    """Nodes with a workflow's ``"repeat"`` block added once per row: ``{"rows": param, "first": n,
    "nodes": {...}}``, where ``{n}`` in the block's text is the row's number. A repeated node with
    ``"before": node`` is spliced into that node's chain: each input given as ``{"chain": output}``
    takes what the node had there, and the node then reads that output of the new one."""
    nodes = copy.deepcopy(dict(nodes))
    if not repeat:
        return nodes
    count = params.get(repeat["rows"], 0)
    for number in range(repeat["first"], repeat["first"] + count):
        block = json.loads(json.dumps(repeat["nodes"]).replace("{n}", str(number)))
        for name, node in block.items():
            inputs = dict(node.get("inputs", {}))
            before = node.get("before")
            if before is not None:
                if before not in nodes:
                    raise WorkflowError(f"repeated node '{name}' goes before '{before}', which the workflow does not have")
                target = nodes[before]["inputs"]
                for key, value in inputs.items():
                    if isinstance(value, dict) and "chain" in value:
                        inputs[key], target[key] = target[key], [name, value["chain"]]
            nodes[name] = {"class_type": node["class_type"], "inputs": inputs}
    return nodes


def apply_choices(nodes: Mapping, workflow: Mapping, params: Mapping[str, Any]) -> dict:
    """Nodes with the patch of each chosen option applied. A workflow's ``"choices"`` maps a
    choice input (style's ``control``) to its options, each patching nodes the way a preset
    does and adding the nodes only that option needs (depth's MoGe model, pose's SDPose)."""
    for name, options in workflow.get("choices", {}).items():
        chosen = params.get(name)
        if chosen not in options:
            raise WorkflowError(f"{name} '{chosen}' is not one of {', '.join(options)}")
        nodes = patch_nodes(nodes, options[chosen].get("nodes", {}), allow_new=True)
    return dict(nodes)


@lru_cache(maxsize=None)
def load_option(name: str) -> dict:
    return json.loads((OPTION_DIR / f"{name}.json").read_text(encoding="utf-8"))


def apply_option(nodes: Mapping, outputs: Mapping, mode: str, name: str) -> tuple[dict, dict]:
    """Nodes and outputs with an option's patch applied: its shared nodes, then its own for this mode."""
    option = load_option(name)
    patches = copy.deepcopy(dict(option.get("nodes", {})))
    for node, patch in option.get("modes", {}).get(mode, {}).items():
        merged = patches.setdefault(node, {})
        merged.update({k: v for k, v in patch.items() if k != "inputs"})
        merged["inputs"] = {**merged.get("inputs", {}), **patch.get("inputs", {})}

    def before(value: Any, where: str) -> Any:
        if isinstance(value, dict) and "was" in value:
            node, _, key = value["was"].partition(".")
            if key not in nodes.get(node, {}).get("inputs", {}):
                raise WorkflowError(f"option '{name}' ({where}) refers to {value['was']}, which the {mode} "
                                    f"workflow does not have")
            return copy.deepcopy(nodes[node]["inputs"][key])
        return value

    for node, patch in patches.items():
        patch["inputs"] = {k: before(v, f"{node}.{k}") for k, v in patch.get("inputs", {}).items()}
    return patch_nodes(nodes, patches, allow_new=True), {**outputs, **option.get("outputs", {})}


class _Binder:
    def __init__(self, nodes: Mapping, params: Mapping[str, Any], model_set: ModelSet,
                 media: Mapping[str, MediaSource], stand_ins: Mapping[str, list] | None = None,
                 wrappers: frozenset[str] = frozenset()):
        self.nodes = nodes
        self.params = params
        self.model_set = model_set
        self.media = media
        # Model-set outputs that nodes other than the wrappers get from a wrapper instead.
        self.stand_ins = stand_ins or {}
        self.wrappers = wrappers
        self.files_of: dict[str, dict[str, ModelFile]] = {}  # node id -> role -> file
        self.model_link: list | None = None  # the end of the user's LoRA chain, when there is one
        self.params_of: dict[str, list[tuple[str, str, str | None]]] = {}  # node id -> (param, input, as)

    def node(self, node_id: str, class_type: str, inputs: Mapping, where: str) -> dict:
        self.files_of[node_id] = {}
        self.params_of[node_id] = [(v["param"], k, v.get("as")) for k, v in inputs.items()
                                   if isinstance(v, dict) and "param" in v]
        self._node_id = node_id
        bound = {k: self.value(v, f"{where}.{k}") for k, v in inputs.items()}
        return {"class_type": class_type, "inputs": bound}

    def file(self, role: str) -> str:
        if role not in self.model_set.files:
            raise WorkflowError(f"model set '{self.model_set.name}' names no file for '{role}'")
        self.files_of[self._node_id][role] = self.model_set.files[role]
        return self.model_set.files[role].name

    def value(self, value: Any, where: str) -> Any:
        if isinstance(value, dict):
            if "param" in value:
                if value["param"] not in self.params:
                    raise WorkflowError(f"{where}: no value for parameter '{value['param']}'")
                v = self.params[value["param"]]
                return CONVERSIONS[value["as"]](v) if "as" in value else v
            if "file" in value:
                return self.file(value["file"])
            if "media" in value:
                name = value["media"]
                if name not in self.media:
                    raise WorkflowError(f"{where}: no source for media '{name}'")
                source = self.media[name]
                return list(source.link) if source.link else [MEDIA_PREFIX + name, 0]
            if "model_set" in value:
                what = value["model_set"]
                # The user's LoRAs sit right on the model set's model: under the long-clip wrapper's stand-in.
                if (what in self.stand_ins and self._node_id not in self.wrappers
                        and not self._node_id.startswith(USER_LORA_PREFIX)):
                    return list(self.stand_ins[what])
                if what == "model" and self.model_link is not None:
                    return list(self.model_link)
                if what not in self.model_set.provides:
                    raise WorkflowError(f"model set '{self.model_set.name}' provides no '{what}' (needed by {where})")
                loader, index = self.model_set.provides[what]
                return [LOADER_PREFIX + loader, index]
            raise WorkflowError(f"{where}: unknown reference {value!r}")
        if is_link(value):
            if value[0] not in self.nodes:
                raise WorkflowError(f"{where}: links to unknown node '{value[0]}'")
            return list(value)
        return value


def _reachable(graph: Mapping[str, dict], roots: list[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node_id = stack.pop()
        if node_id in seen or node_id not in graph:  # not in graph: a link the user wired
            continue
        seen.add(node_id)
        for value in graph[node_id]["inputs"].values():
            if is_link(value):
                stack.append(value[0])
    return seen


# Every mode also returns the prompt its video was made from; an option may replace it (the
# enhancer returns its text).
PROMPT_OUTPUT = {"prompt": {"param": "prompt"}}


def build(workflow: Mapping, preset: Mapping, params: Mapping[str, Any], model_set: ModelSet,
          media: Mapping[str, MediaSource] | None = None, long: Mapping | None = None,
          options: tuple[str, ...] = ()) -> Expansion:
    """Bind a workflow, patched by a preset, by the long-clip patch for a clip longer than the
    model's window, and then by the options turned on, to this run's values, model set and media."""
    media = media or {}
    nodes = apply_repeat(apply_choices(apply_preset(workflow["nodes"], preset), workflow, params),
                         workflow.get("repeat"), params)
    if long:
        nodes = patch_nodes(nodes, long["nodes"], allow_new=True)
    wanted = {**workflow["outputs"], **PROMPT_OUTPUT}
    for name in options:
        nodes, wanted = apply_option(nodes, wanted, workflow["mode"], name)
    binder = _Binder(nodes, params, model_set, media, long["model_set"] if long else None,
                     frozenset(long["nodes"]) if long else frozenset())
    graph = {}
    for number, (name, strength) in enumerate(params.get(LORAS_PARAM) or (), 1):
        node_id = f"{USER_LORA_PREFIX}{number}"
        graph[node_id] = binder.node(node_id, "LoraLoaderModelOnly", {
            "model": {"model_set": "model"}, "lora_name": name, "strength_model": float(strength)}, f"LoRA {number}")
        binder.model_link = [node_id, 0]
    graph.update({name: binder.node(name, node["class_type"], node["inputs"], name) for name, node in nodes.items()})
    for name, source in media.items():
        if source.file is not None:
            graph[MEDIA_PREFIX + name] = binder.node(MEDIA_PREFIX + name, source.loader,
                                                     {source.loader_input: source.file}, f"media '{name}'")
    for name, loader in model_set.loaders.items():
        graph[LOADER_PREFIX + name] = binder.node(LOADER_PREFIX + name, loader.class_type, loader.inputs,
                                                  f"model set loader '{name}'")

    outputs = tuple(binder.value(link, f"output '{key}'") for key, link in wanted.items())
    roots = [link[0] for link in outputs if is_link(link)] + list(workflow.get("output_nodes", []))
    keep = _reachable(graph, roots)
    graph = {node_id: node for node_id, node in graph.items() if node_id in keep}
    files = {role: f for node_id in graph for role, f in binder.files_of[node_id].items()}
    params: dict[str, list[tuple[str, str, str | None]]] = {}
    for node_id in graph:
        for param, name, conversion in binder.params_of[node_id]:
            params.setdefault(param, []).append((node_id, name, conversion))
    return Expansion(graph, outputs, files, {k: tuple(v) for k, v in params.items()})


def with_prefix(expansion: Expansion, prefix: str) -> tuple[dict[str, dict], tuple[list, ...]]:
    """The graph under this call's node-id prefix. Links to nodes outside it (media the user
    wired into a socket) keep their ids."""
    def relink(value: Any) -> Any:
        if is_link(value) and value[0] in expansion.graph:
            return [prefix + value[0], value[1]]
        return value
    graph = {prefix + node_id: {"class_type": node["class_type"],
                                "inputs": {k: relink(v) for k, v in node["inputs"].items()}}
             for node_id, node in expansion.graph.items()}
    return graph, tuple(relink(link) for link in expansion.outputs)
