"""Turn what the user typed into the values a run uses: snapped geometry, frames, seed.

LTX latents are 1/32 spatially and 1/8 temporally, and the two-stage recipe samples stage 1 at
half size, so outputs are multiples of 64 and frame counts are 8n+1. Values are snapped to the
nearest valid one and every change is reported, never applied silently.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SIZE_MULTIPLE = 64
MIN_SIZE = 64
MAX_SIZE = 4096
MIN_FRAMES = 9
# LTX-2.3's positional embedding spans 20 seconds of time, video and audio alike (ComfyUI's
# comfy/ldm/lightricks/av_model.py: positional_embedding_max_pos=[20, …], time = frame ÷ fps), so
# one clip holds 20 s at any fps. (LTX-Video 0.9's limit was 257 frames.)
WINDOW_SECONDS = 20
MIN_FPS = 1
MAX_FPS = 60


class SettingsError(ValueError):
    """A value the user can fix; the message says what and how."""


@dataclass(frozen=True)
class Geometry:
    width: int
    height: int
    frames: int
    fps: float  # whole for typed values; a source video's own rate (12.5, 29.97) in style
    changes: tuple[str, ...] = field(default=())

    @property
    def duration(self) -> float:
        """Length of the clip that is actually made, in seconds."""
        return self.frames / self.fps

    @property
    def stage1_width(self) -> int:
        return self.width // 2

    @property
    def stage1_height(self) -> int:
        return self.height // 2

    @property
    def tokens(self) -> int:
        """Video latent positions the model attends over (1/32 spatially, 1/8 in time)."""
        return (self.width // 32) * (self.height // 32) * ((self.frames - 1) // 8 + 1)

    def summary(self) -> str:
        text = f"{self.width}×{self.height}, {self.frames} frames at {self.fps:g} fps ({self.duration:.2f} s)"
        if self.changes:
            text += " — " + "; ".join(self.changes)
        return text


def snap_size(value: int, multiple: int = SIZE_MULTIPLE) -> int:
    """Nearest multiple (halves round up), never below one multiple."""
    return max(multiple, ((int(value) + multiple // 2) // multiple) * multiple)


def max_frames(fps: float) -> int:
    """The most frames (8n+1) whose last one still lies inside the model's 20-second window."""
    return 8 * int(WINDOW_SECONDS * fps // 8) + 1


def frames_for(duration: float, fps: float) -> int:
    """8n+1 frames nearest to duration·fps+1 (the official recipe's frame count)."""
    n = max(1, round(duration * fps / 8))
    return 8 * n + 1


def resolve_geometry(width: int, height: int, duration: float, fps: int) -> Geometry:
    if not MIN_FPS <= fps <= MAX_FPS:
        raise SettingsError(f"fps {fps} is out of range: use {MIN_FPS}–{MAX_FPS} (LTX-2.3 is trained at 24–25).")
    if duration <= 0:
        raise SettingsError(f"duration {duration} s must be positive.")
    for name, value in (("width", width), ("height", height)):
        if not MIN_SIZE <= value <= MAX_SIZE:
            raise SettingsError(f"{name} {value} is out of range: use {MIN_SIZE}–{MAX_SIZE} pixels.")
    frames = frames_for(duration, fps)
    if frames > max_frames(fps):
        most = max_frames(fps)
        raise SettingsError(
            f"duration {duration:g} s at {fps} fps needs {frames} frames; LTX-2.3 sees {WINDOW_SECONDS} s at a "
            f"time, which at {fps} fps is at most {most} frames ({(most - 1) / fps:.2f} s). Shorten the duration."
        )
    changes = []
    snapped_w, snapped_h = snap_size(width), snap_size(height)
    if (snapped_w, snapped_h) != (width, height):
        changes.append(f"size {width}×{height} → {snapped_w}×{snapped_h} (multiples of {SIZE_MULTIPLE})")
    exact = duration * fps + 1
    if abs(exact - frames) > 1e-6:
        changes.append(f"{duration:g} s → {frames} frames (8n+1)")
    return Geometry(snapped_w, snapped_h, frames, fps, tuple(changes))


def check_prompt(prompt: str) -> str:
    text = (prompt or "").strip()
    if not text:
        raise SettingsError("prompt is empty: describe the scene, the motion and the sound you want.")
    return text
