"""Everything a super-node decides before anything runs: values, model set, graph, and checks.

The same plan serves queue-time validation and execution, so a run that passes validation
expands exactly the graph that was checked. Every failure is a ``RunError`` whose message names
the problem and the fix; no model is loaded on the way.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Container, Mapping, Sequence

from ..model_manifest import ModelFile, ModelSet
from ..model_store.auto import GpuFacts
from ..model_store.sets import AUTO, ModelSetError, choose_model_set, load_catalog
from .lists import ListError, lora_params, nested, row_notes, row_params
from .media import MediaError, MediaInfo, Probe, follow_source, shape_clip, sources
from .modes import MEDIA_LOADERS, ChoiceInput, MediaInput, Mode, NumberInput
from .options import ENHANCER, VOICE, active, enhancer_refusal, voice_source
from .settings import Geometry, SettingsError, check_prompt, resolve_geometry, window_frames, window_overlap_frames
from .source_clip import default_params, fit_to_source
from .workflow import Expansion, MediaSource, WorkflowError, build, load_long, load_presets, load_workflow

TESTED_COMFYUI = "0.27.0"
HEAVY_TOKENS = resolve_geometry(1280, 704, 5.0, 24).tokens  # a default 1280×704 × 121-frame clip


class RunError(ValueError):
    """A run cannot start; the message says why and what to do."""


@dataclass(frozen=True)
class Environment:
    """What a plan needs to know about the ComfyUI it runs in."""

    user_dir: str | None
    node_classes: Container[str]
    model_folders: Container[str]
    locate: Callable[[ModelFile], str | None]  # where a file already is (no network), or None
    # Why these missing files cannot be fetched when the node runs, or None if they will be.
    unavailable: Callable[[Sequence[ModelFile], str, str], str | None]
    gpu: GpuFacts | None = None
    comfyui_version: str = "unknown"
    probe: Probe | None = None  # reads uploaded media; None where no media can be read
    loras: Callable[[], Container[str]] | None = None  # the files in ComfyUI's loras folders


@dataclass(frozen=True)
class RunPlan:
    mode: Mode
    preset: str
    model_set: ModelSet
    model_set_reason: str
    geometry: Geometry
    seed: int
    expansion: Expansion
    model_paths: Mapping[str, str] = field(default_factory=dict)  # role -> path on disk
    notes: tuple[str, ...] = ()
    missing: Mapping[str, ModelFile] = field(default_factory=dict)  # role -> file the run downloads
    audio_seconds: float | None = None  # an audio-only mode's length: exactly the duration asked
    options: tuple[str, ...] = ()  # the options turned on (nodes/options.py)

    def used_values(self) -> dict[str, Any]:
        g = self.geometry
        if self.audio_seconds is not None:  # no picture: size and frames would be placeholders
            return {"mode": self.mode.id, "preset": self.preset, "model_set": self.model_set.name,
                    "model_set_reason": self.model_set_reason, "duration": round(self.audio_seconds, 4),
                    "seed": self.seed, "adjusted": [], "notes": list(self.notes)}
        return {
            "mode": self.mode.id, "preset": self.preset, "model_set": self.model_set.name,
            "model_set_reason": self.model_set_reason, "width": g.width, "height": g.height,
            "frames": g.frames, "fps": g.fps, "duration": round(g.duration, 4), "seed": self.seed,
            "adjusted": list(g.changes), "notes": list(self.notes),
            "windows": [list(w) for w in g.windows],
            ENHANCER: ENHANCER in self.options, VOICE: VOICE in self.options,
        }

    def summary(self) -> str:
        clip = self.geometry.summary() if self.audio_seconds is None else f"{self.audio_seconds:.2f} s of audio"
        text = (f"{self.mode.title} · {self.preset} · model set {self.model_set.name} "
                f"({self.model_set_reason}) · {clip} · seed {self.seed}")
        return text + "".join(f" · {note}" for note in self.notes)


def _check_nodes(expansion: Expansion, env: Environment, mode: Mode) -> None:
    missing = sorted(t for t in expansion.class_types if t not in env.node_classes)
    if missing:
        raise RunError(
            f"This ComfyUI ({env.comfyui_version}) lacks core nodes that {mode.title} needs: "
            f"{', '.join(missing)}. They ship with ComfyUI v{TESTED_COMFYUI}, the version this pack is "
            f"tested with: update ComfyUI (git pull, or the Manager's 'Update ComfyUI').")


def _locate_files(expansion: Expansion, env: Environment) -> tuple[dict[str, str], dict[str, ModelFile]]:
    found, missing = {}, {}
    for role, f in expansion.files.items():
        if f.folder not in env.model_folders:
            raise RunError(f"file '{f.name}' ({role}) names the folder '{f.folder}', which is not a ComfyUI "
                           f"model folder; use one of checkpoints, loras, vae, text_encoders, "
                           f"diffusion_models, latent_upscale_models.")
        path = env.locate(f)
        if path:
            found[role] = path
        else:
            missing[role] = f
    return found, missing


def _expand(mode: Mode, preset: str, params: Mapping[str, Any], model_set: ModelSet,
            media: Mapping[str, MediaSource], windowed: bool = False, options: tuple[str, ...] = ()) -> Expansion:
    presets = load_presets(mode.id)
    if preset not in presets:
        raise RunError(f"unknown preset '{preset}'; choose one of {', '.join(presets)}.")
    try:
        long = load_long(mode.id) if windowed else None
        return build(load_workflow(mode.id), presets[preset], params, model_set, media, long, options)
    except WorkflowError as e:
        raise RunError(f"model set '{model_set.name}' does not fit the {mode.title} workflow: {e}") from e


def run_params(mode: Mode, values: Mapping[str, Any], prompt: str, geometry: Geometry,
               source: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The values a mode's workflow refers to as {"param": name}; ``source``: those a mode that
    edits its source video derives from it (nodes/source_clip.py), else as if it fit the node. A
    list's rows are checked here (ListError), the LoRAs' files are not (plan_run does, where the
    folders can be listed)."""
    own = {i.name: values.get(i.name, i.default) for i in mode.inputs if not isinstance(i, MediaInput)}
    return {
        **own,
        **row_params(mode, values, geometry.frames, geometry.fps),
        "loras": lora_params(mode, values, None),
        "prompt": prompt,
        "negative_prompt": values.get("negative_prompt", ""),
        "seed": int(values["seed"]),
        "enhancer_seed": int(values.get("enhancer_seed", 0)),
        "width": geometry.width,
        "height": geometry.height,
        "stage1_width": geometry.stage1_width,
        "stage1_height": geometry.stage1_height,
        "frames": geometry.frames,
        "fps": geometry.fps,
        "clip_seconds": geometry.duration,
        # Used only by a clip longer than the model's window (workflows/modes/long.json).
        "window_frames": window_frames(geometry.fps),
        "window_overlap_frames": window_overlap_frames(geometry.fps),
        # A source clip is read one frame longer than the clip, then cut to exactly `frames`.
        "source_seconds": (geometry.frames + 1) / geometry.fps,
        # An audio-only mode makes exactly the seconds asked: enough frames' worth of audio latents
        # to cover them, then cut.
        "asked_seconds": float(values["duration"]),
        "audio_frames": math.ceil(float(values["duration"]) * geometry.fps - 1e-9),
        "filename_prefix": values.get("filename_prefix") or f"LTX2.3-AIO/{mode.id}",
        **(default_params(mode, values, geometry) if source is None else source),
    }


def files_needed(mode: Mode, model_set: ModelSet, preset: str | None = None) -> dict[str, ModelFile]:
    """The files a mode loads with this model set: for one preset, or for any preset if None."""
    values = mode.defaults
    geometry = resolve_geometry(values["width"], values["height"], values["duration"], values["fps"])
    params = run_params(mode, values, "-", geometry)
    media = {m.name: MediaSource(*MEDIA_LOADERS[m.kind], file="-") for m in mode.media}
    presets = [preset] if preset else list(load_presets(mode.id))
    choices = [(i.name, option) for i in mode.inputs if isinstance(i, ChoiceInput) for option in i.options]
    files: dict[str, ModelFile] = {}
    for name in presets:
        # Every option of every choice: style's depth and pose each load a model of their own.
        for choice in [None, *choices]:
            chosen = {**params, **({choice[0]: choice[1]} if choice else {})}
            files.update(_expand(mode, name, chosen, model_set, media).files)
    return files


WHOLE_NUMBERS = ("width", "height", "fps", "seed", "enhancer_seed")
TEXTS = ("prompt", "negative_prompt", "preset", "models", "filename_prefix", VOICE)


def check_types(mode: Mode, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values with the types the workflow needs. A typed value always has them; a wired one
    can be anything another node outputs, so say which input got what and what it takes."""
    out = dict(values)
    numbers = ("duration", *(i.name for i in mode.inputs if isinstance(i, NumberInput)))
    texts = (*TEXTS, *(i.name for i in mode.inputs if isinstance(i, ChoiceInput)))
    for name, v in values.items():
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        if name in WHOLE_NUMBERS:
            if not number or v != int(v):
                raise RunError(f"{name} must be a whole number, but got {v!r}: connect an INT or type it on the node.")
            out[name] = int(v)
        elif name in numbers:
            if not number:
                raise RunError(f"{name} must be a number, but got {v!r}: connect a FLOAT or type it on the node.")
            out[name] = float(v)
        elif name in texts and not isinstance(v, str):
            raise RunError(f"{name} must be text, but got {v!r}: connect a STRING or type it on the node.")
        elif name == ENHANCER and not isinstance(v, bool):
            raise RunError(f"{name} must be true or false, but got {v!r}: connect a BOOLEAN or set it on the node.")
    for name in ("seed", "enhancer_seed"):
        if out.get(name, 0) < 0:
            raise RunError(f"{name} must be 0 or more, but got {out[name]}.")
    for i in mode.inputs:
        if isinstance(i, NumberInput) and i.name in out and not i.min <= out[i.name] <= i.max:
            raise RunError(f"{i.name} {out[i.name]:g} is out of range: use {i.min:g}–{i.max:g}.")
        if isinstance(i, ChoiceInput) and i.name in out and out[i.name] not in i.options:
            raise RunError(f"{i.name} '{out[i.name]}' is not an option: use {' / '.join(i.options)}.")
    return out


def plan_run(mode: Mode, values: Mapping[str, Any], env: Environment) -> RunPlan:
    """Check a super-node's input values and decide the run; raise RunError with the fix."""
    values = check_types(mode, {**nested(mode, values), **mode.fixed})
    try:
        prompt = check_prompt(values["prompt"])
        geometry = resolve_geometry(values["width"], values["height"], values["duration"], values["fps"],
                                    mode.longest_seconds)
        catalog = load_catalog(env.user_dir)
        chosen = values.get("models", AUTO)
        if chosen != AUTO:
            catalog.get(chosen)
        media, infos = sources(mode, values, env.probe or _no_probe)
        voice = voice_source(mode, values, env.probe or _no_probe)
        if voice:
            media[VOICE] = voice[0]
        geometry = follow_source(mode, values, infos, geometry)
        if mode.edits_source:
            geometry, notes, source = fit_to_source(mode, values, infos, geometry)
        else:
            geometry, notes = shape_clip(mode, values, infos, geometry)
            source = {}
        notes += heavy_notes(mode, geometry)
        params = run_params(mode, values, prompt, geometry, source)
        if env.loras is not None:
            lora_params(mode, values, env.loras())  # a file not in the loras folders is refused
        notes += row_notes(mode, params)
    except (SettingsError, ModelSetError, MediaError, ListError) as e:
        raise RunError(str(e)) from e

    preset = values.get("preset", "Fast")
    windowed = len(geometry.windows) > 1
    options = active(mode, values, media)

    model_set, why = choose_model_set(
        chosen, catalog, env.gpu,
        lambda s: not _locate_files(_expand(mode, preset, params, s, media, windowed, options), env)[1])
    reason = why or "chosen on the node"
    refusal = enhancer_refusal(model_set) if ENHANCER in options else None
    if refusal:
        raise RunError(f"Model set '{model_set.name}' ({reason}): {refusal}")

    expansion = _expand(mode, preset, params, model_set, media, windowed, options)
    _check_nodes(expansion, env, mode)
    found, missing = _locate_files(expansion, env)
    if missing:
        problem = env.unavailable(list(missing.values()), mode.id, model_set.name)
        if problem:
            raise RunError(f"Model set '{model_set.name}' ({reason}): {problem}")
        notes += (f"downloading {len(missing)} model file(s) first",)
    return RunPlan(mode, preset, model_set, reason, geometry, params["seed"], expansion, found, notes, missing,
                   None if mode.makes_video else params["asked_seconds"], options)


def heavy_notes(mode: Mode, geometry: Geometry) -> tuple[str, ...]:
    """A warning with the expected memory when one window holds more than a default clip."""
    tokens = geometry.window_tokens * mode.token_factor
    if tokens <= HEAVY_TOKENS:
        return ()
    memory = (f"ComfyUI estimates {geometry.step_memory_gb(mode.token_factor):.1f} GB of GPU memory per "
              f"sampling step beside the model's weights")
    fix = "lower the size, duration or fps if memory runs out"
    if mode.token_factor > 1:
        return (f"heavy: with its guide the model sees {tokens} tokens, {mode.token_factor}× a Text → Video "
                f"clip of this size; {memory}; {fix}",)
    where = "each window" if len(geometry.windows) > 1 else "the clip"
    return (f"heavy: {where} is {tokens} video tokens ({HEAVY_TOKENS} in a default "
            f"1280×704 × 121-frame clip); {memory}; {fix}",)


def _no_probe(kind: str, name: str) -> MediaInfo:
    raise MediaError(f"cannot read the {kind} '{name}' here")
