"""Options a run can turn on: the prompt enhancer (every mode) and a voice reference (the modes
that generate speech). Each is a patch of the mode's workflow (``workflows/options/<name>.json``)
applied when its input says so; their inputs come last on the node, after every other input, so
workflows saved before they existed keep their values in place.

An option's input left out of a prompt (an API prompt written before the option existed) leaves
the option off, so such a prompt runs as it did; a node added in ComfyUI shows each input's
default.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..model_manifest import ModelSet
from .media import MediaInfo, Probe
from .modes import MEDIA_LOADERS, MediaInput, Mode
from .workflow import MediaSource, is_link

ENHANCER = "prompt_enhancer"
VOICE = "voice_reference"
NO_VOICE = "none"  # the voice reference's upload list starts with this: no reference
# Modes whose generated audio can carry speech: the others keep the user's audio.
VOICE_MODES = ("t2v", "i2v", "keyframe")
# Loaders whose text encoder is Gemma 3, the one that can write text (core TextGenerate needs
# generate()); a CLIP tower cannot.
TEXT_WRITING_LOADERS = {"LTXAVTextEncoderLoader": None, "DualCLIPLoader": ("type", "ltxv")}


@dataclass(frozen=True)
class OptionInput:
    name: str
    kind: str  # "bool" | "int"
    default: Any
    tooltip: str
    help: str
    min: int | None = None
    max: int | None = None


ENHANCER_INPUTS = (
    OptionInput(
        ENHANCER, "bool", True,
        "Let the model set's Gemma rewrite the prompt into the detailed form LTX-2.3 follows best "
        "(on by default, as in ComfyUI's own LTX-2.3 templates). The text used is shown on the node "
        "and returned as 'prompt'.",
        "on by default, as in ComfyUI's own LTX-2.3 templates, because LTX-2.3 follows long, concrete "
        "prompts best and a short one gets that detail from Gemma: the style, the action in order, "
        "the sounds, any speech in quotes. Core `TextGenerateLTX2Prompt` writes the new prompt "
        "with the model set's Gemma text encoder (with a picture, the picture goes in too and its "
        "image-to-video instructions are used). The prompt used is shown on the node, returned as "
        "the `prompt` output and stored in the history and the mp4's metadata. It needs a model set "
        "whose text encoder is Gemma (every built-in set); turn it off to use your prompt as typed."),
    OptionInput(
        "enhancer_seed", "int", 0,
        "The enhancer's own seed: change it for a new rewrite. A new video seed keeps the text.",
        "the enhancer's own seed (0, as in the templates). The rewritten text depends only on the "
        "prompt, the picture and this seed, so a rerun with another video seed reuses the text "
        "already written; change `enhancer_seed` to get a new one.",
        0, 0xFFFFFFFFFFFFFFFF),
)
VOICE_INPUT = MediaInput(
    VOICE, "audio",
    "Optional: a clip of a voice (about 5 s) that the generated speech should sound like (ID-LoRA). "
    "'none' = no reference.")
VOICE_HELP = (
    "optional: a clip of a voice, about 5 seconds (what the ID-LoRA was trained on), that the "
    "generated speech should take. Wired as ComfyUI's LTX-2.3 ID-LoRA template: the ID-LoRA "
    "`ltx-2.3-id-lora-talkvid-3k` (strength 1, downloaded with the first run that uses it) on the "
    "stage-1 model, then core `LTXVReferenceAudio` (identity guidance 3, one extra model call per "
    "step) adds the clip to the conditioning. The template's prompt form helps: `[VISUAL]: …` "
    "`[SPEECH]: the words` `[SOUNDS]: the voice and the ambience`.")


def option_inputs(mode: Mode) -> tuple[OptionInput | MediaInput, ...]:
    """The option inputs of a mode's node, in their order at the end of its inputs."""
    # Core's enhancer writes video prompts (its system prompts describe a shot), so Text → Audio,
    # which makes no picture, has none.
    return (ENHANCER_INPUTS if mode.makes_video else ()) + ((VOICE_INPUT,) if mode.id in VOICE_MODES else ())


def can_write_text(model_set: ModelSet) -> bool:
    loader_name, _ = model_set.provides.get("text_encoder", ("", 0))
    loader = model_set.loaders.get(loader_name)
    if loader is None or loader.class_type not in TEXT_WRITING_LOADERS:
        return False
    need = TEXT_WRITING_LOADERS[loader.class_type]
    return need is None or loader.inputs.get(need[0]) == need[1]


def enhancer_on(values: Mapping[str, Any]) -> bool:
    return values.get(ENHANCER) is True


def enhancer_refusal(model_set: ModelSet) -> str | None:
    """Why the enhancer cannot run with this set, with the fix; None if it can."""
    if can_write_text(model_set):
        return None
    loader = model_set.loaders.get(model_set.provides.get("text_encoder", ("", 0))[0])
    used = f" (it loads it with {loader.class_type})" if loader else ""
    return (f"the prompt enhancer needs a text encoder that can write text — Gemma 3, loaded with "
            f"LTXAVTextEncoderLoader or DualCLIPLoader type ltxv as in every built-in model set — but model "
            f"set '{model_set.name}' has one that cannot{used}. Turn prompt_enhancer off to use your prompt "
            f"as typed, or choose a model set with Gemma.")


def voice_source(mode: Mode, values: Mapping[str, Any], probe: Probe) -> tuple[MediaSource, MediaInfo] | None:
    """The voice reference's source and facts, or None when the run has none."""
    if mode.id not in VOICE_MODES:
        return None
    link = values.get(VOICE_INPUT.socket)
    if is_link(link):
        return MediaSource(link=(link[0], link[1])), MediaInfo("audio")
    name = values.get(VOICE)
    if not name or name == NO_VOICE:
        return None
    loader, loader_input = MEDIA_LOADERS["audio"]
    return MediaSource(loader=loader, loader_input=loader_input, file=name), probe("audio", name)


def active(mode: Mode, values: Mapping[str, Any], media: Mapping[str, MediaSource]) -> tuple[str, ...]:
    """The options this run turns on, in the order their patches apply."""
    return tuple(name for name, on in ((ENHANCER, mode.makes_video and enhancer_on(values)), (VOICE, VOICE in media))
                 if on)
