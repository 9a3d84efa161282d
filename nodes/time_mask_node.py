"""The pack's one node of its own: a noise mask by time on an LTX video or audio latent (the math
is in time_mask.py). Retake and Extend expand into it; it is usable on its own too."""
from __future__ import annotations

from comfy_api.latest import io

from .modes import PACK_NAME
from .time_mask import audio_spans, in_range, noise_mask, video_spans

NODE_ID = "LTX23AIO_LatentTimeMask"


class LatentTimeMask(io.ComfyNode):
    """Regenerate a time range of an LTX latent and keep the rest exactly."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id=NODE_ID,
            display_name=f"{PACK_NAME} · Noise mask by time",
            category=f"{PACK_NAME}/latent",
            description="Sets an LTX-2.3 video or audio latent's noise mask by time: steps that overlap "
                        "[start, end) are regenerated, the others are kept exactly. An empty range keeps all.",
            inputs=[
                io.Latent.Input("latent", tooltip="An LTX video latent (5-D) or audio latent (4-D)."),
                io.Float.Input("start", default=0.0, min=0.0, max=3600.0, step=0.01, tooltip="Seconds."),
                io.Float.Input("end", default=1.0, min=0.0, max=3600.0, step=0.01, tooltip="Seconds (exclusive)."),
                io.Float.Input("fps", default=24.0, min=1.0, max=240.0, step=0.01,
                               tooltip="The video's frame rate (video latents)."),
                io.Vae.Input("audio_vae", optional=True, tooltip="The audio VAE (audio latents): its latent rate."),
            ],
            outputs=[io.Latent.Output(display_name="latent")],
        )

    @classmethod
    def execute(cls, latent, start, end, fps, audio_vae=None) -> io.NodeOutput:
        samples = latent["samples"]
        if samples.ndim == 5:
            spans = video_spans(samples.shape[2], fps)
        elif samples.ndim == 4:
            if audio_vae is None:
                raise ValueError(f"{NODE_ID}: an audio latent needs the audio_vae input (for its latent rate).")
            spans = audio_spans(samples.shape[2], audio_vae.first_stage_model.latents_per_second)
        else:
            raise ValueError(f"{NODE_ID}: expected an LTX video or audio latent, got shape {tuple(samples.shape)}.")
        mask = noise_mask(samples, in_range(spans, start, end)).to(samples.device)
        return io.NodeOutput({**latent, "noise_mask": mask})
