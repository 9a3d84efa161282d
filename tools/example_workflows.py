"""Write the example workflows (example_workflows/<name>.json), one per mode, from the modes.

    python tools/example_workflows.py

Each is what ComfyUI's frontend saves for a canvas holding the mode's AIO node (with a prompt
and the pack's example media) and a note on how to use it. The AIO node names the files of the
default model set in ``properties.models`` and the workflow repeats them in ``models``: ComfyUI's
missing-models dialog reads a node's list only for files that workflow-level list also names.
The widget layout follows how the frontend (1.45) lays out a V3 node: required inputs in
schema order, ``control_after_generate`` after ``seed``, then the optional ones (the media);
the host tier checks it against a real ComfyUI. A unit test fails when a committed file differs
from what this renders.
"""
from __future__ import annotations

import json
import math
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pack_import import load_pack  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# What each example asks for, and the example media (example_workflows/media/) it starts from.
EXAMPLES = {
    "t2v": {
        "prompt": "A red fox trots through fresh snow in a quiet birch forest at dawn, its breath steaming in "
                  "the cold air. The camera tracks beside it at ground level, then slows as the fox stops and "
                  "looks up. Soft crunch of paws on snow, a distant woodpecker, wind in the bare branches.",
        "media": {},
    },
    "i2v": {
        "prompt": "The woman turns her head toward the camera and smiles while a light breeze moves her hair; "
                  "the camera slowly pushes in. Quiet room tone, birdsong through an open window.",
        "media": {"image": "ltx23_aio_portrait.png"},
    },
    "a2v": {
        "prompt": "A drummer plays a small drum kit on a dim stage under warm spotlights, every hit landing on "
                  "the beat; the camera circles slowly around the kit as dust glows in the light.",
        "media": {"audio": "ltx23_aio_drums.mp3"},
    },
    "lipsync": {
        "prompt": "The woman sings to the camera with soft, expressive movements of her mouth and eyebrows, "
                  "gently swaying to the melody; warm studio light, static camera.",
        "media": {"image": "ltx23_aio_portrait.png", "audio": "ltx23_aio_singing.mp3"},
    },
    "keyframe": {
        "prompt": "A time-lapse over a mountain lake as day turns to dusk: clouds race across the sky, the light "
                  "turns golden, then deep violet as the sun sets behind the peaks. Wind and birds fade into "
                  "evening crickets.",
        "media": {"first_image": "ltx23_aio_lake_day.jpg", "last_image": "ltx23_aio_lake_dusk.jpg"},
    },
    "style": {
        "prompt": "A watercolor painting come to life: soft washes of color bleeding into each other, visible "
                  "paper grain and loose brush strokes, following every movement of the source clip.",
        "media": {"video": "ltx23_aio_shapes.mp4", "style_image": "ltx23_aio_watercolor.jpg"},
    },
    "extend": {
        "prompt": "The shapes keep drifting to the right and slowly spiral together into one glowing ring, which "
                  "pulses once and fades; the soft hum rises in pitch and fades out with it.",
        "media": {"video": "ltx23_aio_shapes.mp4"},
    },
    "retake": {
        "prompt": "The shapes burst apart into a shower of bright sparks that fall and settle, with a crackle and "
                  "a soft chime, before the shapes gather again.",
        "media": {"video": "ltx23_aio_shapes.mp4"},
    },
    "dub": {
        "prompt": "A woman with dark hair faces the camera in a warm, sunlit room and sings softly, her lips "
                  "and jaw moving clearly with every word; static camera, gentle room tone.",
        "media": {"video": "ltx23_aio_talking.mp4", "audio": "ltx23_aio_singing.mp3"},
    },
    "t2a": {
        "prompt": "Heavy rain drums on a tin roof while distant thunder rolls; a wind chime rings softly "
                  "near an open window, and water gurgles down a drainpipe.",
        "media": {},
    },
}

NODE_SIZE = (440, 398)  # the frontend's height for a node with the shared widgets only
WIDGET_HEIGHT = 24
NOTE_WIDTH = 400
NOTE_CHARS_PER_LINE = 64  # what fits on one line of the note at its width
NOTE_LINE_HEIGHT = 17
GAP = 40
OUTPUTS = {"video": "VIDEO", "images": "IMAGE", "audio": "AUDIO", "prompt": "STRING"}  # nodes/super_node.py
SOCKET_TYPES = {"image": "IMAGE", "audio": "AUDIO", "video": "VIDEO"}
WIDGET_TYPES = {"text": "STRING", "int": "INT", "float": "FLOAT", "choice": "COMBO", "bool": "BOOLEAN"}
OPTIONAL = 7  # the frontend's slot shape for an optional input




def _slot(name: str, kind: str, widget: bool, optional: bool = False) -> dict:
    slot = {"localized_name": name, "name": name}
    if optional:
        slot["shape"] = OPTIONAL
    slot["type"] = kind
    if widget:
        slot["widget"] = {"name": name}
    slot["link"] = None
    return slot


def widget_layout(mode) -> list[tuple[str, str, bool]]:
    """(name, type, optional) of each widget input, in the order the frontend shows them."""
    from ltx23_aio.nodes.modes import ChoiceInput, MediaInput
    from ltx23_aio.nodes.options import option_inputs

    own = [(i.name, "COMBO" if isinstance(i, ChoiceInput) else "FLOAT", False)
           for i in mode.inputs if not isinstance(i, MediaInput)]
    shared = [(i.name, WIDGET_TYPES[i.kind], False) for i in mode.shared]
    # As nodes/super_node.py orders them: the mode's own inputs after the prompts, then media, the
    # options, and the lists (core's DynamicCombo, at their defaults no rows) last.
    options = [(i.name, "COMBO" if isinstance(i, MediaInput) else WIDGET_TYPES[i.kind], True)
               for i in option_inputs(mode)]
    return (shared[:2] + own + shared[2:] + [(m.name, "COMBO", True) for m in mode.media] + options
            + [(lst.name, "COMFY_DYNAMICCOMBO_V3", True) for lst in mode.lists])


def widget_values(mode, media: dict[str, str], prompt: str) -> list:
    from ltx23_aio.nodes.modes import MediaInput
    from ltx23_aio.nodes.options import NO_VOICE, option_inputs

    options = {i.name: NO_VOICE if isinstance(i, MediaInput) else i.default for i in option_inputs(mode)}
    values = {**mode.defaults, **options, "prompt": prompt, "filename_prefix": f"LTX2.3-AIO/{mode.id}", **media}
    out = []
    for name, _, _ in widget_layout(mode):
        out.append(values[name])
        if name == "seed":
            out.append("randomize")  # control_after_generate: the frontend's default
    return out


def model_entries(mode) -> list[dict]:
    from ltx23_aio.model_manifest import BUILTIN_SETS, DEFAULT_SET
    from ltx23_aio.nodes.plan import files_needed

    return [{"name": f.name, "url": f.url, "directory": f.folder}
            for f in files_needed(mode, BUILTIN_SETS[DEFAULT_SET]).values()]


def note_text(mode) -> str:
    from ltx23_aio.model_manifest import DEFAULT_SET

    lines = [f"## {mode.display_name}", "", mode.description, ""]
    what, ext = ("video", "mp4") if mode.makes_video else ("audio", "flac")
    if mode.media:
        kinds = " and ".join(f"**{m.name}**" for m in mode.media)
        wire = ("" if all(m.file_only for m in mode.media)
                else ", or wire them into the node's `…_input` sockets")
        lines.append(f"1. Pick your own {kinds} on the node (the example's files are put into ComfyUI's "
                     f"input folder when it opens){wire}.")
    lines += [f"{'2' if mode.media else '1'}. Write what happens in the prompt.",
              f"{'3' if mode.media else '2'}. Press **Run**: the {what} appears on the node and is saved "
              f"in ComfyUI's output folder as `LTX2.3-AIO/{mode.id}_00001_.{ext}` (numbered on with each run; "
              f"`filename_prefix` sets the folder and name).", "",
              "**Your LoRAs**: set `loras` to how many, then pick each file (ComfyUI's loras folders) and "
              "its strength; the node's help (?) says which passes they patch.", "",
              f"**Model files**: `models` = auto picks a model set for your GPU. ComfyUI's missing-models "
              f"dialog lists the `{DEFAULT_SET}` set's files; the **LTX2.3 AIO** sidebar tab shows what "
              f"`auto` picks, why, and downloads it."]
    if mode.tips:
        lines += ["", "**Tips**", ""] + [f"- {tip}" for tip in mode.tips]
    return "\n".join(lines) + "\n"


def note_size(text: str) -> list[int]:
    lines = sum(max(1, math.ceil(len(line) / NOTE_CHARS_PER_LINE)) for line in text.splitlines())
    return [NOTE_WIDTH, 60 + NOTE_LINE_HEIGHT * lines]


def render(mode) -> dict:
    load_pack()
    example = EXAMPLES[mode.id]
    models = model_entries(mode)
    from ltx23_aio.nodes.modes import MediaInput
    from ltx23_aio.nodes.options import option_inputs

    options = option_inputs(mode)
    height = NODE_SIZE[1] + WIDGET_HEIGHT * (len(mode.inputs) + len(options) + len(mode.lists))
    media = [*mode.media, *(i for i in options if isinstance(i, MediaInput))]
    sockets = [_slot(m.socket, SOCKET_TYPES[m.kind], widget=False, optional=True) for m in media]
    node = {
        "id": 1, "type": mode.node_id, "pos": [NOTE_WIDTH + GAP, 0], "size": [NODE_SIZE[0], height],
        "flags": {}, "order": 1, "mode": 0,
        "inputs": sockets + [_slot(name, kind, widget=True, optional=optional)
                             for name, kind, optional in widget_layout(mode)],
        "outputs": [{"localized_name": name, "name": name, "type": OUTPUTS[name], "links": None}
                    for name in mode.outputs],
        "properties": {"Node name for S&R": mode.node_id, "models": models},
        "widgets_values": widget_values(mode, example["media"], example["prompt"]),
    }
    text = note_text(mode)
    note = {
        "id": 2, "type": "MarkdownNote", "pos": [0, 0], "size": note_size(text), "flags": {}, "order": 0,
        "mode": 0, "inputs": [], "outputs": [], "properties": {},
        "widgets_values": [text], "color": "#432", "bgcolor": "#653",
    }
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"ltx23-aio/example/{mode.id}")),
        "revision": 0, "last_node_id": 2, "last_link_id": 0,
        "nodes": [node, note], "links": [], "groups": [], "config": {},
        "extra": {},  # no stored view: the frontend fits the graph into the window
        "models": models,
        "version": 0.4,
    }


def render_all() -> dict[Path, str]:
    load_pack()
    from ltx23_aio.nodes.modes import MODES
    from ltx23_aio.routes import EXAMPLES_DIR, example_name

    return {EXAMPLES_DIR / f"{example_name(m)}.json": json.dumps(render(m), indent=2, ensure_ascii=False) + "\n"
            for m in MODES.values()}


if __name__ == "__main__":
    for path, text in render_all().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path.relative_to(ROOT))
