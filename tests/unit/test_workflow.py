"""The t2v workflow binds to the Fast recipe of product.md exactly; presets patch only stage 1."""
import pytest
from ltx23_aio.model_manifest import BUILTIN_SETS
from ltx23_aio.nodes.workflow import LOADER_PREFIX, WorkflowError, build, is_link, load_presets, load_workflow

PARAMS = {"prompt": "a cat", "negative_prompt": "blurry", "seed": 7, "width": 1280, "height": 704,
          "stage1_width": 640, "stage1_height": 352, "frames": 121, "fps": 24,
          "filename_prefix": "out/t2v"}
FP8 = BUILTIN_SETS["fp8"]


def t2v(preset="Fast", model_set=FP8, params=PARAMS):
    return build(load_workflow("t2v"), load_presets("t2v")[preset], params, model_set)


def by_class(graph, class_type):
    return {k: v for k, v in graph.items() if v["class_type"] == class_type}


def test_t2v_fast_is_the_distilled_two_stage_recipe():
    g = t2v().graph
    lora = g["distilled_model"]["inputs"]
    assert lora["lora_name"] == "ltx_2.3_22b_distilled_1.1_lora_dynamic_fro09_avg_rank_111_bf16.safetensors"
    assert lora["strength_model"] == 0.5
    assert lora["model"] == [LOADER_PREFIX + "checkpoint", 0]
    assert g["stage1_video_latent"]["inputs"] == {"width": 640, "height": 352, "length": 121, "batch_size": 1}
    assert g["stage1_audio_latent"]["inputs"]["frames_number"] == 121
    assert g["stage1_sigmas"]["inputs"]["sigmas"] == "1.0, 0.99375, 0.9875, 0.98125, 0.975, 0.909375, 0.725, 0.421875, 0.0"
    assert g["stage2_sigmas"]["inputs"]["sigmas"] == "0.85, 0.7250, 0.4219, 0.0"
    assert g["stage1_sampler"]["inputs"]["sampler_name"] == "euler_ancestral_cfg_pp"
    assert g["stage2_sampler"]["inputs"]["sampler_name"] == "euler_cfg_pp"
    for guider in by_class(g, "CFGGuider").values():
        assert guider["inputs"]["cfg"] == 1.0
        assert guider["inputs"]["model"] == ["distilled_model", 0]
    assert g["upscale"]["class_type"] == "LTXVLatentUpsampler"
    assert g["upscale"]["inputs"]["samples"] == ["stage1_split", 0]
    assert g["stage2_latent"]["inputs"]["audio_latent"] == ["stage1_split", 1]
    decode = g["decode"]["inputs"]
    assert (decode["temporal_size"], decode["temporal_overlap"]) == (64, 8)
    assert g["video"]["inputs"]["audio"] == ["decode_audio", 0]
    assert g["save"]["inputs"]["video"] == ["video", 0]
    assert g["stage1_noise"]["inputs"]["noise_seed"] == 7


def test_t2v_inner_values_have_the_types_core_nodes_expect():
    # Inner nodes are not validated or coerced by ComfyUI.
    g = t2v().graph
    assert isinstance(g["conditioning"]["inputs"]["frame_rate"], float)
    assert isinstance(g["video"]["inputs"]["fps"], float)
    assert isinstance(g["stage1_audio_latent"]["inputs"]["frame_rate"], int)
    assert isinstance(g["stage1_noise"]["inputs"]["noise_seed"], int)


def test_t2v_has_one_ui_node_and_only_core_loaders_of_the_set():
    e = t2v()
    assert len(by_class(e.graph, "SaveVideo")) == 1
    assert by_class(e.graph, "LTXAVTextEncoderLoader")[LOADER_PREFIX + "text_encoder"]["inputs"] == {
        "text_encoder": "gemma_3_12B_it_fp8_scaled.safetensors",
        "ckpt_name": "ltx-2.3-22b-dev-fp8.safetensors", "device": "default"}
    assert set(e.files) == {"checkpoint", "text_encoder", "distilled_lora", "upscaler"}


def test_every_node_feeds_an_output():
    e = t2v()
    used = {v[0] for node in e.graph.values() for v in node["inputs"].values() if is_link(v)}
    used |= {link[0] for link in e.outputs if is_link(link)}
    assert set(e.graph) - used == {"save"}


def test_outputs_are_video_images_audio_and_the_prompt_used():
    e = t2v()
    assert e.outputs == (["video", 0], ["decode", 0], ["decode_audio", 0], PARAMS["prompt"])


def test_expansion_is_deterministic():
    assert t2v().graph == t2v().graph


def test_building_does_not_change_the_stored_workflow():
    t2v("Balanced")
    assert load_workflow("t2v")["nodes"]["stage1_sigmas"]["class_type"] == "ManualSigmas"


@pytest.mark.parametrize("preset, steps, sampler", [("Balanced", 20, "euler"), ("Quality", 40, "res_multistep")])
def test_balanced_and_quality_use_the_dev_model_with_real_cfg_in_stage_1(preset, steps, sampler):
    g = t2v(preset).graph
    sigmas = g["stage1_sigmas"]
    assert sigmas["class_type"] == "LTXVScheduler"
    assert sigmas["inputs"]["steps"] == steps
    assert (sigmas["inputs"]["max_shift"], sigmas["inputs"]["base_shift"]) == (2.05, 0.95)
    assert sigmas["inputs"]["latent"] == ["stage1_latent", 0]
    assert g["stage1_sampler"]["inputs"]["sampler_name"] == sampler
    assert g["stage1_guider"]["inputs"]["cfg"] == 3.0
    assert g["stage1_guider"]["inputs"]["model"] == [LOADER_PREFIX + "checkpoint", 0]
    # stage 2 stays the distilled refine
    assert g["stage2_guider"]["inputs"]["model"] == ["distilled_model", 0]
    assert g["stage2_guider"]["inputs"]["cfg"] == 1.0
    assert g["stage2_sigmas"]["inputs"]["sigmas"] == "0.85, 0.7250, 0.4219, 0.0"


def test_presets_differ_only_in_stage_1():
    graphs = {p: t2v(p).graph for p in ("Fast", "Balanced", "Quality")}
    for p in ("Balanced", "Quality"):
        changed = {k for k in graphs["Fast"] if graphs["Fast"][k] != graphs[p].get(k)}
        assert changed == {"stage1_guider", "stage1_sampler", "stage1_sigmas"}


def test_preset_docs_state_the_step_counts_the_graph_uses():
    presets = load_presets("t2v")
    assert "8 manual sigmas" in presets["Fast"]["stage1"]
    for name in ("Balanced", "Quality"):
        steps = presets[name]["nodes"]["stage1_sigmas"]["inputs"]["steps"]
        assert f"{steps} steps" in presets[name]["stage1"]
    for p in presets.values():
        assert "3 manual sigmas" in p["stage2"]


def test_model_set_missing_an_output_is_a_clear_error():
    from dataclasses import replace
    broken = replace(FP8, provides={k: v for k, v in FP8.provides.items() if k != "upscale_model"})
    with pytest.raises(WorkflowError, match="provides no 'upscale_model'"):
        t2v(model_set=broken)


def test_missing_parameter_is_named():
    params = dict(PARAMS)
    del params["fps"]
    with pytest.raises(WorkflowError, match="'fps'"):
        t2v(params=params)


def test_negative_prompt_text_follows_the_presets_that_use_real_cfg():
    from ltx23_aio.nodes.workflow import negative_prompt_use, real_cfg_presets

    assert real_cfg_presets("t2v") == ["Balanced", "Quality"]
    assert negative_prompt_use("t2v") == "Only Balanced and Quality use it (real CFG)."
    assert real_cfg_presets("style") == []
    assert "no effect" in negative_prompt_use("style")


def test_one_declaration_of_the_shared_inputs_feeds_the_defaults_and_the_examples():
    import sys
    from pathlib import Path

    from ltx23_aio.nodes.modes import MODES, SHARED_DEFAULTS, SHARED_INPUTS

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    from example_workflows import widget_layout

    assert list(SHARED_DEFAULTS) == [i.name for i in SHARED_INPUTS if i.name != "filename_prefix"]
    from ltx23_aio.nodes.options import option_inputs

    names = [name for name, _, _ in widget_layout(MODES["t2v"])]
    # the options, then the LoRA list every mode has, last
    assert names == [i.name for i in SHARED_INPUTS] + [i.name for i in option_inputs(MODES["t2v"])] + ["loras"]
