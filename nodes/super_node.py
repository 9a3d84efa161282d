"""The super-nodes: one V3 node per mode whose run expands into that mode's workflow.

Each run re-expands (NaN fingerprint) so the video reaches the node and the history every time,
while the inner nodes keep their cache entries: a seed- or prompt-only change re-runs neither
loaders nor anything upstream of the change.

Every input is a lazy raw link, so the node expands before anything wired into it runs. That
order is what keeps the models: ComfyUI's default RAM-pressure cache frees, after each executed
node, every entry the current prompt has not touched yet, and an expansion is what touches the
inner loaders. With values wired in, the expansion is two levels: a "run" node (one per mode,
hidden from the node list) that waits for the wired values and then expands the workflow, plus a
never-executed copy of the previous run's graph whose only job is to mark its cache entries as in
use before the wired nodes run.
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
from .lists import flat, wired_children
from .messages import PackError, for_frontend
from .modes import MODES, PACK_NAME, ChoiceInput, FileChoice, ListInput, MediaInput, Mode, ModeInput, NumberInput
from .options import NO_VOICE, option_inputs
from .prompt_note import METADATA_KEY, PromptNote  # METADATA_KEY: the run's entry in the mp4 and history
from .settings import check_prompt
from .stages import stages
from .workflow import is_link, load_presets, negative_prompt_use, with_prefix

if TYPE_CHECKING:
    from .plan import RunPlan

log = logging.getLogger("ltx23_aio")

CATEGORY = PACK_NAME
UPLOADS = {"image": io.UploadType.image, "audio": io.UploadType.audio, "video": io.UploadType.video}
SOCKETS = {"image": io.Image, "audio": io.Audio, "video": io.Video}
# The content types ComfyUI's own loaders list for each kind (LoadAudio also reads videos' sound).
INPUT_TYPES = {"image": ("image",), "audio": ("audio", "video"), "video": ("video",)}
RUN_SUFFIX = "_Run"  # the inner node that runs a mode once its wired values are known
# The outputs a mode may have (Mode.outputs names them in order).
OUTPUTS = {
    "video": lambda: io.Video.Output("video", tooltip="The clip with its audio muxed in."),
    "images": lambda: io.Image.Output("images", tooltip="The decoded frames."),
    "audio": lambda: io.Audio.Output("audio", tooltip="The clip's audio."),
    "prompt": lambda: io.String.Output("prompt", tooltip="The prompt the result was made from: the prompt "
                                                         "enhancer's text when it is on, else yours."),
}
# Inputs that decide the graph's shape or its files: when wired, queue time cannot plan the run.
SHAPING = ("width", "height", "duration", "fps", "preset", "models")
_last_values: dict[tuple[str, str], dict[str, Any]] = {}  # (mode, node id) -> values of its last run


def input_files() -> dict[str, tuple[str, ...]]:
    directory = folder_paths.get_input_directory()
    try:
        names = [f for f in os.listdir(directory) if os.path.isfile(os.path.join(directory, f))]
    except OSError:
        names = []
    return {kind: tuple(sorted(folder_paths.filter_files_content_types(names, list(types))))
            for kind, types in INPUT_TYPES.items()}


def mode_inputs(inputs: tuple[ModeInput, ...], files: dict[str, tuple[str, ...]], lazy: bool) -> list[io.Input]:
    widgets: list[io.Input] = []
    wiring = {"lazy": True, "raw_link": True} if lazy else {}
    for i in inputs:
        if isinstance(i, MediaInput):
            # Upload widget plus a lazy raw-link socket: wired media enter the expansion as links,
            # so upstream nodes run inside it and the model cache is never evicted for them.
            widgets.append(io.Combo.Input(i.name, options=list(files[i.kind]), upload=UPLOADS[i.kind],
                                          optional=True, tooltip=i.tooltip))
            widgets.append(SOCKETS[i.kind].Input(i.socket, optional=True, lazy=True, raw_link=True,
                                                 tooltip="Not used by this mode: choose the file above, which is "
                                                         "read before the run." if i.file_only else
                                                 f"Use this {i.kind} instead of the file above."))
        elif isinstance(i, NumberInput):
            widgets.append(io.Float.Input(i.name, default=i.default, min=i.min, max=i.max, step=i.step,
                                          tooltip=i.tooltip, **wiring))
        elif isinstance(i, ChoiceInput):
            widgets.append(io.Combo.Input(i.name, options=list(i.options), default=i.default, tooltip=i.tooltip,
                                          **wiring))
    return widgets


def list_inputs(lists: tuple[ListInput, ...], files: dict[str, tuple[str, ...]],
                folders: dict[str, tuple[str, ...]], lazy: bool) -> list[io.Input]:
    """Each list as core's DynamicCombo: a count, and under it that many rows of widgets. Optional,
    so prompts written before the lists existed still queue."""
    wiring = {"lazy": True, "raw_link": True} if lazy else {}
    inputs: list[io.Input] = []
    for lst in lists:
        options = []
        for count in lst.counts:
            row_inputs: list[io.Input] = []
            for number in lst.rows(int(count)):
                for f in lst.fields:
                    name = f"{f.name}{number}"
                    if isinstance(f, MediaInput):
                        row_inputs.append(io.Combo.Input(name, options=list(files[f.kind]), upload=UPLOADS[f.kind],
                                                         tooltip=f.tooltip, **wiring))
                    elif isinstance(f, FileChoice):
                        row_inputs.append(io.Combo.Input(name, options=list(folders[f.folder]), tooltip=f.tooltip,
                                                         **wiring))
                    else:
                        row_inputs.append(io.Float.Input(name, default=lst.field_default(f, number, int(count)),
                                                         min=f.min, max=f.max, step=f.step, tooltip=f.tooltip,
                                                         **wiring))
            options.append(io.DynamicCombo.Option(count, row_inputs))
        # The default is the first option anyway; declared so the sidebar's mode switch knows it.
        combo = io.DynamicCombo.Input(lst.name, options=options, optional=True, tooltip=lst.tooltip,
                                      lazy=True if lazy else None, extra_dict={"default": lst.default})
        combo.raw_link = True if lazy else None
        inputs.append(combo)
    return inputs


def shared_inputs(mode: Mode, model_sets: list[str], lazy: bool) -> list[io.Input]:
    """The form every mode shares, from its one declaration (nodes/modes.py)."""
    wiring = {"lazy": True, "raw_link": True} if lazy else {}
    options = {"preset": list(load_presets(mode.id)), "models": model_sets}
    inputs: list[io.Input] = []
    for i in mode.shared:
        tooltip = f"{i.tooltip} {negative_prompt_use(mode.id)}" if i.name == "negative_prompt" else i.tooltip
        if i.name == "preset" and len(options["preset"]) < 3:  # a mode with fewer presets names its own
            tooltip = f"{' or '.join(options['preset'])}: the node's help says what each runs."
        default = i.default.format(mode=mode.id) if i.name == "filename_prefix" else i.default
        common = {"tooltip": tooltip, **wiring}
        if i.kind == "text":
            inputs.append(io.String.Input(i.name, default=default, multiline=i.multiline, placeholder=i.placeholder,
                                          **common))
        elif i.kind == "int":
            inputs.append(io.Int.Input(i.name, default=default, min=i.min, max=i.max, step=i.step,
                                       control_after_generate=i.name == "seed", **common))
        elif i.kind == "float":
            most = mode.longest_seconds if i.name == "duration" else i.max  # the mode's own limit
            inputs.append(io.Float.Input(i.name, default=default, min=i.min, max=most, step=i.step, **common))
        else:
            inputs.append(io.Combo.Input(i.name, options=options[i.name], default=default, **common))
    return inputs


def options_widgets(mode: Mode, files: dict[str, tuple[str, ...]], lazy: bool) -> list[io.Input]:
    """The options' inputs, all optional and last (nodes/options.py)."""
    wiring = {"lazy": True, "raw_link": True} if lazy else {}
    widgets: list[io.Input] = []
    for i in option_inputs(mode):
        if isinstance(i, MediaInput):
            widgets.append(io.Combo.Input(i.name, options=[NO_VOICE, *files[i.kind]], default=NO_VOICE,
                                          upload=UPLOADS[i.kind], optional=True, tooltip=i.tooltip))
            widgets.append(SOCKETS[i.kind].Input(i.socket, optional=True, lazy=True, raw_link=True,
                                                 tooltip=f"Use this {i.kind} instead of the file above."))
        elif i.kind == "bool":
            widgets.append(io.Boolean.Input(i.name, default=i.default, optional=True, tooltip=i.tooltip, **wiring))
        else:
            widgets.append(io.Int.Input(i.name, default=i.default, min=i.min, max=i.max, optional=True,
                                        tooltip=i.tooltip, **wiring))
    return widgets


@lru_cache(maxsize=64)
def _schema(mode: Mode, model_sets: tuple[str, ...], files: tuple[tuple[str, tuple[str, ...]], ...],
            runs_wired: bool, folders: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> io.Schema:
    # The AIO node takes every input as a raw link; its hidden run node evaluates the wired values.
    shared = shared_inputs(mode, list(model_sets), lazy=not runs_wired)
    # The mode's own inputs go after the prompt, before the shared size/length/seed settings.
    return io.Schema(
        node_id=mode.node_id + (RUN_SUFFIX if runs_wired else ""),
        display_name=mode.display_name + (" (run with wired values)" if runs_wired else ""),
        category=CATEGORY,
        description=mode.description,
        inputs=shared[:2] + mode_inputs(mode.inputs, dict(files), lazy=not runs_wired) + shared[2:]
        + options_widgets(mode, dict(files), lazy=not runs_wired)
        + list_inputs(mode.lists, dict(files), dict(folders), lazy=not runs_wired),
        outputs=[OUTPUTS[name]() for name in mode.outputs],
        hidden=[io.Hidden.unique_id, io.Hidden.extra_pnginfo],
        is_output_node=not runs_wired,
        is_dev_only=runs_wired,  # an implementation detail: kept out of the node search
        enable_expand=True,
    )


def wired_values(mode: Mode, values: dict[str, Any]) -> list[str]:
    """Inputs other than media that arrive as links to other nodes (a row's as ``<list>.<input>``)."""
    sockets = {m.socket for m in mode.media} | {i.socket for i in option_inputs(mode) if isinstance(i, MediaInput)}
    return [k for k, v in values.items() if k not in sockets and is_link(v)] + wired_children(values)


class SuperNode(io.ComfyNode):
    MODE: Mode
    RUNS_WIRED = False  # True for the hidden run node, which receives wired values evaluated

    @classmethod
    def define_schema(cls) -> io.Schema:
        # ComfyUI rebuilds the schema many times per queued prompt; only the model set list
        # (the user's JSON files) and the input folder's files can change it.
        media = [*cls.MODE.media, *option_inputs(cls.MODE), *(f for lst in cls.MODE.lists for f in lst.fields)]
        files = tuple(input_files().items()) if any(isinstance(m, MediaInput) for m in media) else ()
        folders = tuple((folder, tuple(folder_paths.get_filename_list(folder)))
                        for folder in sorted({f.folder for lst in cls.MODE.lists for f in lst.fields
                                              if isinstance(f, FileChoice)}))
        return _schema(cls.MODE, tuple(load_catalog(folder_paths.get_user_directory()).names), files,
                       cls.RUNS_WIRED, folders)

    @classmethod
    def validate_inputs(cls, input_types: dict[str, Any] | None = None, **values: Any) -> bool:
        # Raising (not returning a message) gives the user one error instead of one per input.
        try:
            cls._validate(input_types or {}, values)
        except ValueError as e:
            raise PackError(for_frontend(str(e))) from e
        return True

    @classmethod
    def _validate(cls, input_types: dict[str, Any], values: dict[str, Any]) -> None:
        # Wired inputs arrive as links: their values are checked when the node runs, before any
        # model loads. Without the inputs that shape the graph, only the typed prompt is checked.
        cls._check_wired_types(input_types)
        wired = set(wired_values(cls.MODE, values))
        known = {**cls.MODE.fixed, **{k: v for k, v in values.items() if v is not None and k not in wired}}
        # A list with a wired row decides LoRAs or keyframes only when the graph runs.
        partly = {name.split(".")[0] for name in wired if "." in name}
        if any(name not in known for name in (*SHAPING, *cls.MODE.source_shaping)) or partly:
            if "prompt" in known:
                check_prompt(known["prompt"])  # a SettingsError: reported like the plan's errors
            return
        _host().make_plan(cls.MODE, {**cls.MODE.defaults, "prompt": "(linked)", **known})

    @classmethod
    def _check_wired_types(cls, received: dict[str, Any]) -> None:
        """ComfyUI's own type check, which asking for ``input_types`` turns off, plus one leniency:
        a choice (preset, model set, control) may come from any node that outputs text."""
        from comfy_execution.validation import validate_node_input

        declared = {name: spec[0] for group in ("required", "optional")
                    for name, spec in cls.INPUT_TYPES().get(group, {}).items()}
        for name, got in received.items():
            want = declared.get(name)
            if want is None:
                continue
            if isinstance(want, list) or want == "COMBO":
                ok = got in ("STRING", "COMBO") or validate_node_input(got, "COMBO")
                want = "STRING"
            else:
                ok = validate_node_input(got, want)
            if not ok:
                raise ValueError(f"{name} is wired to an output of type {got}; it takes {want}: connect a node "
                                 f"that outputs {want}, or type the value on the node.")

    @classmethod
    def fingerprint_inputs(cls, **values: Any) -> float:
        return float("nan")

    @classmethod
    def execute(cls, **values: Any) -> io.NodeOutput:
        values = {k: v for k, v in values.items() if v is not None}
        if not cls.RUNS_WIRED and wired_values(cls.MODE, values):
            return cls._defer(values)
        # The run node reports on the AIO node it belongs to: its id is "<AIO id>.<call>.<graph>.run".
        node_id = cls.hidden.unique_id.rsplit(".", 3)[0] if cls.RUNS_WIRED else cls.hidden.unique_id
        try:
            plan, graph, outputs, prefix = cls.expand(values)
            if cls.RUNS_WIRED:
                graph = {k: {**node, "override_display_id": node_id} for k, node in graph.items()}
            _last_values[(cls.MODE.id, node_id)] = values
            cls._report(plan, node_id)
            _host().provide_files(plan, node_id)
        except Exception as e:
            # The node's text would otherwise still say what it was doing ("downloading …").
            server = PromptServer.instance
            server.send_progress_text(f"failed: {e}", node_id, server.client_id)
            from ..model_store.errors import ModelFileError

            if isinstance(e, (ValueError, ModelFileError)):  # the pack's own: the message says it all
                log.error("%s: %s", PACK_NAME, e)
                # Not chained: ComfyUI logs the chain, and its error report (the Errors panel) shows
                # that log, where the cause would read "….model_store.errors.ModelFileError: …".
                raise PackError(for_frontend(str(e))) from None
            raise
        stage_of = {prefix + name: stage for name, stage in stages(plan.expansion.graph).items()}
        _progress().watch(node_id, graph, stage_of, plan.summary())
        return io.NodeOutput(*outputs, expand=graph, ui={METADATA_KEY: [plan.used_values()]})

    @classmethod
    def expand(cls, values: dict[str, Any]) -> tuple[RunPlan, dict, tuple, str]:
        """The run's plan and its graph under this call's node-id prefix (returned too)."""
        prefix = GraphBuilder.alloc_prefix()  # before anything else: the default prefix is per call
        plan = _host().make_plan(cls.MODE, values)
        graph, outputs = with_prefix(plan.expansion, prefix)
        return plan, graph, outputs, prefix

    @classmethod
    def _defer(cls, values: dict[str, Any]) -> io.NodeOutput:
        """Expand into the run node, which waits for the wired values, and a copy of the last
        run's graph that never executes but keeps its cached models in use meanwhile."""
        prefix = GraphBuilder.alloc_prefix()
        run = prefix + "run"
        graph = {run: {"class_type": cls.MODE.node_id + RUN_SUFFIX, "inputs": flat(values)}}
        last = _last_values.get((cls.MODE.id, cls.hidden.unique_id))
        if last is not None:
            wired = set(wired_values(cls.MODE, values))
            typed = {k: v for k, v in values.items() if k not in wired and not wired_children({k: v})}
            graph.update(_host().held_graph(cls.MODE, {**last, **typed}, prefix + "held."))
        return io.NodeOutput(*([run, i] for i in range(len(cls.MODE.outputs))), expand=graph)

    @classmethod
    def _report(cls, plan: RunPlan, node_id: str) -> None:
        log.info("%s: %s", PACK_NAME, plan.summary())
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


def _progress():
    from . import progress
    return progress


def node_classes() -> list[type[io.ComfyNode]]:
    classes = []
    for mode in MODES.values():
        node = type(mode.node_name, (SuperNode,), {"MODE": mode, "__doc__": mode.description})
        run = type(mode.node_name + RUN_SUFFIX, (SuperNode,), {"MODE": mode, "RUNS_WIRED": True,
                                                             "__doc__": "Runs " + mode.title + " with wired values."})
        classes += [node, run]
    from .audio_only import node_class
    classes.append(node_class())  # the model patch Text → Audio needs and core lacks
    return classes + [PromptNote]
