"""Extend and Retake work on a source video whose length, size and frame rate shape the clip.

Extend samples the source's last frames (the context, kept frozen) followed by the new frames,
and outputs the source followed by the new frames. Retake samples the whole source with a time
range unfrozen. Both need the source's facts before anything runs, so they read the uploaded
file at queue time; a VIDEO wired into the socket has no facts until the graph runs.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from .media import MediaError, MediaInfo
from .modes import Mode
from .settings import MIN_FRAMES, WINDOW_SECONDS, Geometry, SettingsError, max_frames, snap_size

EXTEND, RETAKE = "extend", "retake"
MAX_BATCH = 4096  # core ImageFromBatch's largest index and length
CONTINUATION_ONLY = "continuation only"
REGENERATES = {"video and audio": ("video", "audio"), "video only": ("video",), "audio only": ("audio",)}


def usable_frames(frames: int) -> int:
    """The most 8n+1 frames a clip of ``frames`` holds."""
    return 8 * ((frames - 1) // 8) + 1


def context_frames(seconds: float, fps: int, source_frames: int) -> int:
    """8n+1 frames nearest ``seconds`` (at least 9), never more than the source holds."""
    return min(8 * max(1, round(seconds * fps / 8)) + 1, usable_frames(source_frames))


def added_frames(seconds: float, fps: int) -> int:
    return 8 * max(1, round(seconds * fps / 8))


def _fit_source(mode: Mode, values: Mapping[str, Any], info: MediaInfo | None,
                geometry: Geometry) -> tuple[Geometry, int]:
    """The geometry with the source's rate and size, and the source's frame count."""
    if info is None or not info.frames or not info.fps:
        raise MediaError(f"{mode.title} reads the source video's length, size and frame rate before it runs: "
                         f"choose the video file on the node (upload it) instead of wiring a VIDEO into "
                         f"'video_input'.")
    name = values.get("video")
    fps = round(info.fps)
    if info.frames < MIN_FRAMES:
        raise MediaError(f"video: '{name}' is too short ({info.frames} frames, {info.frames / info.fps:.2f} s); "
                         f"{mode.title} needs a source of at least {MIN_FRAMES} frames "
                         f"({MIN_FRAMES / fps:.2f} s at its {fps} fps).")
    changes = []  # the node's size and length are not used: the source's are
    width, height = snap_size(info.width or geometry.width), snap_size(info.height or geometry.height)
    if (width, height) != (geometry.width, geometry.height) or (width, height) != (info.width, info.height):
        changes.append(f"size {width}×{height} (the source video's {info.width}×{info.height}"
                       f"{'' if (width, height) == (info.width, info.height) else ', snapped to multiples of 64'})")
    if fps != geometry.fps:
        changes.append(f"fps {geometry.fps} → {fps} (the source video's rate)")
    return replace(geometry, width=width, height=height, fps=fps, changes=tuple(changes)), info.frames


def fit_extend(mode: Mode, values: Mapping[str, Any], info: MediaInfo | None,
               geometry: Geometry) -> tuple[Geometry, tuple[str, ...], dict[str, Any]]:
    geometry, source = _fit_source(mode, values, info, geometry)
    fps = geometry.fps
    context = context_frames(float(values["context_seconds"]), fps, source)
    added = added_frames(float(values["duration"]), fps)
    frames = context + added
    if frames > max_frames(fps):
        most = max_frames(fps) - context
        raise SettingsError(
            f"Extend samples the source's last {context} frames with the {added} new ones ({frames} frames); "
            f"LTX-2.3 sees {WINDOW_SECONDS} s at a time, at {fps} fps at most {max_frames(fps)} frames, so with this "
            f"context at most {most} new frames ({most / fps:.2f} s). Shorten duration or context_seconds.")
    if source + added > MAX_BATCH:
        raise SettingsError(f"the source has {source} frames; Extend outputs at most {MAX_BATCH} frames in all. "
                            f"Cut the source first (core 'Video Slice').")
    changes = list(geometry.changes)
    if abs(float(values["duration"]) * fps - added) > 1e-6:
        changes.append(f"added {values['duration']:g} s → {added} frames (multiples of 8)")
    geometry = replace(geometry, frames=frames, changes=tuple(changes))
    params = extend_params(values, source, context, added, fps)
    notes = (f"output: {params['output_frames']} frames ({source} from the source + {added} new)"
             if values.get("output") != CONTINUATION_ONLY else f"output: the {added} new frames",
             f"continues from the source's last {context} frames")
    return geometry, notes, params


def extend_params(values: Mapping[str, Any], source: int, context: int, added: int, fps: int) -> dict[str, Any]:
    """The values extend.json refers to, in frames and seconds."""
    only_new = values.get("output") == CONTINUATION_ONLY
    return {
        "source_frame_count": source,
        "source_length": source / fps,
        "context_frames": context,
        "context_from": source - context,
        "context_length": context / fps,
        "context_audio_from": (source - context) / fps,
        "added_frames": added,
        "added_length": added / fps,
        "output_from": source if only_new else 0,
        "output_frames": added if only_new else source + added,
        "output_audio_from": source / fps if only_new else 0.0,
        "output_length": (added if only_new else source + added) / fps,
    }


def fit_retake(mode: Mode, values: Mapping[str, Any], info: MediaInfo | None,
               geometry: Geometry) -> tuple[Geometry, tuple[str, ...], dict[str, Any]]:
    geometry, source = _fit_source(mode, values, info, geometry)
    fps = geometry.fps
    frames = usable_frames(source)
    if frames > max_frames(fps):
        raise SettingsError(f"video: '{values.get('video')}' has {source} frames ({source / fps:.2f} s); Retake "
                            f"samples the whole source in one pass and LTX-2.3 sees {WINDOW_SECONDS} s at a time, "
                            f"at {fps} fps at most {max_frames(fps)} frames. Cut the source first.")
    changes = list(geometry.changes)
    if frames != source:
        changes.append(f"{source} → {frames} source frames (8n+1; the last {source - frames} are left out)")
    length = frames / fps
    start, end = float(values["start"]), float(values["end"])
    if not 0 <= start < end:
        raise SettingsError(f"the retake range {start:g}–{end:g} s is empty: end must be after start.")
    if end > length + 1e-6:
        raise SettingsError(f"the retake range {start:g}–{end:g} s is outside the clip, which is {length:.2f} s "
                            f"({frames} frames at {fps} fps): set end to {length:.2f} s or less.")
    geometry = replace(geometry, frames=frames, changes=tuple(changes))
    params = retake_params(values, fps)
    return geometry, (f"retakes {start:g}–{end:g} s ({values.get('regenerate', 'video and audio')})",), params


def retake_params(values: Mapping[str, Any], fps: int) -> dict[str, Any]:
    """The range each stream regenerates; a stream that is kept gets an empty range."""
    start, end = float(values["start"]), float(values["end"])
    streams = REGENERATES[values.get("regenerate") or "video and audio"]
    params = {}
    for stream in ("video", "audio"):
        regenerated = stream in streams
        params[f"retake_{stream}_from"] = start if regenerated else 0.0
        params[f"retake_{stream}_to"] = end if regenerated else 0.0
    return params


def default_params(mode: Mode, values: Mapping[str, Any], geometry: Geometry) -> dict[str, Any]:
    """The params of a plan made without the source (model lists, help pages): as if the source
    were long enough for the node's values."""
    if mode.edits_source == EXTEND:
        context = 8 * max(1, round(float(values["context_seconds"]) * geometry.fps / 8)) + 1
        return extend_params(values, context, context, added_frames(float(values["duration"]), geometry.fps),
                             geometry.fps)
    if mode.edits_source == RETAKE:
        return retake_params(values, geometry.fps)
    return {}


FITS = {EXTEND: fit_extend, RETAKE: fit_retake}


def fit_to_source(mode: Mode, values: Mapping[str, Any], infos: Mapping[str, MediaInfo],
                  geometry: Geometry) -> tuple[Geometry, tuple[str, ...], dict[str, Any]]:
    """Geometry, notes and workflow params for a mode that edits its source video."""
    return FITS[mode.edits_source](mode, values, infos.get("video"), geometry)
