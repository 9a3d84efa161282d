"""Read back what ComfyUI wrote: streams, decoded frames and audio samples of an mp4 (PyAV)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np


@dataclass
class Media:
    video_streams: list[dict]
    audio_streams: list[dict]
    frames: np.ndarray  # (n, h, w, 3) uint8
    audio: np.ndarray  # (channels, samples) float32
    audio_rate: int
    metadata: dict

    @property
    def audio_duration(self) -> float:
        return self.audio.shape[1] / self.audio_rate if self.audio_rate else 0.0


def probe(path: str | Path) -> Media:
    with av.open(str(path)) as container:
        metadata = dict(container.metadata)
        video_streams = [{"codec": s.codec_context.name, "width": s.codec_context.width,
                          "height": s.codec_context.height, "rate": float(s.average_rate or 0)}
                         for s in container.streams.video]
        audio_streams = [{"codec": s.codec_context.name, "rate": s.codec_context.sample_rate,
                          "channels": s.codec_context.channels if hasattr(s.codec_context, "channels")
                          else s.codec_context.layout.nb_channels}
                         for s in container.streams.audio]
    with av.open(str(path)) as container:
        frames = np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)]) \
            if video_streams else np.zeros((0,))
    audio, rate = np.zeros((0, 0), np.float32), 0
    if audio_streams:
        with av.open(str(path)) as container:
            chunks = []
            for f in container.decode(audio=0):
                rate = f.sample_rate
                a = f.to_ndarray()
                if a.ndim == 2 and f.format.is_packed:
                    a = a.reshape(-1, len(f.layout.channels)).T
                scale = float(np.iinfo(a.dtype).max) + 1 if np.issubdtype(a.dtype, np.integer) else 1.0
                chunks.append(a.astype(np.float32) / scale)
            audio = np.concatenate(chunks, axis=1)
    decoded_meta = {}
    for key, value in metadata.items():
        try:
            decoded_meta[key] = json.loads(value)
        except (TypeError, ValueError):
            decoded_meta[key] = value
    return Media(video_streams, audio_streams, frames, audio, rate, decoded_meta)
