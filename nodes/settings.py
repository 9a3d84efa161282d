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
# Longer clips sample several windows (core LTXVContextWindows): every step runs the model on
# each window and blends the overlaps, so time grows with the number of windows and the model's
# memory stays that of one window. 60 s takes four overlapping windows.
LONG_SECONDS = 60
# Neighbouring windows share this much time: enough for the blend to carry motion and sound
# across (core's own LTXVContextWindows default is 40 of 145 frames, ~28 %; 4 of 20 s is 20 %).
WINDOW_OVERLAP_SECONDS = 4
MIN_FPS = 1
MAX_FPS = 60
# ComfyUI's own estimate of the memory a sampling step needs beside the weights
# (comfy/model_base.py memory_required: latent elements × dtype bytes × 0.01 × factor MB, for a
# batch of cond + uncond; LTXAV's factor is 0.077, comfy/supported_models.py), applied to the
# full-size stage-2 latent of one window: 128 channels of video latent and 25 audio latents of
# 128 values per second (the real audio VAE: 16 kHz, hop 160, ×4 downsampling).
LTXAV_MEMORY_FACTOR = 0.077
LATENT_CHANNELS = 128
AUDIO_LATENTS_PER_SECOND = 25


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

    @property
    def windows(self) -> tuple[tuple[int, int], ...]:
        """The frames (first, last) each sampling window covers; one window when the clip fits the
        model's time span, none of the long-clip machinery is used then."""
        return context_windows(self.frames, self.fps)

    @property
    def window_tokens(self) -> int:
        """Video latent positions of the largest window the model sees at once."""
        first, last = self.windows[0]
        return (self.width // 32) * (self.height // 32) * ((last - first) // 8 + 1)

    def step_memory_gb(self, token_factor: int = 1) -> float:
        """GB a bf16 sampling step of the largest window needs beside the model's weights, by
        ComfyUI's own estimate (token_factor: guides that multiply the video tokens)."""
        first, last = self.windows[0]
        video = LATENT_CHANNELS * self.window_tokens * token_factor
        audio = LATENT_CHANNELS * AUDIO_LATENTS_PER_SECOND * (last - first + 1) / self.fps
        return 2 * (video + audio) * 2 * 0.01 * LTXAV_MEMORY_FACTOR / 1024

    def summary(self) -> str:
        text = f"{self.width}×{self.height}, {self.frames} frames at {self.fps:g} fps ({self.duration:.2f} s)"
        if len(self.windows) > 1:
            spans = ", ".join(f"{a}–{b}" for a, b in self.windows)
            text += f" in {len(self.windows)} windows of {window_frames(self.fps)} frames (frames {spans})"
        if self.changes:
            text += " — " + "; ".join(self.changes)
        return text


def snap_size(value: int, multiple: int = SIZE_MULTIPLE) -> int:
    """Nearest multiple (halves round up), never below one multiple."""
    return max(multiple, ((int(value) + multiple // 2) // multiple) * multiple)


def max_frames(fps: float, seconds: float = WINDOW_SECONDS) -> int:
    """The most frames (8n+1) whose last one still lies inside ``seconds`` (the model's 20-second
    window unless a longer clip is asked for)."""
    return 8 * (int(seconds * fps) // 8) + 1


def window_frames(fps: float) -> int:
    """Frames (8n+1) of one window of a long clip: one latent frame less than the 20-second
    window, because core's causal fix puts the frame before each later window in front of it,
    and the two together must still lie inside the model's time span."""
    return max(MIN_FRAMES, max_frames(fps) - 8)


def window_overlap_frames(fps: float) -> int:
    """Frames (a multiple of 8: whole latent frames) neighbouring windows share: about
    WINDOW_OVERLAP_SECONDS, at least one latent frame, at most half a window."""
    length = (window_frames(fps) - 1) // 8 + 1
    return 8 * max(1, min(length // 2, round(WINDOW_OVERLAP_SECONDS * fps / 8)))


def context_windows(frames: int, fps: float) -> tuple[tuple[int, int], ...]:
    """Which frames each window covers, as core's LTXVContextWindows with the standard_static
    schedule lays them out on latent frames (comfy/context_windows.py,
    create_windows_static_standard): fixed windows of window_frames, each starting
    window − overlap after the last, the final one moved back to end on the clip's last frame."""
    if frames <= max_frames(fps):
        return ((0, frames - 1),)
    total = (frames - 1) // 8 + 1
    length = (window_frames(fps) - 1) // 8 + 1
    step = length - window_overlap_frames(fps) // 8
    starts = []
    for start in range(0, total, step):
        if start + length >= total:
            starts.append(total - length)
            break
        starts.append(start)
    # Latent frame k holds pixel frames 8k-7 … 8k (frame 0 alone in latent frame 0).
    return tuple((max(0, 8 * s - 7), 8 * (s + length - 1)) for s in starts)


def frames_for(duration: float, fps: float) -> int:
    """8n+1 frames nearest to duration·fps+1 (the official recipe's frame count)."""
    n = max(1, round(duration * fps / 8))
    return 8 * n + 1


def resolve_geometry(width: int, height: int, duration: float, fps: int,
                     longest: float = WINDOW_SECONDS) -> Geometry:
    """The clip's geometry; ``longest`` is the most seconds the mode makes (LONG_SECONDS where it
    samples several windows, else the model's window)."""
    if not MIN_FPS <= fps <= MAX_FPS:
        raise SettingsError(f"fps {fps} is out of range: use {MIN_FPS}–{MAX_FPS} (LTX-2.3 is trained at 24–25).")
    if duration <= 0:
        raise SettingsError(f"duration {duration} s must be positive.")
    for name, value in (("width", width), ("height", height)):
        if not MIN_SIZE <= value <= MAX_SIZE:
            raise SettingsError(f"{name} {value} is out of range: use {MIN_SIZE}–{MAX_SIZE} pixels.")
    frames = frames_for(duration, fps)
    most = max_frames(fps, longest)
    if frames > most and longest > WINDOW_SECONDS:
        raise SettingsError(
            f"duration {duration:g} s at {fps} fps needs {frames} frames; this mode makes clips of up to "
            f"{longest:g} s by sampling LTX-2.3's {WINDOW_SECONDS}-second window several times, which at {fps} fps "
            f"is at most {most} frames ({(most - 1) / fps:.2f} s). Shorten the duration."
        )
    if frames > most:
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
