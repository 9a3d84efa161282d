"""The super-nodes: one V3 node per mode whose run expands into that mode's workflow.

Each run re-expands (NaN fingerprint) so the video reaches the node and the history every time,
while the inner nodes keep their cache entries: a seed- or prompt-only change re-runs neither
loaders nor anything upstream of the change.
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import folder_paths
from comfy_api.latest import io
from comfy_execution.graph_utils import GraphBuilder
from server import PromptServer

from ..model_store.sets import load_catalog
from .modes import MODES, PACK_NAME, SHARED_DEFAULTS, ChoiceInput, MediaInput, Mode, ModeInput, NumberInput
from .settings import MAX_FPS, MAX_SIZE, MIN_FPS, MIN_SIZE
from .workflow import load_presets, with_prefix

if TYPE_CHECKING:
    from .plan import RunPlan

log = logging.getLogger("ltx23_aio")

CATEGORY = PACK_NAME
METADATA_KEY = "ltx23_aio"  # in the saved video's metadata and in the node's history entry
DEFAULTS = SHARED_DEFAULTS
UPLOADS = {"image": io.UploadType.image, "audio": io.UploadType.audio, "video": io.UploadType.video}
SOCKETS = {"image": io.Image, "audio": io.Audio, "video": io.Video}
# The content types ComfyUI's own loaders list for each kind (LoadAudio also reads videos' sound).
INPUT_TYPES = {"image": ("image",), "audio": ("audio", "video"), "video": ("video",)}


def input_files() -> dict[str, tuple[str, ...]]:
    directory = folder_paths.get_input_directory()
    try:
        names = [f for f in os.listdir(directory) if os.path.isfile(os.path.join(directory, f))]
    except OSError:
        names = []
    return {kind: tuple(sorted(folder_paths.filter_files_content_types(names, list(types))))
            for kind, types in INPUT_TYPES.items()}


def mode_inputs(inputs: tuple[ModeInput, ...], files: dict[str, tuple[str, ...]]) -> list[io.Input]:
    widgets: list[io.Input] = []
    for i in inputs:
        if isinstance(i, MediaInput):
            # Upload widget plus a lazy raw-link socket: wired media enter the expansion as links,
            # so upstream nodes run inside it and the model cache is never evicted for them.
            widgets.append(io.Combo.Input(i.name, options=list(files[i.kind]), upload=UPLOADS[i.kind],
                                          optional=True, tooltip=i.tooltip))
            widgets.append(SOCKETS[i.kind].Input(i.socket, optional=True, lazy=True, raw_link=True,
                                                 tooltip=f"Use this {i.kind} instead of the file above."))
        elif isinstance(i, NumberInput):
            widgets.append(io.Float.Input(i.name, default=i.default, min=i.min, max=i.max, step=i.step,
                                          tooltip=i.tooltip))
        elif isinstance(i, ChoiceInput):
            widgets.append(io.Combo.Input(i.name, options=list(i.options), default=i.default, tooltip=i.tooltip))
    return widgets


def shared_inputs(mode: Mode, model_sets: list[str]) -> list[io.Input]:
    return [
        io.String.Input("prompt", multiline=True, default=DEFAULTS["prompt"],
                        placeholder="What happens, how the camera moves, what we hear.",
                        tooltip="Describe the scene, the motion and the sound."),
        io.String.Input("negative_prompt", multiline=True, default=DEFAULTS["negative_prompt"],
                        tooltip="What to avoid. Only the Balanced and Quality presets use it (real CFG)."),
        io.Int.Input("width", default=DEFAULTS["width"], min=MIN_SIZE, max=MAX_SIZE, step=32,
                     tooltip="Output width; snapped to a multiple of 64 (the value used is reported)."),
        io.Int.Input("height", default=DEFAULTS["height"], min=MIN_SIZE, max=MAX_SIZE, step=32,
                     tooltip="Output height; snapped to a multiple of 64 (the value used is reported)."),
        io.Float.Input("duration", default=DEFAULTS["duration"], min=0.1, max=20.0, step=0.1,
                       tooltip="Seconds. Frames = the 8n+1 nearest to duration × fps + 1 (at most 257)."),
        io.Int.Input("fps", default=DEFAULTS["fps"], min=MIN_FPS, max=MAX_FPS,
                     tooltip="Frames per second; LTX-2.3 is trained at 24–25."),
        io.Int.Input("seed", default=DEFAULTS["seed"], min=0, max=0xFFFFFFFFFFFFFFFF, control_after_generate=True),
        io.Combo.Input("preset", options=list(load_presets(mode.id)), default=DEFAULTS["preset"],
                       tooltip="Fast: distilled 8+3 steps. Balanced/Quality: dev model with real CFG "
                               "(20/40 steps) then a distilled refine. See the node's help."),
        io.Combo.Input("models", options=model_sets,
                       default=DEFAULTS["models"], tooltip="Model set: which files to load. auto picks by GPU and "
                                             "says why."),
        io.String.Input("filename_prefix", default=f"LTX2.3-AIO/{mode.id}",
                        tooltip="Where the mp4 goes, under ComfyUI's output folder."),
    ]


@lru_cache(maxsize=64)
def _schema(mode: Mode, model_sets: tuple[str, ...], files: tuple[tuple[str, tuple[str, ...]], ...]) -> io.Schema:
    shared = shared_inputs(mode, list(model_sets))
    # The mode's own inputs go after the prompt, before the shared size/length/seed settings.
    return io.Schema(
        node_id=mode.node_id,
        display_name=mode.display_name,
        category=CATEGORY,
        description=mode.description,
        inputs=shared[:2] + mode_inputs(mode.inputs, dict(files)) + shared[2:],
        outputs=[
            io.Video.Output("video", tooltip="The clip with its audio muxed in."),
            io.Image.Output("images", tooltip="The decoded frames."),
            io.Audio.Output("audio", tooltip="The clip's audio."),
        ],
        hidden=[io.Hidden.unique_id, io.Hidden.extra_pnginfo],
        is_output_node=True,
        enable_expand=True,
    )


class SuperNode(io.ComfyNode):
    MODE: Mode

    @classmethod
    def define_schema(cls) -> io.Schema:
        # ComfyUI rebuilds the schema many times per queued prompt; only the model set list
        # (the user's JSON files) and the input folder's files can change it.
        files = tuple(input_files().items()) if cls.MODE.media else ()
        return _schema(cls.MODE, tuple(load_catalog(folder_paths.get_user_directory()).names), files)

    @classmethod
    def validate_inputs(cls, **values: Any) -> bool:
        # Raising (not returning a message) gives the user one error instead of one per input.
        # Linked inputs arrive as None: their values are checked when the node runs.
        known = {k: v for k, v in values.items() if v is not None}
        _host().make_plan(cls.MODE, {**cls.MODE.defaults, "prompt": "(linked)", **known})
        return True

    @classmethod
    def fingerprint_inputs(cls, **values: Any) -> float:
        return float("nan")

    @classmethod
    def execute(cls, **values: Any) -> io.NodeOutput:
        plan, graph, outputs = cls.expand(values)
        cls._report(plan)
        _host().provide_files(plan, cls.hidden.unique_id)
        return io.NodeOutput(*outputs, expand=graph, ui={METADATA_KEY: [plan.used_values()]})

    @classmethod
    def expand(cls, values: dict[str, Any]) -> tuple[RunPlan, dict, tuple]:
        """The run's plan and its graph under this call's node-id prefix."""
        prefix = GraphBuilder.alloc_prefix()  # before anything else: the default prefix is per call
        plan = _host().make_plan(cls.MODE, values)
        graph, outputs = with_prefix(plan.expansion, prefix)
        return plan, graph, outputs

    @classmethod
    def _report(cls, plan: RunPlan) -> None:
        log.info("%s: %s", PACK_NAME, plan.summary())
        node_id = cls.hidden.unique_id
        extra = cls.hidden.extra_pnginfo
        if isinstance(extra, dict):
            # ComfyUI copies extra_pnginfo into every saved file's metadata, so the inner SaveVideo
            # records the values this run really used.
            extra.setdefault(METADATA_KEY, {})[str(node_id)] = plan.used_values()
        server = PromptServer.instance
        server.send_progress_text(plan.summary(), node_id, server.client_id)


def _host():
    # Planning and the model store load with the first queued prompt, not at ComfyUI's startup,
    # where they would double the pack's import time.
    from . import host
    return host


def node_classes() -> list[type[io.ComfyNode]]:
    return [type(mode.node_name, (SuperNode,), {"MODE": mode, "__doc__": mode.description})
            for mode in MODES.values()]
