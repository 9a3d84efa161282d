"""The model files LTX2.3 AIO knows about and the built-in model sets, as data.

A model set names every file the modes need (by role) and the loader nodes that turn those files
into what the workflows consume: ``model``, ``video_vae``, ``audio_vae``, ``text_encoder`` and
``upscale_model``. Users add their own sets as JSON files of the same shape (see README.md);
nothing here is code that finds, links or downloads files.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

HF_URL = "https://huggingface.co/{repo}/resolve/main/{path}"


def human_bytes(n: int | float) -> str:
    if n >= 10e9:
        return f"{n / 1e9:.1f} GB"
    if n >= 1e9:
        return f"{n / 1e9:.2f} GB"
    return f"{n / 1e6:.1f} MB"


@dataclass(frozen=True)
class ModelFile:
    """One file as ComfyUI sees it (``models/<folder>/<name>``) and where the hub keeps it."""

    name: str
    folder: str
    repo: str | None = None
    path: str | None = None  # path inside the repo; defaults to ``name``
    size: int | None = None  # bytes; exact when ``size_exact``
    size_exact: bool = False
    sha256: str | None = None

    @property
    def repo_path(self) -> str:
        return self.path or self.name

    @property
    def size_label(self) -> str:
        """The size as people read it: "996.7 MB", "≈29.1 GB" when only approximate."""
        if self.size is None:
            return "size unknown"
        return ("" if self.size_exact else "≈") + human_bytes(self.size)

    @property
    def url(self) -> str | None:
        if not self.repo:
            return None
        return HF_URL.format(repo=self.repo, path=self.repo_path)


@dataclass(frozen=True)
class Loader:
    """A loader node of a model set. Input values ``{"file": role}`` name one of the set's files."""

    class_type: str
    inputs: Mapping[str, Any]


@dataclass(frozen=True)
class ModelSet:
    name: str
    label: str
    files: Mapping[str, ModelFile]
    loaders: Mapping[str, Loader]
    provides: Mapping[str, tuple[str, int]]  # what the workflows use -> (loader, output index)
    description: str = ""
    user_defined: bool = False
    source: str = ""  # the JSON file a user set came from


def _frozen(d: Mapping) -> Mapping:
    return MappingProxyType(dict(d))


GB = 1_000_000_000

FILES: Mapping[str, ModelFile] = _frozen({
    f.name: f for f in (
        ModelFile("ltx-2.3-22b-dev.safetensors", "checkpoints", "Lightricks/LTX-2.3",
                  size=int(46.1 * GB)),
        ModelFile("ltx-2.3-22b-dev-fp8.safetensors", "checkpoints", "Lightricks/LTX-2.3-fp8",
                  size=int(29.1 * GB)),
        ModelFile("ltx-2.3-22b-dev-nvfp4.safetensors", "checkpoints", "Lightricks/LTX-2.3-nvfp4",
                  size=int(21.7 * GB)),
        # Lightricks' first distilled LoRA, replaced by 1.1 on 2026-04-13; kept so that model sets
        # written for it still know where it comes from and how big it is.
        ModelFile("ltx-2.3-22b-distilled-lora-384.safetensors", "loras", "Lightricks/LTX-2.3",
                  size=int(7.61 * GB)),
        # The 1.1 distilled LoRA as ComfyUI's own LTX-2.3 templates load it: Lightricks' 1.1 LoRA
        # (ltx-2.3-22b-distilled-lora-384-1.1) reduced to an average rank of 111, about a third
        # of the download. The size is estimated from that rank (7.61 GB × 111 / 384).
        ModelFile("ltx_2.3_22b_distilled_1.1_lora_dynamic_fro09_avg_rank_111_bf16.safetensors", "loras",
                  "Comfy-Org/ltx-2.3",
                  "split_files/loras/ltx_2.3_22b_distilled_1.1_lora_dynamic_fro09_avg_rank_111_bf16.safetensors",
                  size=int(2.2 * GB)),
        ModelFile("ltx-2.3-spatial-upscaler-x2-1.1.safetensors", "latent_upscale_models",
                  "Lightricks/LTX-2.3", size=995_743_560, size_exact=True),
        ModelFile("gemma_3_12B_it.safetensors", "text_encoders", "Comfy-Org/ltx-2",
                  "split_files/text_encoders/gemma_3_12B_it.safetensors", size=int(24.4 * GB)),
        ModelFile("gemma_3_12B_it_fp8_scaled.safetensors", "text_encoders", "Comfy-Org/ltx-2",
                  "split_files/text_encoders/gemma_3_12B_it_fp8_scaled.safetensors",
                  size=int(13.2 * GB)),
        ModelFile("gemma_3_12B_it_fp4_mixed.safetensors", "text_encoders", "Comfy-Org/ltx-2",
                  "split_files/text_encoders/gemma_3_12B_it_fp4_mixed.safetensors",
                  size=9_447_702_218, size_exact=True),
        ModelFile("ltx-2.3-22b-ic-lora-union-control-ref0.5.safetensors", "loras",
                  "Lightricks/LTX-2.3-22b-IC-LoRA-Union-Control"),
        # Style's depth and pose controls, as ComfyUI's templates load them (sizes: the templates'
        # index, rounded there).
        ModelFile("moge_2_vitl_normal_fp16.safetensors", "geometry_estimation", "Comfy-Org/MoGe",
                  "geometry_estimation/moge_2_vitl_normal_fp16.safetensors", size=644_245_094),
        ModelFile("sdpose_wholebody_fp16.safetensors", "checkpoints", "Comfy-Org/SDPose",
                  "checkpoints/sdpose_wholebody_fp16.safetensors", size=1_932_735_283),
        ModelFile("ltx-2.3-22b-ic-lora-dubit-0.9.safetensors", "loras",
                  "Lightricks/LTX-2.3-22b-IC-LoRA-DubIt"),
    )
})

DISTILLED_LORA = "ltx_2.3_22b_distilled_1.1_lora_dynamic_fro09_avg_rank_111_bf16.safetensors"

# Files the same for every precision: style's control models. Every set has them, a user's too
# (unless it names its own), so sets written before depth and pose existed still run them.
CONTROL_FILES: Mapping[str, ModelFile] = _frozen({
    "depth_model": FILES["moge_2_vitl_normal_fp16.safetensors"],
    "pose_model": FILES["sdpose_wholebody_fp16.safetensors"],
})

# The single-file LTX-2.3 checkpoint carries the transformer, both VAEs and the text projection,
# so one file feeds four loaders.
BUNDLED_CHECKPOINT_LOADERS: Mapping[str, Loader] = _frozen({
    "checkpoint": Loader("CheckpointLoaderSimple", {"ckpt_name": {"file": "checkpoint"}}),
    "audio_vae": Loader("LTXVAudioVAELoader", {"ckpt_name": {"file": "checkpoint"}}),
    "text_encoder": Loader("LTXAVTextEncoderLoader", {
        "text_encoder": {"file": "text_encoder"},
        "ckpt_name": {"file": "checkpoint"},
        "device": "default",
    }),
    "upscaler": Loader("LatentUpscaleModelLoader", {"model_name": {"file": "upscaler"}}),
})

BUNDLED_CHECKPOINT_PROVIDES: Mapping[str, tuple[str, int]] = _frozen({
    "model": ("checkpoint", 0),
    "video_vae": ("checkpoint", 2),
    "audio_vae": ("audio_vae", 0),
    "text_encoder": ("text_encoder", 0),
    "upscale_model": ("upscaler", 0),
})


def _bundled_set(name: str, label: str, checkpoint: str, text_encoder: str,
                 description: str) -> ModelSet:
    return ModelSet(
        name=name,
        label=label,
        description=description,
        files=_frozen({
            "checkpoint": FILES[checkpoint],
            "text_encoder": FILES[text_encoder],
            "distilled_lora": FILES[DISTILLED_LORA],
            "upscaler": FILES["ltx-2.3-spatial-upscaler-x2-1.1.safetensors"],
            "ic_lora": FILES["ltx-2.3-22b-ic-lora-union-control-ref0.5.safetensors"],
            **CONTROL_FILES,
            "dub_lora": FILES["ltx-2.3-22b-ic-lora-dubit-0.9.safetensors"],
        }),
        loaders=BUNDLED_CHECKPOINT_LOADERS,
        provides=BUNDLED_CHECKPOINT_PROVIDES,
    )


BUILTIN_SETS: Mapping[str, ModelSet] = _frozen({
    s.name: s for s in (
        _bundled_set(
            "bf16", "bf16 · full precision", "ltx-2.3-22b-dev.safetensors",
            "gemma_3_12B_it.safetensors",
            "Full-precision checkpoint and Gemma 3 text encoder; for 48 GB+ cards.",
        ),
        _bundled_set(
            "fp8", "fp8 · scaled", "ltx-2.3-22b-dev-fp8.safetensors",
            "gemma_3_12B_it_fp8_scaled.safetensors",
            "fp8 checkpoint and text encoder; fp8 matmul needs compute capability 8.9+ "
            "(Ada, Hopper, Blackwell); 24 GB+ cards.",
        ),
        _bundled_set(
            "nvfp4", "nvfp4 · Blackwell", "ltx-2.3-22b-dev-nvfp4.safetensors",
            "gemma_3_12B_it_fp4_mixed.safetensors",
            "NVFP4 checkpoint and fp4 text encoder; Blackwell GPUs (compute capability 10+).",
        ),
    )
})

# What the `auto` model set resolves to when nothing about the GPU is known (CPU, other vendors).
DEFAULT_SET = "fp8"
