"""Tiny random-weight LTX-2.3 model files that stock ComfyUI loads and runs like the real ones.

The real model set is 40-80 GB. These files have the real architecture families, key layouts
and safetensors metadata at toy sizes, so ComfyUI's own detection, loaders and nodes run the
full LTX-2.3 workflows on a CPU in seconds. Outputs are noise; every shape, stream and file
is real.

Each module is built with ComfyUI's own classes (imported from a ComfyUI checkout at run time)
from the configs below, filled from a seeded ``torch.Generator`` and saved with the ``config``
metadata ComfyUI reads the architecture from. The same seed gives byte-identical files.

The one part that cannot be tiny is Gemma 3 12B (its loaders build the full model from a
hard-coded config), so the text encoder is a random CLIP-L text tower loaded with
``CLIPLoader(type="ltxv")``; the tiny transformer's caption projection takes its 768-wide output.

    python tests/tiny_models.py OUT_DIR [--comfyui PATH] [--seed N]

writes the files under OUT_DIR, laid out as a ComfyUI ``models`` folder (see ``FILES``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

import torch
from safetensors.torch import save_file

TRANSFORMER_CONFIG: dict[str, Any] = {
    "_class_name": "AVTransformer3DModel",
    "num_layers": 2,
    "num_attention_heads": 2,
    "attention_head_dim": 32,
    "audio_num_attention_heads": 2,
    "audio_attention_head_dim": 16,
    "in_channels": 128,
    "audio_in_channels": 128,
    # With caption_proj_before_connector, cross_attention_dim must equal heads * head_dim
    # (and likewise for audio).
    "cross_attention_dim": 64,
    "audio_cross_attention_dim": 32,
    # CLIP-L's width; it must differ from the video + audio context width, or ComfyUI takes the
    # context as already projected.
    "caption_channels": 768,
    "cross_attention_adaln": True,
    "caption_proj_before_connector": True,
    # The real 2.3 keeps this projection in the text encoder; the CLIP stand-in has none.
    "caption_projection_first_linear": True,
    "apply_gated_attention": True,
    "connector_apply_gated_attention": True,
    "rope_type": "split",
    "frequencies_precision": "float64",
    "use_middle_indices_grid": True,
    "positional_embedding_theta": 10000.0,
    "positional_embedding_max_pos": [20, 2048, 2048],
    "audio_positional_embedding_max_pos": [20],
    "timestep_scale_multiplier": 1000.0,
    "av_ca_timestep_scale_multiplier": 1000.0,
    "vae_scale_factors": [8, 32, 32],
    "connector_num_layers": 1,
    "connector_num_attention_heads": 2,
    "connector_attention_head_dim": 32,
    "audio_connector_num_attention_heads": 2,
    "audio_connector_attention_head_dim": 16,
}

_RES = ["res_x", {"num_layers": 1}]
_DEC_RES = ["res_x", {"num_layers": 1, "inject_noise": False}]
_DEC_UP = ["compress_all", {"residual": True, "multiplier": 2}]

VIDEO_VAE_CONFIG: dict[str, Any] = {
    "_class_name": "CausalVideoAutoencoder",
    "dims": 3,
    "in_channels": 3,
    "out_channels": 3,
    "latent_channels": 128,
    "encoder_blocks": [
        _RES, ["compress_space_res", {"multiplier": 2}],
        _RES, ["compress_time_res", {"multiplier": 2}],
        _RES, ["compress_all_res", {"multiplier": 2}],
        _RES, ["compress_all_res", {"multiplier": 2}],
        _RES,
    ],
    # ComfyUI detects an LTX video VAE by decoder.up_blocks.0.res_blocks.0.conv1; the decoder
    # builds its blocks in reverse, so the last entry must be a res_x block.
    "decoder_blocks": [_DEC_RES, _DEC_UP, _DEC_RES, _DEC_UP, _DEC_RES, _DEC_UP, _DEC_RES],
    "encoder_base_channels": 8,
    "decoder_base_channels": 8,
    "scaling_factor": 1.0,
    "norm_layer": "pixel_norm",
    "patch_size": 4,
    "latent_log_var": "uniform",
    "use_quant_conv": False,
    "causal_decoder": False,
    "timestep_conditioning": False,
    "spatial_padding_mode": "zeros",
}

AUDIO_VAE_CONFIG: dict[str, Any] = {
    "model": {
        "params": {
            "ddconfig": {
                "double_z": True,
                "mel_bins": 64,
                "z_channels": 8,  # z_channels * mel_bins / 4 must be the 128 latent channels
                "resolution": 256,
                "downsample_time": False,
                "in_channels": 2,
                "out_ch": 2,
                "ch": 8,
                "ch_mult": [1, 1, 1],
                "num_res_blocks": 1,
                "attn_resolutions": [],
                "dropout": 0.0,
                "mid_block_add_attention": False,
                "norm_type": "pixel",
                "causality_axis": "height",
            },
            "sampling_rate": 16000,
        }
    },
    "preprocessing": {"stft": {"filter_length": 1024, "hop_length": 160}},
}

_AMP_GENERATOR = {
    "resblock_kernel_sizes": [3],
    "resblock_dilation_sizes": [[1, 3, 5]],
    "upsample_initial_channel": 32,
    "stereo": True,
    "resblock": "AMP1",
    "activation": "snakebeta",
    "use_bias_at_final": False,
    "use_tanh_at_final": False,
}

# Every (kernel - rate) must be even; the BWE upsampling product must equal hop * (48k / 16k).
VOCODER_CONFIG: dict[str, Any] = {
    "vocoder": {
        **_AMP_GENERATOR,
        "upsample_rates": [5, 4, 2, 2, 2],
        "upsample_kernel_sizes": [9, 8, 4, 4, 4],
    },
    "bwe": {
        **_AMP_GENERATOR,
        "upsample_rates": [6, 5, 2, 2, 2],
        "upsample_kernel_sizes": [12, 11, 4, 4, 4],
        "input_sampling_rate": 16000,
        "output_sampling_rate": 48000,
        "hop_length": 80,
        "n_fft": 512,
        "num_mels": 64,
    },
}

LATENT_UPSAMPLER_CONFIG: dict[str, Any] = {
    "_class_name": "LatentUpsampler",
    "in_channels": 128,
    "mid_channels": 32,  # GroupNorm(32) needs at least 32
    "num_blocks_per_stage": 1,
    "dims": 3,
    "spatial_upsample": True,
    "temporal_upsample": False,
    "spatial_scale": 2.0,
    "rational_resampler": False,
}

# Role -> path under the models folder. The bundle feeds CheckpointLoaderSimple and
# LTXVAudioVAELoader; transformer/video_vae/audio_vae are the same weights split for
# UNETLoader + VAELoader x2.
FILES: dict[str, str] = {
    "checkpoint": "checkpoints/ltx23-tiny.safetensors",
    "distilled_lora": "loras/ltx23-tiny-distilled-lora.safetensors",
    "ic_lora": "loras/ltx23-tiny-ic-lora.safetensors",
    "ic_lora_ref2": "loras/ltx23-tiny-ic-lora-ref2.safetensors",
    "id_lora": "loras/ltx23-tiny-id-lora.safetensors",
    "upscaler": "latent_upscale_models/ltx23-tiny-upscaler.safetensors",
    "text_encoder": "text_encoders/ltx23-tiny-clip-l.safetensors",
    "transformer": "diffusion_models/ltx23-tiny-transformer.safetensors",
    "video_vae": "vae/ltx23-tiny-video-vae.safetensors",
    "audio_vae": "vae/ltx23-tiny-audio-vae.safetensors",
}

LORA_RANK = 4
# lora_B std; B @ A then shifts each weight by about 10% of its own spread.
_LORA_B_STD = 0.1 / LORA_RANK ** 0.5
# Random vocoder stacks amplify their input about 100x; without this gain on the last conv the
# waveform is clamped to +-1 almost everywhere (a square wave) instead of staying in range.
_VOCODER_OUTPUT_GAIN = 0.01

Tensors = dict[str, torch.Tensor]


def _use_comfyui(comfyui_path: str | os.PathLike) -> Path:
    """Make ``comfy`` importable from the given checkout; return the checkout's path."""
    path = Path(comfyui_path).resolve()
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
    if "comfy.model_management" not in sys.modules and not torch.cuda.is_available():
        # model_management probes CUDA at import time and fails on a CUDA torch build
        # without a GPU, unless told to run on the CPU first.
        import comfy.cli_args

        comfy.cli_args.args.cpu = True
    return path


def _generator(seed: int, part: str) -> torch.Generator:
    # One stream per part, so changing one part's shape leaves the others' weights unchanged.
    # torch's CPU generator keeps only 32 bits of its seed: hash seed and part down to 32.
    digest = hashlib.sha256(f"{seed}/{part}".encode()).digest()
    return torch.Generator().manual_seed(int.from_bytes(digest[:4], "little"))


def _random_weights(module: torch.nn.Module, gen: torch.Generator, dtype: torch.dtype,
                    keep: Callable[[str], bool] = lambda name: False) -> Tensors:
    """A state dict for ``module``: matrices/kernels ~ N(0, 1/fan_in), biases 0, norm gains 1.

    Tensors for which ``keep(name)`` is true keep the values the module computed itself.
    """
    out = {}
    for name, t in module.state_dict().items():
        leaf = name.rsplit(".", 1)[-1]
        if keep(name):
            value = t.detach().clone()
        elif leaf == "std-of-means":
            value = torch.ones(t.shape)
        elif leaf in ("bias", "mean-of-means", "alpha", "beta"):
            # Snake alpha/beta are log-scale: 0 means a plain snake(x) = x + sin^2(x).
            value = torch.zeros(t.shape)
        elif t.dim() == 1:
            value = torch.ones(t.shape)  # RMSNorm / LayerNorm / GroupNorm gains
        else:
            fan_in = t[0].numel()
            value = torch.randn(t.shape, generator=gen) / fan_in ** 0.5
        out[name] = value.to(dtype).contiguous()
    return out


def _transformer(seed: int) -> tuple[torch.nn.Module, Tensors]:
    import comfy.ops
    from comfy.ldm.lightricks.av_model import LTXAVModel

    model = LTXAVModel(**TRANSFORMER_CONFIG, operations=comfy.ops.disable_weight_init)
    return model, _random_weights(model, _generator(seed, "transformer"), torch.bfloat16)


def _video_vae(seed: int) -> Tensors:
    from comfy.ldm.lightricks.vae.causal_video_autoencoder import VideoVAE

    model = VideoVAE(config=VIDEO_VAE_CONFIG)
    return _random_weights(model, _generator(seed, "video_vae"), torch.bfloat16)


def _audio_vae(seed: int) -> Tensors:
    from comfy.ldm.lightricks.vae.audio_vae import AudioVAE

    model = AudioVAE(metadata=_config_metadata(_audio_config()))
    sd = _random_weights(model, _generator(seed, "audio_vae"), torch.bfloat16,
                         keep=lambda name: name.endswith(".filter"))  # anti-aliasing kernels
    # A real mel filterbank is non-negative; the random stand-in keeps that.
    sd["vocoder.mel_stft.mel_basis"] = sd["vocoder.mel_stft.mel_basis"].abs()
    for k in ("vocoder.vocoder.conv_post.weight", "vocoder.bwe_generator.conv_post.weight"):
        sd[k] = (sd[k].float() * _VOCODER_OUTPUT_GAIN).to(sd[k].dtype)
    # ComfyUI's audio VAE holds the autoencoder as `autoencoder.*`; files store `audio_vae.*`.
    return {("audio_vae." + k[len("autoencoder."):] if k.startswith("autoencoder.") else k): v
            for k, v in sd.items()}


def _latent_upsampler(seed: int) -> Tensors:
    from comfy.ldm.lightricks.latent_upsampler import LatentUpsampler

    model = LatentUpsampler.from_config(LATENT_UPSAMPLER_CONFIG)
    return _random_weights(model, _generator(seed, "upscaler"), torch.bfloat16)


def _clip_l(comfyui: Path, seed: int) -> Tensors:
    import comfy.clip_model
    import comfy.ops

    with open(comfyui / "comfy" / "sd1_clip_config.json") as f:
        config = json.load(f)
    # Built on the meta device: only names and shapes are needed, not 123 M allocated floats.
    model = comfy.clip_model.CLIPTextModel(config, torch.float32, "meta",
                                           comfy.ops.disable_weight_init)
    # fp8 is the smallest dtype ComfyUI casts up from when it loads a text encoder.
    return _random_weights(model, _generator(seed, "text_encoder"), torch.float8_e4m3fn)


def _lora(transformer: torch.nn.Module, seed: int, part: str) -> Tensors:
    gen = _generator(seed, part)
    out = {}
    for name, module in transformer.named_modules():
        if not (name.startswith("transformer_blocks.") and isinstance(module, torch.nn.Linear)):
            continue
        a = torch.randn(LORA_RANK, module.in_features, generator=gen) / module.in_features ** 0.5
        b = torch.randn(module.out_features, LORA_RANK, generator=gen) * _LORA_B_STD
        out[f"diffusion_model.{name}.lora_A.weight"] = a.to(torch.bfloat16)
        out[f"diffusion_model.{name}.lora_B.weight"] = b.to(torch.bfloat16)
    return out


def _audio_config() -> dict[str, Any]:
    return {"audio_vae": AUDIO_VAE_CONFIG, "vocoder": VOCODER_CONFIG}


def _prefixed(prefix: str, tensors: Tensors) -> Tensors:
    return {prefix + k: v for k, v in tensors.items()}


def _config_metadata(config: dict[str, Any]) -> dict[str, str]:
    return {"config": json.dumps(config)}


def generate(out_dir: str | os.PathLike, comfyui_path: str | os.PathLike,
             seed: int = 0) -> dict[str, str]:
    """Write the tiny model set under ``out_dir`` (a ComfyUI ``models`` folder).

    Returns role -> file path relative to ``out_dir`` (the keys and values of ``FILES``).
    ``seed`` selects the weights; the same seed writes identical bytes.
    """
    comfyui = _use_comfyui(comfyui_path)
    transformer, transformer_sd = _transformer(seed)
    video_vae_sd = _video_vae(seed)
    audio_vae_sd = _audio_vae(seed)
    audio_config = _audio_config()

    contents: dict[str, tuple[Tensors, dict[str, str] | None]] = {
        "checkpoint": (
            {**_prefixed("model.diffusion_model.", transformer_sd),
             **_prefixed("vae.", video_vae_sd), **audio_vae_sd},
            _config_metadata({"transformer": TRANSFORMER_CONFIG, "vae": VIDEO_VAE_CONFIG,
                              **audio_config}),
        ),
        "distilled_lora": (_lora(transformer, seed, "distilled_lora"), None),
        # GetICLoRAParameters reads reference_downscale_factor from the LoRA's metadata.
        "ic_lora": (_lora(transformer, seed, "ic_lora"),
                    {"reference_downscale_factor": "1"}),
        "ic_lora_ref2": (_lora(transformer, seed, "ic_lora_ref2"),
                         {"reference_downscale_factor": "2"}),
        "id_lora": (_lora(transformer, seed, "id_lora"), None),
        "upscaler": (_latent_upsampler(seed), _config_metadata(LATENT_UPSAMPLER_CONFIG)),
        "text_encoder": (_clip_l(comfyui, seed), None),
        "transformer": (_prefixed("model.diffusion_model.", transformer_sd),
                        _config_metadata({"transformer": TRANSFORMER_CONFIG})),
        "video_vae": (video_vae_sd, _config_metadata({"vae": VIDEO_VAE_CONFIG})),
        "audio_vae": (audio_vae_sd, _config_metadata(audio_config)),
    }

    root = Path(out_dir)
    for role, rel in FILES.items():
        tensors, metadata = contents[role]
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        save_file(tensors, str(path), metadata=metadata)
    return dict(FILES)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", help="folder to write into, laid out as ComfyUI's models/")
    parser.add_argument("--comfyui", default=os.environ.get("COMFYUI_PATH"),
                        help="ComfyUI checkout to import (default: $COMFYUI_PATH)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(None if argv is None else list(argv))
    if not args.comfyui:
        parser.error("give --comfyui PATH or set COMFYUI_PATH")
    for role, rel in generate(args.out_dir, args.comfyui, args.seed).items():
        print(f"{role}: {Path(args.out_dir) / rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
