"""The stages of a run, as the user sees them on the node: what runs now and how far the whole run is.

A stage is read from an inner node's class (samplers also from their name in the workflow, which
says which pass they are). Each stage has a weight in the run's one progress bar: a sampling step
counts 1, the rest what they roughly cost next to a step on a real GPU. Nodes that are no stage
(sigmas, conditioning, latent plumbing) take no time worth showing and weigh nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

# Class -> (label, weight). Loaders weigh more than a step: reading 20-40 GB is slow even when fast.
CLASS_STAGES: Mapping[str, tuple[str, float]] = {
    "CheckpointLoaderSimple": ("load models", 4.0), "UNETLoader": ("load models", 4.0),
    "VAELoader": ("load models", 1.0), "LTXVAudioVAELoader": ("load models", 1.0),
    "CLIPLoader": ("load models", 2.0), "DualCLIPLoader": ("load models", 2.0),
    "LTXAVTextEncoderLoader": ("load models", 2.0), "LatentUpscaleModelLoader": ("load models", 0.5),
    "LoraLoaderModelOnly": ("load models", 1.0),
    "CLIPTextEncode": ("encode prompt", 0.5),
    "LTXVLatentUpsampler": ("upscale", 1.0),
    "VAEDecode": ("decode video", 4.0), "VAEDecodeTiled": ("decode video", 4.0),
    "LTXVAudioVAEDecode": ("decode audio", 1.0),
    "SaveVideo": ("save", 1.0), "SaveAudio": ("save", 1.0),
}
SAMPLERS = ("SamplerCustomAdvanced", "SamplerCustom", "KSampler", "KSamplerAdvanced")
# A sampler's pass, from its name in the workflow: stage1_sample -> "stage 1".
PASS_NAMES = {"stage1": "stage 1", "stage2": "stage 2", "pass1": "pass 1", "refine": "refine"}
DEFAULT_STEPS = 10


@dataclass(frozen=True)
class Stage:
    label: str
    weight: float
    steps: int = 0  # a sampler's steps, from its sigmas; 0 for other stages

    def text(self, value: float = 0, total: float = 0) -> str:
        if not self.steps:
            return self.label
        step = f"step {int(value)}/{int(total or self.steps)}" if self.label in ("stage 1", "pass 1") \
            else f"{int(value)}/{int(total or self.steps)}"
        return f"{self.label} · {step}"


def _steps(graph: Mapping[str, dict], sampler: dict) -> int:
    link = sampler["inputs"].get("sigmas")
    node = graph.get(link[0]) if isinstance(link, list) else None
    if node is None:
        return DEFAULT_STEPS
    inputs = node["inputs"]
    if node["class_type"] == "ManualSigmas" and isinstance(inputs.get("sigmas"), str):
        return max(1, len(inputs["sigmas"].split(",")) - 1)
    if isinstance(inputs.get("steps"), int):
        return inputs["steps"]
    return DEFAULT_STEPS


def stages(graph: Mapping[str, dict], prefix: str = "") -> dict[str, Stage]:
    """The stage of each inner node that is one, by node id (``prefix`` + the workflow's name)."""
    found: dict[str, Stage] = {}
    for node_id, node in graph.items():
        name, class_type = node_id[len(prefix):], node["class_type"]
        if class_type in SAMPLERS:
            steps = _steps(graph, node)
            label = PASS_NAMES.get(name.split("_", 1)[0], "sampling")
            found[node_id] = Stage(label, float(steps), steps)
        elif class_type in CLASS_STAGES:
            found[node_id] = Stage(*CLASS_STAGES[class_type])
    return found


def upstream(graph: Mapping[str, dict]) -> dict[str, frozenset[str]]:
    """Each node's ancestors in ``graph``: the nodes whose outputs it needs, directly or not."""
    direct = {node_id: {v[0] for v in node["inputs"].values()
                        if isinstance(v, list) and len(v) == 2 and v[0] in graph}
              for node_id, node in graph.items()}
    found: dict[str, frozenset[str]] = {}

    def visit(node_id: str) -> frozenset[str]:
        if node_id not in found:
            found[node_id] = frozenset()  # a cycle (none in a valid graph) ends here
            found[node_id] = frozenset().union(*({d} | visit(d) for d in direct[node_id]))
        return found[node_id]

    return {node_id: visit(node_id) for node_id in graph}


class RunProgress:
    """The run's progress from the events of its inner nodes: the stage that runs and the share of
    the whole run done. Cached nodes only finish, so they count as done without having started;
    a node whose output a cached node holds never runs, so a node that runs or finishes counts
    everything it needs (``upstream``) as done."""

    def __init__(self, stage_of: Mapping[str, Stage], upstream: Mapping[str, Iterable[str]] | None = None):
        self.stage_of = dict(stage_of)
        self.upstream = {k: tuple(v) for k, v in (upstream or {}).items()}
        self.total = sum(s.weight for s in self.stage_of.values()) or 1.0
        self.done = 0.0
        self.current: tuple[str, float] | None = None  # running node, its share done
        self.finished: set[str] = set()
        self.text = ""

    def reached(self, node_id: str) -> bool:
        """``node_id`` runs or is done, so is all it needs. True if the shown state changed."""
        return any([self._done(a) for a in self.upstream.get(node_id, ())])

    def start(self, node_id: str) -> bool:
        """True if the shown state changed."""
        self.reached(node_id)
        stage = self.stage_of.get(node_id)
        if stage is None:
            return False
        self.current = (node_id, 0.0)
        self.text = stage.text()
        return True

    def update(self, node_id: str, value: float, total: float) -> bool:
        stage = self.stage_of.get(node_id)
        if stage is None:
            return False
        share = min(1.0, value / total) if total else 0.0
        self.current = (node_id, share)
        self.text = stage.text(value, total)
        return True

    def finish(self, node_id: str) -> bool:
        """True if the shown state changed."""
        return self.reached(node_id) | self._done(node_id)

    def _done(self, node_id: str) -> bool:
        stage = self.stage_of.get(node_id)
        if stage is None or node_id in self.finished:
            return False
        self.finished.add(node_id)
        self.done += stage.weight
        if self.current and self.current[0] == node_id:
            self.current = None
        return True

    @property
    def done_all(self) -> bool:
        return len(self.finished) == len(self.stage_of)

    @property
    def fraction(self) -> float:
        running = self.stage_of[self.current[0]].weight * self.current[1] if self.current else 0.0
        return min(1.0, (self.done + running) / self.total)
