"""What the planner needs from the running ComfyUI, read through its public modules."""
from __future__ import annotations

import json
import os

from ..model_manifest import ModelFile
from ..model_store.auto import comfy_gpu
from ..model_store.comfy_paths import comfy_paths, node_progress
from ..model_store.ensure import check_downloadable, ensure_files, find_file
from ..model_store.errors import ModelFileError
from .media import MediaError, MediaInfo
from .modes import Mode
from .plan import Environment, RunError, RunPlan, plan_run
from .workflow import with_prefix

FORMATS = {"image": "PNG, JPEG or WebP", "audio": "WAV, FLAC, MP3 or M4A", "video": "MP4 (H.264) or WebM"}

AUTO_DOWNLOAD_SETTING = "LTX23AIO.AutoDownload"  # registered by web/ in ComfyUI's settings
AUTO_DOWNLOAD_ENV = "LTX23_AIO_AUTO_DOWNLOAD"  # for servers without a browser: 0 turns it off


def auto_download() -> bool:
    """Whether a run may download missing model files: on unless the environment or the user's
    ComfyUI setting (stored by the frontend in the default user's comfy.settings.json) says no."""
    import folder_paths

    env = os.environ.get(AUTO_DOWNLOAD_ENV)
    if env is not None:
        return env.strip().lower() not in ("0", "false", "no", "off")
    settings = os.path.join(folder_paths.get_user_directory(), "default", "comfy.settings.json")
    try:
        with open(settings, encoding="utf-8") as f:
            return bool(json.load(f).get(AUTO_DOWNLOAD_SETTING, True))
    except (OSError, ValueError):
        return True


def _locate(f: ModelFile) -> str | None:
    found = find_file(f, comfy_paths())
    return found.path if found else None


def _unavailable(files, mode: str, model_set: str) -> str | None:
    try:
        check_downloadable(files, allow_download=auto_download(), mode=mode, model_set=model_set)
    except ModelFileError as e:
        return str(e)
    return None


def make_plan(mode: Mode, values: dict) -> RunPlan:
    """Plan a run in this ComfyUI; raises RunError with the fix."""
    return plan_run(mode, values, comfy_environment())


def held_graph(mode: Mode, values: dict, prefix: str) -> dict:
    """The graph a run with these values would expand to, less its output nodes: added to an
    expansion it runs nothing, yet marks every matching cache entry as used by this prompt."""
    import nodes

    try:
        graph, _ = with_prefix(make_plan(mode, values).expansion, prefix)
    except RunError:
        return {}  # the last values no longer plan (a file or set gone): nothing to hold
    return {k: node for k, node in graph.items()
            if not getattr(nodes.NODE_CLASS_MAPPINGS.get(node["class_type"]), "OUTPUT_NODE", False)}


def provide_files(plan: RunPlan, node_id: str | None) -> None:
    """Make the plan's model files readable by ComfyUI's loaders: link files found in the
    Hugging Face cache and download missing ones, with progress on the node."""
    ensure_files(plan.expansion.files, comfy=comfy_paths(comfy_gpu()), progress=node_progress(node_id),
                 allow_download=auto_download(), mode=plan.mode.id, model_set=plan.model_set.name)


def _read_media(kind: str, path: str) -> MediaInfo:
    """Decode what the core loader will decode (images and audio whole, a video's first frame)."""
    import av

    with av.open(path) as container:
        if kind == "audio":
            if not container.streams.audio:
                raise ValueError("it has no audio stream")
            stream = container.streams.audio[0]
            samples = sum(f.samples for f in container.decode(stream))
            if not samples:
                raise ValueError("no audio could be decoded")
            return MediaInfo(kind, duration=samples / stream.codec_context.sample_rate)
        if not container.streams.video:
            raise ValueError("it has no picture")
        stream = container.streams.video[0]
        first = next(container.decode(stream), None)
        if first is None:
            raise ValueError("no frame could be decoded")
        if kind == "image":
            return MediaInfo(kind, width=first.width, height=first.height)
        fps = float(stream.average_rate or stream.guessed_rate or 0)
        duration = float(stream.duration * stream.time_base) if stream.duration else (container.duration or 0) / 1e6
        frames = stream.frames or round(duration * fps)
        if not fps or not frames:
            raise ValueError("its length or frame rate is unknown")
        return MediaInfo(kind, duration=frames / fps, fps=fps, frames=frames, width=first.width, height=first.height,
                         has_audio=bool(container.streams.audio))


_probed: dict[tuple, MediaInfo] = {}


def probe_media(kind: str, name: str) -> MediaInfo:
    import folder_paths

    if not folder_paths.exists_annotated_filepath(name):
        raise MediaError(f"the {kind} '{name}' is not in ComfyUI's input folder; upload it again or pick another.")
    path = folder_paths.get_annotated_filepath(name)
    stat = os.stat(path)
    key = (kind, path, stat.st_mtime_ns, stat.st_size)
    if key not in _probed:
        try:
            _probed[key] = _read_media(kind, path)
        except Exception as e:  # av raises many types for damaged files
            raise MediaError(f"the {kind} '{name}' cannot be read ({e}); it may be damaged. "
                             f"Use a {FORMATS[kind]} file.") from e
    return _probed[key]


def comfy_environment() -> Environment:
    import comfyui_version
    import folder_paths
    import nodes

    return Environment(
        user_dir=folder_paths.get_user_directory(),
        node_classes=nodes.NODE_CLASS_MAPPINGS,
        # ComfyUI still maps the legacy names "unet" and "clip" onto the new folders.
        model_folders={*folder_paths.folder_names_and_paths, "unet", "clip"},
        locate=_locate,
        unavailable=_unavailable,
        gpu=comfy_gpu(),
        comfyui_version=getattr(comfyui_version, "__version__", "unknown"),
        probe=probe_media,
        loras=lambda: folder_paths.get_filename_list("loras"),
    )
