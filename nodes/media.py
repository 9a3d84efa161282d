"""A mode's media: where each comes from, what a file holds, and how it shapes the clip.

An uploaded file is read (header only) when the prompt is queued, so a missing, unreadable or
too short file is reported before any model loads. Media wired into a socket only exist once the
graph runs; they are used as they come (see each node's help).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

from .lists import ListError, row_media
from .modes import MEDIA_LOADERS, MediaInput, Mode
from .settings import MAX_FPS, MIN_FPS, MIN_FRAMES, WINDOW_SECONDS, Geometry, frames_for, max_frames
from .workflow import MediaSource, is_link


class MediaError(ValueError):
    """A media input cannot be used; the message names it and the fix."""


@dataclass(frozen=True)
class MediaInfo:
    kind: str
    duration: float | None = None  # seconds, for audio and video
    fps: float | None = None  # video
    frames: int | None = None  # video
    width: int | None = None
    height: int | None = None
    has_audio: bool | None = None  # video: whether it has a sound track (None: not read)


Probe = Callable[[str, str], MediaInfo]  # (kind, file in the input folder) -> facts; raises MediaError


def sources(mode: Mode, values: Mapping[str, Any], probe: Probe) -> tuple[dict[str, MediaSource], dict[str, MediaInfo]]:
    """Each media input's source, and the facts of those that are files."""
    found: dict[str, MediaSource] = {}
    infos: dict[str, MediaInfo] = {}
    for m in mode.media:
        link = values.get(m.socket)
        if is_link(link):
            found[m.name] = MediaSource(link=(link[0], link[1]))
            continue
        name = values.get(m.name)
        if not name:
            raise MediaError(f"{m.name}: no {m.kind} chosen. Pick or upload one on the node, or connect a "
                             f"{m.kind.upper()} to '{m.socket}'.")
        loader, loader_input = MEDIA_LOADERS[m.kind]
        found[m.name] = MediaSource(loader=loader, loader_input=loader_input, file=name)
        infos[m.name] = probe(m.kind, name)
    try:
        chosen = row_media(mode, values)
    except ListError as e:
        raise MediaError(str(e)) from e
    for name, (kind, file) in chosen.items():
        loader, loader_input = MEDIA_LOADERS[kind]
        found[name] = MediaSource(loader=loader, loader_input=loader_input, file=file)
        infos[name] = probe(kind, file)  # rows' media are files: read now, so a bad one is refused
    return found, infos


def _offset(mode: Mode, m: MediaInput, values: Mapping[str, Any]) -> float:
    start = f"{m.kind}_start"
    return float(values.get(start, 0.0)) if any(i.name == start for i in mode.inputs) else 0.0


def _source_rate(m: MediaInput, info: MediaInfo, name: Any, geometry: Geometry) -> float:
    """The source video's frame rate, as the clip will use it. Kept exact (12.5, 29.97): a rate
    rounded to whole frames would make the picture drift against the source's sound (12.5 → 12
    is 4 % slow). Rates outside what the node accepts are refused rather than resampled, because
    no core node drops or repeats frames to change a video's rate."""
    fps = float(info.fps or geometry.fps)
    if not MIN_FPS <= fps <= MAX_FPS:
        raise MediaError(f"{m.name}: '{name}' runs at {fps:g} fps; LTX-2.3 takes {MIN_FPS}–{MAX_FPS} fps "
                         f"(it is trained at 24–25). Convert the video first, e.g. "
                         f"`ffmpeg -i in.mp4 -r 24 out.mp4`, or wire a VIDEO of a lower rate into "
                         f"'{m.socket}'.")
    return round(fps, 6)


def shape_clip(mode: Mode, values: Mapping[str, Any], infos: Mapping[str, MediaInfo],
               geometry: Geometry) -> tuple[Geometry, tuple[str, ...]]:
    """Fit the clip to its media: a source video sets the frame rate (the asked duration is then
    counted in its frames) and caps the length; audio shorter than the clip is padded with
    silence. Returns the geometry and notes for the user."""
    notes: list[str] = []
    changes = list(geometry.changes)
    for m in mode.media:
        info = infos.get(m.name)
        if info is None or info.duration is None:
            continue
        start = _offset(mode, m, values)
        if start >= info.duration:
            raise MediaError(f"{m.name}: the start {start:g} s is past the end of '{values.get(m.name)}' "
                             f"({info.duration:.2f} s). Lower {m.kind}_start.")
        left = info.duration - start
        if m.kind == "video":
            fps = _source_rate(m, info, values.get(m.name), geometry)
            if fps != geometry.fps:
                # The duration asked for, in the source's frames (not the node's rate's).
                duration = float(values.get("duration", geometry.duration))
                frames = min(frames_for(duration, fps), max_frames(fps))
                changes = [c for c in changes if not c.endswith("frames (8n+1)")]
                changes.append(f"fps {geometry.fps:g} → {fps:g} (the source video's rate): "
                               f"{duration:g} s = {frames} frames")
                geometry = replace(geometry, fps=fps, frames=frames)
            available = math.floor(left * fps + 1e-6)
            if available < MIN_FRAMES:
                raise MediaError(f"{m.name}: only {left:.2f} s of '{values.get(m.name)}' after the start; "
                                 f"a clip needs at least {MIN_FRAMES} frames ({MIN_FRAMES / fps:.2f} s).")
            if available < geometry.frames:
                frames = 8 * ((available - 1) // 8) + 1
                changes.append(f"{geometry.frames} → {frames} frames (the source video has {left:.2f} s "
                               f"after the start)")
                geometry = replace(geometry, frames=frames)
        elif m.kind == "audio" and left + 1e-6 < geometry.duration:
            notes.append(f"{m.name}: {left:.2f} s after the start, padded with silence to the clip's "
                         f"{geometry.duration:.2f} s")
    return replace(geometry, changes=tuple(changes)), tuple(notes)


def follow_source(mode: Mode, values: Mapping[str, Any], infos: Mapping[str, MediaInfo],
                  geometry: Geometry) -> Geometry:
    """A mode that follows its source video (Dub video) makes the source's whole clip: its frame
    rate, and its frame count rounded down to 8n+1. Its audio must then cover that clip: it is
    kept unchanged, so it cannot be cut short or stretched. A wired source is not known before
    the run: the node's fps and duration stand for it."""
    video = next((m for m in mode.media if m.kind == "video"), None)
    info = infos.get(video.name) if mode.follows_source and video else None
    if info is None or info.duration is None:
        return geometry
    name = values.get(video.name)
    if info.has_audio is False:
        raise MediaError(f"{video.name}: '{name}' has no sound; {mode.title} uses the source's own voice as the "
                         f"reference. Use the clip with its sound.")
    fps = _source_rate(video, info, name, geometry)  # exact, as shape_clip keeps it after this
    available = info.frames or math.floor(info.duration * fps + 1e-6)
    frames = 8 * ((available - 1) // 8) + 1
    if frames < MIN_FRAMES:
        raise MediaError(f"{video.name}: '{name}' has only {available} frames; a clip needs at least {MIN_FRAMES} "
                         f"({MIN_FRAMES / fps:.2f} s at {fps:g} fps).")
    if frames > max_frames(fps):
        raise MediaError(f"{video.name}: '{name}' is {info.duration:.2f} s long; one run dubs up to the model's "
                         f"{WINDOW_SECONDS} s window ({max_frames(fps)} frames at {fps:g} fps). Cut it into parts.")
    # The node's duration does not apply to an uploaded source: drop what it said about it.
    changes = [c for c in geometry.changes if not c.endswith("(8n+1)")]
    if fps != geometry.fps:
        changes.append(f"fps {geometry.fps:g} → {fps:g} (the source video's rate)")
    changes.append(f"{frames} frames: the source's {available}" + ("" if frames == available else
                                                                     ", rounded down to 8n+1"))
    geometry = replace(geometry, fps=fps, frames=frames, changes=tuple(changes))
    for m in mode.media:
        audio = infos.get(m.name)
        if m.kind != "audio" or audio is None or audio.duration is None:
            continue
        left = audio.duration - _offset(mode, m, values)
        if 0 < left and left + 1e-3 < geometry.duration:  # past the end: shape_clip says so
            raise MediaError(f"{m.name}: only {left:.2f} s of '{values.get(m.name)}' after the start, but "
                             f"the source clip is {geometry.duration:.2f} s ({frames} frames at {fps:g} fps). The "
                             f"audio is kept unchanged, so it must cover the clip: use a longer recording or a "
                             f"lower {m.kind}_start.")
    return geometry
