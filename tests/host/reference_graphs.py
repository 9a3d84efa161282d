"""Hand-written core-node graphs of the LTX-2.3 recipes, as a user would wire them in ComfyUI.

Written independently of workflows/*.json (numbered ids, every value spelled out) so that a
super-node's output can be compared with what the same recipe gives when queued directly.
The loaders match the tiny model set: CLIPLoader(type "ltxv") stands in for the Gemma loader.
"""
from __future__ import annotations


def t2v_fast(files: dict, prompt: str, negative: str, seed: int, width: int, height: int, frames: int,
             fps: int, prefix: str) -> dict:
    return {
        "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": files["checkpoint"]}},
        "2": {"class_type": "LoraLoaderModelOnly", "inputs": {
            "model": ["1", 0], "lora_name": files["distilled_lora"], "strength_model": 0.5}},
        "3": {"class_type": "CLIPLoader", "inputs": {"clip_name": files["text_encoder"], "type": "ltxv", "device": "default"}},
        "4": {"class_type": "LTXVAudioVAELoader", "inputs": {"ckpt_name": files["checkpoint"]}},
        "5": {"class_type": "LatentUpscaleModelLoader", "inputs": {"model_name": files["upscaler"]}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": prompt, "clip": ["3", 0]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": negative, "clip": ["3", 0]}},
        "8": {"class_type": "LTXVConditioning", "inputs": {"positive": ["6", 0], "negative": ["7", 0], "frame_rate": float(fps)}},
        "9": {"class_type": "EmptyLTXVLatentVideo", "inputs": {
            "width": width // 2, "height": height // 2, "length": frames, "batch_size": 1}},
        "10": {"class_type": "LTXVEmptyLatentAudio", "inputs": {
            "frames_number": frames, "frame_rate": fps, "batch_size": 1, "audio_vae": ["4", 0]}},
        "11": {"class_type": "LTXVConcatAVLatent", "inputs": {"video_latent": ["9", 0], "audio_latent": ["10", 0]}},
        "12": {"class_type": "RandomNoise", "inputs": {"noise_seed": seed}},
        "13": {"class_type": "CFGGuider", "inputs": {"model": ["2", 0], "positive": ["8", 0], "negative": ["8", 1], "cfg": 1.0}},
        "14": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "euler_ancestral_cfg_pp"}},
        "15": {"class_type": "ManualSigmas", "inputs": {
            "sigmas": "1.0, 0.99375, 0.9875, 0.98125, 0.975, 0.909375, 0.725, 0.421875, 0.0"}},
        "16": {"class_type": "SamplerCustomAdvanced", "inputs": {
            "noise": ["12", 0], "guider": ["13", 0], "sampler": ["14", 0], "sigmas": ["15", 0], "latent_image": ["11", 0]}},
        "17": {"class_type": "LTXVSeparateAVLatent", "inputs": {"av_latent": ["16", 0]}},
        "18": {"class_type": "LTXVLatentUpsampler", "inputs": {"samples": ["17", 0], "upscale_model": ["5", 0], "vae": ["1", 2]}},
        "19": {"class_type": "LTXVConcatAVLatent", "inputs": {"video_latent": ["18", 0], "audio_latent": ["17", 1]}},
        "20": {"class_type": "RandomNoise", "inputs": {"noise_seed": 42}},
        "21": {"class_type": "CFGGuider", "inputs": {"model": ["2", 0], "positive": ["8", 0], "negative": ["8", 1], "cfg": 1.0}},
        "22": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "euler_cfg_pp"}},
        "23": {"class_type": "ManualSigmas", "inputs": {"sigmas": "0.85, 0.7250, 0.4219, 0.0"}},
        "24": {"class_type": "SamplerCustomAdvanced", "inputs": {
            "noise": ["20", 0], "guider": ["21", 0], "sampler": ["22", 0], "sigmas": ["23", 0], "latent_image": ["19", 0]}},
        "25": {"class_type": "LTXVSeparateAVLatent", "inputs": {"av_latent": ["24", 0]}},
        "26": {"class_type": "VAEDecodeTiled", "inputs": {
            "samples": ["25", 0], "vae": ["1", 2], "tile_size": 512, "overlap": 64, "temporal_size": 64, "temporal_overlap": 8}},
        "27": {"class_type": "LTXVAudioVAEDecode", "inputs": {"samples": ["25", 1], "audio_vae": ["4", 0]}},
        "28": {"class_type": "CreateVideo", "inputs": {"images": ["26", 0], "fps": float(fps), "audio": ["27", 0]}},
        "29": {"class_type": "SaveVideo", "inputs": {"video": ["28", 0], "filename_prefix": prefix, "format": "auto", "codec": "auto"}},
    }


LOADERS = {"1", "2", "3", "4", "5"}
SAMPLERS = {"16", "24"}


def _image_chain(graph: dict, first: int, image_file: str, width: int, height: int) -> str:
    """LoadImage → resize/crop → cap at 1536 → LTXVPreprocess(18); returns the last node's id."""
    ids = [str(first + i) for i in range(4)]
    graph[ids[0]] = {"class_type": "LoadImage", "inputs": {"image": image_file}}
    graph[ids[1]] = {"class_type": "ResizeImageMaskNode", "inputs": {
        "input": [ids[0], 0], "resize_type": "scale dimensions", "resize_type.width": width,
        "resize_type.height": height, "resize_type.crop": "center", "scale_method": "lanczos"}}
    graph[ids[2]] = {"class_type": "ImageScaleToMaxDimension", "inputs": {
        "image": [ids[1], 0], "upscale_method": "lanczos", "largest_size": 1536}}
    graph[ids[3]] = {"class_type": "LTXVPreprocess", "inputs": {"image": [ids[2], 0], "img_compression": 18}}
    return ids[3]


def i2v_fast(files: dict, image: str, strength: float, **t2v) -> dict:
    g = t2v_fast(files, **t2v)
    prepared = _image_chain(g, 40, image, t2v["width"], t2v["height"])
    g["44"] = {"class_type": "LTXVImgToVideoInplace", "inputs": {
        "vae": ["1", 2], "image": [prepared, 0], "latent": ["9", 0], "strength": strength, "bypass": False}}
    g["11"]["inputs"]["video_latent"] = ["44", 0]
    g["45"] = {"class_type": "LTXVImgToVideoInplace", "inputs": {
        "vae": ["1", 2], "image": [prepared, 0], "latent": ["18", 0], "strength": 1.0, "bypass": False}}
    g["19"]["inputs"]["video_latent"] = ["45", 0]
    return g


def a2v_fast(files: dict, audio: str, start: float, **t2v) -> dict:
    g = t2v_fast(files, **t2v)
    seconds = t2v["frames"] / t2v["fps"]
    g["50"] = {"class_type": "LoadAudio", "inputs": {"audio": audio}}
    g["51"] = {"class_type": "TrimAudioDuration", "inputs": {"audio": ["50", 0], "start_index": start, "duration": seconds}}
    g["52"] = {"class_type": "EmptyAudio", "inputs": {"duration": seconds, "sample_rate": 1000, "channels": 2}}
    g["53"] = {"class_type": "AudioConcat", "inputs": {"audio1": ["51", 0], "audio2": ["52", 0], "direction": "after"}}
    g["54"] = {"class_type": "TrimAudioDuration", "inputs": {"audio": ["53", 0], "start_index": 0.0, "duration": seconds}}
    g["55"] = {"class_type": "LTXVAudioVAEEncode", "inputs": {"audio": ["54", 0], "audio_vae": ["4", 0]}}
    g["56"] = {"class_type": "SolidMask", "inputs": {"value": 0.0, "width": 1, "height": 1}}
    g["57"] = {"class_type": "SetLatentNoiseMask", "inputs": {"samples": ["55", 0], "mask": ["56", 0]}}
    g["11"]["inputs"]["audio_latent"] = ["57", 0]
    g["28"]["inputs"]["audio"] = ["54", 0]
    del g["10"], g["27"]  # no empty audio latent, no decoded audio: the input's waveform is kept
    return g
