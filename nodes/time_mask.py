"""Which steps of a video or audio latent lie in a time range: the noise mask Retake and Extend
need, and core has no node for (``SetLatentNoiseMask`` masks by pixel area, not by time).

A latent step is regenerated (mask 1) when the time it covers overlaps ``[start, end)`` and kept
(mask 0) otherwise; the sampler then returns kept steps exactly as they came in. The spans follow
the VAEs: the video VAE is causal, so latent frame 0 holds pixel frame 0 alone and frame k ≥ 1
holds pixel frames 8k−7 … 8k; each audio latent step covers 1 / latents_per_second seconds.
"""
from __future__ import annotations

import torch

VIDEO_FRAMES_PER_LATENT = 8  # the LTX video VAE's temporal compression


def video_spans(latent_frames: int, fps: float) -> list[tuple[float, float]]:
    """Seconds each latent frame covers, [start, end)."""
    spans = [(0.0, 1 / fps)]
    for k in range(1, latent_frames):
        first = VIDEO_FRAMES_PER_LATENT * (k - 1) + 1
        spans.append((first / fps, (first + VIDEO_FRAMES_PER_LATENT) / fps))
    return spans[:latent_frames]


def audio_spans(latent_steps: int, latents_per_second: float) -> list[tuple[float, float]]:
    return [(j / latents_per_second, (j + 1) / latents_per_second) for j in range(latent_steps)]


def in_range(spans: list[tuple[float, float]], start: float, end: float) -> torch.Tensor:
    """1.0 for spans overlapping [start, end), else 0.0; an empty range (end ≤ start) keeps all."""
    return torch.tensor([1.0 if s < end and e > start and end > start else 0.0 for s, e in spans],
                        dtype=torch.float32)


def noise_mask(samples: torch.Tensor, steps: torch.Tensor) -> torch.Tensor:
    """The per-step values shaped as ComfyUI's samplers read a mask for this latent: video
    (B, C, T, H, W) → (B, 1, T, 1, 1), as core's LTXV nodes build it; audio (B, C, T, F) →
    (B, 1, T, 1), which ComfyUI stretches over the frequency bins without blending steps."""
    shape = [samples.shape[0], 1, len(steps)] + [1] * (samples.ndim - 3)
    view = [1, 1, len(steps)] + [1] * (samples.ndim - 3)
    return steps.view(view).expand(shape).clone()
