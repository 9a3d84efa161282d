"""Each mode's expanded graph follows its recipe (product.md §2), for every preset and model set."""
from __future__ import annotations

import pytest
from ltx23_aio.model_manifest import BUILTIN_SETS
from ltx23_aio.nodes.modes import MEDIA_LOADERS, MODES, MediaInput
from ltx23_aio.nodes.plan import run_params
from ltx23_aio.nodes.settings import resolve_geometry
from ltx23_aio.nodes.workflow import (
    LOADER_PREFIX,
    MEDIA_PREFIX,
    MediaSource,
    build,
    is_link,
    load_presets,
    load_workflow,
    with_prefix,
)

FP8 = BUILTIN_SETS["fp8"]
TWO_STAGE = ("t2v", "i2v", "a2v", "lipsync", "keyframe")


def expand(mode_id, preset="Fast", model_set=FP8, media=None, **values):
    mode = MODES[mode_id]
    v = {**mode.defaults, "prompt": "a cat", "width": 1280, "height": 704, **values}
    g = resolve_geometry(v["width"], v["height"], v["duration"], v["fps"])
    params = run_params(mode, v, v["prompt"], g)
    if media is None:
        media = {m.name: MediaSource(*MEDIA_LOADERS[m.kind], file=f"{m.name}.file") for m in mode.media}
    return build(load_workflow(mode_id), load_presets(mode_id)[preset], params, model_set, media)


def of_class(graph, class_type):
    return {k: v for k, v in graph.items() if v["class_type"] == class_type}


def source(graph, link):
    return graph[link[0]]


@pytest.mark.parametrize("mode_id, preset", [(m, p) for m in MODES for p in load_presets(m)])
def test_every_mode_builds_a_clean_graph_for_every_preset_and_set(mode_id, preset):
    for model_set in BUILTIN_SETS.values():
        e = expand(mode_id, preset, model_set)
        used = {v[0] for node in e.graph.values() for v in node["inputs"].values() if is_link(v)}
        used |= {link[0] for link in e.outputs}
        assert set(e.graph) - used == {"save"}  # no dead nodes; one UI node
        assert len(e.outputs) == len(MODES[mode_id].outputs)
        if MODES[mode_id].makes_video:
            assert len(of_class(e.graph, "SaveVideo")) == 1
            # Extend's frames are the source's followed by the decoded continuation, cut to the output.
            frames = "ImageFromBatch" if MODES[mode_id].edits_source == "extend" else "VAEDecodeTiled"
            assert [source(e.graph, link)["class_type"] for link in e.outputs][:2] == ["CreateVideo", frames]
        else:
            assert of_class(e.graph, "SaveAudio") == {"save": e.graph["save"]}
            assert source(e.graph, e.outputs[0])["class_type"] == "TrimAudioDuration"


@pytest.mark.parametrize("mode_id", [m for m in MODES if MODES[m].media])
def test_uploaded_media_are_read_by_the_core_loader(mode_id):
    e = expand(mode_id)
    for m in MODES[mode_id].media:
        loader, field = MEDIA_LOADERS[m.kind]
        assert e.graph[MEDIA_PREFIX + m.name] == {"class_type": loader, "inputs": {field: f"{m.name}.file"}}


def test_wired_media_stay_links_to_the_outer_graph_after_prefixing():
    e = expand("i2v", media={"image": MediaSource(link=("7", 0))})
    assert MEDIA_PREFIX + "image" not in e.graph
    assert e.graph["image_sized"]["inputs"]["input"] == ["7", 0]
    graph, outputs = with_prefix(e, "3.0.0.")
    assert graph["3.0.0.image_sized"]["inputs"]["input"] == ["7", 0]
    assert graph["3.0.0.stage1_image"]["inputs"]["image"] == ["3.0.0.image_prepared", 0]
    assert outputs[0] == ["3.0.0.video", 0]


def assert_image_first_frame(g, strength):
    chain = [g["image_sized"], g["image_capped"], g["image_prepared"]]
    assert [n["class_type"] for n in chain] == ["ResizeImageMaskNode", "ImageScaleToMaxDimension", "LTXVPreprocess"]
    assert (chain[0]["inputs"]["resize_type"], chain[0]["inputs"]["resize_type.crop"]) == ("scale dimensions", "center")
    assert (chain[0]["inputs"]["resize_type.width"], chain[0]["inputs"]["resize_type.height"]) == (1280, 704)
    assert chain[1]["inputs"]["largest_size"] == 1536 and chain[2]["inputs"]["img_compression"] == 18
    first, second = g["stage1_image"]["inputs"], g["stage2_image"]["inputs"]
    assert first["latent"] == ["stage1_video_latent", 0] and first["strength"] == strength
    assert second["latent"] == ["upscale", 0] and second["strength"] == 1.0
    assert g["stage1_latent"]["inputs"]["video_latent"] == ["stage1_image", 0]
    assert g["stage2_latent"]["inputs"]["video_latent"] == ["stage2_image", 0]


def assert_audio_kept(g):
    frozen = g["audio_frozen"]
    assert frozen["class_type"] == "SetLatentNoiseMask"
    assert source(g, frozen["inputs"]["mask"]) == {"class_type": "SolidMask", "inputs": {"value": 0.0, "width": 1, "height": 1}}
    assert source(g, frozen["inputs"]["samples"])["class_type"] == "LTXVAudioVAEEncode"
    assert g["stage1_latent"]["inputs"]["audio_latent"] == ["audio_frozen", 0]
    assert g["stage2_latent"]["inputs"]["audio_latent"] == ["stage1_split", 1]  # carries the zero mask on
    assert g["video"]["inputs"]["audio"] == ["audio_clip", 0]  # the waveform itself, not a decoded one
    assert not of_class(g, "LTXVAudioVAEDecode") and not of_class(g, "LTXVEmptyLatentAudio")
    # cut to the clip, padded with silence, cut again: exactly the clip's length
    assert source(g, g["audio_clip"]["inputs"]["audio"])["class_type"] == "AudioConcat"
    assert g["audio_clip"]["inputs"]["duration"] == pytest.approx(121 / 24)


def test_i2v_conditions_both_stages_on_the_image():
    assert_image_first_frame(expand("i2v", image_strength=0.55).graph, 0.55)


def test_a2v_keeps_the_audio_frozen_and_muxes_the_waveform():
    e = expand("a2v", audio_start=1.5)
    assert_audio_kept(e.graph)
    assert e.graph["audio_cut"]["inputs"]["start_index"] == 1.5
    assert e.outputs[2] == ["audio_clip", 0]


def test_lipsync_is_image_to_video_with_the_audio_kept():
    e = expand("lipsync", image_strength=0.8)
    assert_image_first_frame(e.graph, 0.8)
    assert_audio_kept(e.graph)


def test_keyframe_guides_the_video_latent_and_crops_before_upscale_and_decode():
    g = expand("keyframe", first_strength=1.0, last_strength=0.8).graph
    for stage, base_latent in (("stage1", ["stage1_video_latent", 0]), ("stage2", ["upscale", 0])):
        first, last = g[f"{stage}_first_guide"]["inputs"], g[f"{stage}_last_guide"]["inputs"]
        assert (first["frame_idx"], first["strength"], last["frame_idx"], last["strength"]) == (0, 1.0, -1, 0.8)
        assert first["latent"] == base_latent  # on the video latent, before it meets the audio
        assert last["latent"] == [f"{stage}_first_guide", 2]
        assert g[f"{stage}_latent"]["inputs"]["video_latent"] == [f"{stage}_last_guide", 2]
        assert g[f"{stage}_guider"]["inputs"]["positive"] == [f"{stage}_last_guide", 0]
        assert g[f"{stage}_crop"]["inputs"]["latent"] == [f"{stage}_split", 0]
    assert g["upscale"]["inputs"]["samples"] == ["stage1_crop", 2]
    assert g["decode"]["inputs"]["samples"] == ["stage2_crop", 2]


@pytest.mark.parametrize("preset", ["Fast", "Balanced", "Quality"])
def test_style_uses_the_ic_lora_parameters_of_the_ic_lora(preset):
    g = expand("style", preset).graph
    ic = g["style_model"]
    assert ic["class_type"] == "LoraLoaderModelOnly" and ic["inputs"]["lora_name"] == FP8.files["ic_lora"].name
    assert ic["inputs"]["strength_model"] > 0  # strength 0 would silently fall back to factor 1
    assert ic["inputs"]["model"] == ["distilled_model", 0]  # the IC-LoRA is the last LoRA applied
    assert not any(n["inputs"].get("model") == ["style_model", 0] and n["class_type"] == "LoraLoaderModelOnly"
                   for n in g.values())
    assert g["ic_lora_parameters"] == {"class_type": "GetICLoRAParameters", "inputs": {"iclora_model": ["style_model", 0]}}
    guides = of_class(g, "LTXVAddGuide")
    assert guides and all(n["inputs"]["iclora_parameters"] == ["ic_lora_parameters", 0] for n in guides.values())
    assert all(n["inputs"]["image"] == ["control_frames", 0] for n in guides.values())
    for guider in of_class(g, "CFGGuider").values():
        assert guider["inputs"]["model"] == ["style_model", 0] and guider["inputs"]["cfg"] == 1.0
    assert source(g, g["decode"]["inputs"]["samples"])["class_type"] == "LTXVCropGuides"


def test_style_takes_control_frames_and_sound_from_the_source_video():
    g = expand("style", video_start=2.0).graph
    assert g["control_frames"]["class_type"] == "Canny"
    chain = ["control_frames", "source_sized", "source_frames", "source_parts", "source_clip"]
    for a, b in zip(chain, chain[1:]):
        assert b in [v[0] for v in g[a]["inputs"].values() if is_link(v)]
    assert g["source_clip"]["inputs"]["video"] == [MEDIA_PREFIX + "video", 0]
    assert g["source_clip"]["inputs"]["start_time"] == 2.0
    assert g["source_frames"]["inputs"]["length"] == 121
    assert g["audio_cut"]["inputs"]["audio"] == ["source_parts", 1]
    assert g["video"]["inputs"]["audio"] == ["audio_clip", 0]
    assert g["pass1_style"]["inputs"]["image"] == ["style_prepared", 0]


def test_style_presets_choose_the_refine_pass():
    fast, balanced, quality = (expand("style", p).graph for p in ("Fast", "Balanced", "Quality"))
    assert not any(k.startswith("refine_") for k in fast) and "upscale" not in fast
    assert fast["decode"]["inputs"]["samples"] == ["pass1_crop", 2]
    # Balanced: Lightricks' same-size refine, from 0.725 (not a restart near 1).
    assert balanced["refine_sigmas"]["inputs"]["sigmas"] == "0.725, 0.421875, 0.0"
    assert balanced["refine_style"]["inputs"]["latent"] == ["pass1_crop", 2] and "upscale" not in balanced
    assert balanced["pass1_video_latent"]["inputs"]["width"] == 1280
    # Quality: Lightricks' two-stage IC-LoRA recipe: half size, ×2 latent upscale, refine from 0.909375.
    assert quality["pass1_video_latent"]["inputs"]["width"] == 640
    assert quality["upscale"]["inputs"]["samples"] == ["pass1_crop", 2]
    assert quality["refine_style"]["inputs"]["latent"] == ["upscale", 0]
    assert quality["refine_sigmas"]["inputs"]["sigmas"] == "0.909375, 0.725, 0.421875, 0.0"
    for g in (balanced, quality):
        assert g["refine_guider"]["inputs"]["model"] == ["style_model", 0]  # the IC-LoRA stays on
        assert g["refine_control"]["inputs"]["image"] == ["control_frames", 0]
        assert g["decode"]["inputs"]["samples"] == ["refine_crop", 2]
    docs = load_presets("style")
    for name, g in (("Balanced", balanced), ("Quality", quality)):
        steps = len(g["refine_sigmas"]["inputs"]["sigmas"].split(",")) - 1
        assert f"{steps} manual sigmas from {g['refine_sigmas']['inputs']['sigmas'].split(',')[0]}" in docs[name]["refine"]
    assert docs["Fast"]["refine"] == "none"


def test_style_control_strength_is_full_by_default_as_in_the_official_graphs():
    g = expand("style", "Balanced").graph
    assert MODES["style"].defaults["control_strength"] == 1.0
    assert g["pass1_control"]["inputs"]["strength"] == g["refine_control"]["inputs"]["strength"] == 1.0
    assert expand("style", control_strength=0.6).graph["pass1_control"]["inputs"]["strength"] == 0.6


def test_style_depth_control_runs_moge_on_the_sized_source():
    g = expand("style", control="depth").graph
    assert g["control_frames"]["class_type"] == "MoGeRender" and g["control_frames"]["inputs"]["output"] == "depth"
    assert g["depth_geometry"]["class_type"] == "MoGeInference"
    assert g["depth_geometry"]["inputs"]["image"] == ["source_sized", 0]
    assert g["depth_model"]["inputs"]["model_name"] == "moge_2_vitl_normal_fp16.safetensors"
    assert "pose_model" not in g and not of_class(g, "Canny")


def test_style_pose_control_runs_sdpose_on_the_sized_source():
    g = expand("style", control="pose").graph
    assert g["control_frames"]["class_type"] == "SDPoseDrawKeypoints"
    assert g["pose_keypoints"]["inputs"]["image"] == ["source_sized", 0]
    assert g["pose_keypoints"]["inputs"]["model"] == ["pose_model", 0]
    assert g["pose_keypoints"]["inputs"]["vae"] == ["pose_model", 2]
    assert g["pose_model"]["inputs"]["ckpt_name"] == "sdpose_wholebody_fp16.safetensors"
    assert "depth_model" not in g and not of_class(g, "Canny")


def test_style_control_files_are_loaded_only_for_their_control():
    assert set(expand("style", control="canny").files) == {"checkpoint", "text_encoder", "distilled_lora", "ic_lora"}
    assert set(expand("style", control="depth").files) - set(expand("style").files) == {"depth_model"}
    assert set(expand("style", control="pose").files) - set(expand("style").files) == {"pose_model"}


@pytest.mark.parametrize("mode_id", TWO_STAGE)
def test_presets_differ_only_in_stage_1_and_as_documented(mode_id):
    graphs = {p: expand(mode_id, p).graph for p in ("Fast", "Balanced", "Quality")}
    for p in ("Balanced", "Quality"):
        changed = {k for k in graphs["Fast"] if graphs["Fast"][k] != graphs[p].get(k)}
        assert changed == {"stage1_guider", "stage1_sampler", "stage1_sigmas"}
        assert graphs[p]["stage1_guider"]["inputs"]["model"] == [LOADER_PREFIX + "checkpoint", 0]
        assert graphs[p]["stage1_guider"]["inputs"]["cfg"] == 3.0
        assert graphs[p]["stage1_sigmas"]["class_type"] == "LTXVScheduler"
    assert graphs["Fast"]["stage1_guider"]["inputs"]["model"] == ["distilled_model", 0]
    assert graphs["Balanced"]["stage1_sigmas"]["inputs"]["steps"] == 20
    assert graphs["Quality"]["stage1_sigmas"]["inputs"]["steps"] == 40


@pytest.mark.parametrize("mode_id", list(MODES))
def test_media_inputs_are_named_in_the_users_words(mode_id):
    for m in MODES[mode_id].media:
        assert isinstance(m, MediaInput) and m.kind in MEDIA_LOADERS
        assert m.socket == f"{m.name}_input"
