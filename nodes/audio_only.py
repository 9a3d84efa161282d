"""The one model patch core lacks: LTX-2.3 in audio-only mode, for Text → Audio.

Core's LTX-2 transformer already runs audio alone when its ``transformer_options`` say so
(``comfy/ldm/lightricks/av_model.py``: ``run_vx``, ``a2v_cross_attn``, ``v2a_cross_attn``), but no
core node sets them. Lightricks' ``T2AOneStagePipeline`` runs with no video at all and their
ComfyUI example patches the model the same way (``LTXVAudioOnlyModel``); without the patch the
audio would attend to the placeholder video latent's noise.
"""
from __future__ import annotations

from typing import Any

from .modes import NODE_ID_PREFIX, PACK_NAME

# Skip the video stream and both audio↔video cross-attentions.
AUDIO_ONLY_OPTIONS = {"run_vx": False, "a2v_cross_attn": False, "v2a_cross_attn": False}


def audio_only(model: Any) -> Any:
    """A clone of a ComfyUI model patcher that runs LTX-2.3 on the audio alone; ``model`` is unchanged."""
    patched = model.clone()
    patched.model_options.setdefault("transformer_options", {}).update(AUDIO_ONLY_OPTIONS)
    return patched


def node_class():
    from comfy_api.latest import io

    class AudioOnlyModel(io.ComfyNode):
        """LTX-2.3 runs the audio alone: the video latent (a placeholder) is never attended to."""

        @classmethod
        def define_schema(cls) -> io.Schema:
            return io.Schema(
                node_id=NODE_ID_PREFIX + "AudioOnlyModel",
                display_name=f"{PACK_NAME} · Audio-only model",
                category=f"{PACK_NAME}/model patches",
                description="Runs the LTX-2.3 audio+video model on the audio alone (text to audio): the video "
                            "stream and the audio↔video cross-attention are skipped, as in Lightricks' "
                            "T2AOneStagePipeline. Give the sampler a 1-frame 64×64 video latent beside the audio.",
                inputs=[io.Model.Input("model")],
                outputs=[io.Model.Output("model")],
            )

        @classmethod
        def execute(cls, model) -> io.NodeOutput:
            return io.NodeOutput(audio_only(model))

    return AudioOnlyModel
