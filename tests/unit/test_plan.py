"""Queue-time planning: every problem is found before anything loads, with the fix in the message."""
import json
from pathlib import Path

import pytest
from ltx23_aio.model_manifest import BUILTIN_SETS
from ltx23_aio.model_store.auto import GpuFacts
from ltx23_aio.model_store.ensure import check_downloadable
from ltx23_aio.model_store.errors import ModelFileError
from ltx23_aio.model_store.sets import USER_SETS_SUBDIR
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.plan import Environment, RunError, plan_run
from ltx23_aio.nodes.workflow import build, load_presets, load_workflow

T2V = MODES["t2v"]
TINY = json.loads((Path(__file__).parents[1] / "host" / "tiny_model_set.json").read_text())
VALUES = {"prompt": "a cat", "negative_prompt": "", "width": 128, "height": 128, "duration": 0.4,
          "fps": 24, "seed": 3, "preset": "Fast", "models": "tiny", "filename_prefix": "t"}
FOLDERS = {"checkpoints", "loras", "text_encoders", "latent_upscale_models", "vae", "diffusion_models"}


def all_class_types():
    types = set()
    for preset in load_presets("t2v").values():
        for s in BUILTIN_SETS.values():
            types |= build(load_workflow("t2v"), preset, _params(), s).class_types
    return types | {"CLIPLoader", "LTXVContextWindows"}


def _params():
    return {"prompt": "p", "negative_prompt": "", "seed": 0, "width": 64, "height": 64, "stage1_width": 32,
            "stage1_height": 32, "frames": 9, "fps": 24, "filename_prefix": "x"}


def unavailable_when(allow_download):
    def unavailable(files, mode, model_set):
        try:
            check_downloadable(files, allow_download=allow_download, mode=mode, model_set=model_set)
        except ModelFileError as e:
            return str(e)
        return None
    return unavailable


def env_for(tmp_path, present=(), node_classes=None, gpu=None, user_set=TINY, allow_download=False):
    models = tmp_path / "models"
    for folder, name in present:
        (models / folder).mkdir(parents=True, exist_ok=True)
        (models / folder / name).write_bytes(b"x")
    if user_set is not None:
        path = tmp_path / "user" / USER_SETS_SUBDIR / "tiny.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(user_set))

    def locate(f):
        p = models / f.folder / f.name
        return str(p) if p.is_file() else None
    return Environment(str(tmp_path / "user"), node_classes or all_class_types(), FOLDERS, locate,
                       unavailable_when(allow_download), gpu, "0.27.0")


def files_of(model_set):
    return [(f.folder, f.name) for f in model_set.files.values()]


TINY_FILES = [(f["folder"], f["name"]) for f in TINY["files"].values()]


def test_plan_with_files_present_binds_the_user_model_set(tmp_path):
    plan = plan_run(T2V, VALUES, env_for(tmp_path, TINY_FILES))
    assert plan.model_set.name == "tiny"
    assert plan.expansion.graph["load_text_encoder"]["class_type"] == "CLIPLoader"
    assert set(plan.model_paths) == {"checkpoint", "text_encoder", "distilled_lora", "upscaler"}
    used = plan.used_values()
    assert (used["width"], used["height"], used["frames"], used["fps"], used["seed"]) == (128, 128, 9, 24, 3)
    assert "128×128, 9 frames at 24 fps" in plan.summary()


def test_plan_reports_snapped_values(tmp_path):
    plan = plan_run(T2V, {**VALUES, "width": 100, "duration": 1.0}, env_for(tmp_path, TINY_FILES))
    used = plan.used_values()
    assert (used["width"], used["frames"]) == (128, 25)
    assert any("100×128 → 128×128" in c for c in used["adjusted"])


def test_missing_files_with_downloads_off_are_listed_with_size_folder_and_url(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    fp8 = BUILTIN_SETS["fp8"]
    present = [(f.folder, f.name) for role, f in fp8.files.items() if role != "checkpoint"]
    with pytest.raises(RunError) as e:
        plan_run(T2V, {**VALUES, "models": "fp8"}, env_for(tmp_path, present))
    msg = str(e.value)
    assert msg.startswith("Model set 'fp8' (chosen on the node): 1 model file(s) are missing")
    assert "automatic download is off" in msg
    assert "ltx-2.3-22b-dev-fp8.safetensors (≈29.1 GB) → ComfyUI/models/checkpoints/" in msg
    assert "https://huggingface.co/Lightricks/LTX-2.3-fp8/resolve/main/ltx-2.3-22b-dev-fp8.safetensors" in msg
    assert "models download --mode t2v --set fp8" in msg
    assert "gemma" not in msg


def test_missing_files_that_can_download_are_left_for_the_run(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    fp8 = BUILTIN_SETS["fp8"]
    present = [(f.folder, f.name) for role, f in fp8.files.items() if role != "checkpoint"]
    plan = plan_run(T2V, {**VALUES, "models": "fp8"}, env_for(tmp_path, present, allow_download=True))
    assert set(plan.missing) == {"checkpoint"}
    assert "downloading 1 model file(s) first" in plan.summary()


def test_missing_files_offline_are_an_error_at_queue_time(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(RunError, match="Offline mode \\(HF_HUB_OFFLINE is set\\) and 4 model file\\(s\\) are missing"):
        plan_run(T2V, {**VALUES, "models": "fp8"}, env_for(tmp_path, allow_download=True))


def test_missing_core_nodes_are_named_with_the_comfyui_version(tmp_path):
    classes = all_class_types() - {"LTXVAudioVAELoader", "LTXVLatentUpsampler"}
    with pytest.raises(RunError) as e:
        plan_run(T2V, VALUES, env_for(tmp_path, TINY_FILES, node_classes=classes))
    msg = str(e.value)
    assert "LTXVAudioVAELoader, LTXVLatentUpsampler" in msg
    assert "v0.27.0" in msg and "update ComfyUI" in msg


@pytest.mark.parametrize("change, words", [
    ({"prompt": " "}, ["prompt is empty"]),
    ({"duration": 61.0, "fps": 3}, ["185 frames", "clips of up to 60 s", "at most 177 frames"]),
    ({"width": 8}, ["width 8 is out of range"]),
    ({"models": "fp16"}, ["unknown model set 'fp16'", "auto, bf16, fp8, nvfp4, tiny"]),
    ({"preset": "Turbo"}, ["unknown preset 'Turbo'", "Fast, Balanced, Quality"]),
])
def test_bad_values_are_rejected_with_the_fix(tmp_path, change, words):
    with pytest.raises(RunError) as e:
        plan_run(T2V, {**VALUES, **change}, env_for(tmp_path, TINY_FILES))
    for word in words:
        assert word in str(e.value)


def test_user_set_with_an_unknown_folder_is_rejected(tmp_path):
    odd = json.loads(json.dumps(TINY))
    odd["files"]["upscaler"]["folder"] = "upscalers"
    with pytest.raises(RunError, match="folder 'upscalers', which is not a ComfyUI model folder"):
        plan_run(T2V, VALUES, env_for(tmp_path, TINY_FILES, user_set=odd))


def test_auto_without_gpu_picks_fp8_and_says_why(tmp_path):
    plan = plan_run(T2V, {**VALUES, "models": "auto"}, env_for(tmp_path, files_of(BUILTIN_SETS["fp8"])))
    assert plan.model_set.name == "fp8"
    assert plan.model_set_reason.startswith("auto: no CUDA GPU found")


def test_auto_prefers_a_suitable_set_already_on_disk(tmp_path):
    h100 = GpuFacts("NVIDIA H100", 80, (9, 0))
    plan = plan_run(T2V, {**VALUES, "models": "auto"}, env_for(tmp_path, files_of(BUILTIN_SETS["fp8"]), gpu=h100))
    assert plan.model_set.name == "fp8"
    assert "bf16's are not" in plan.model_set_reason


def test_auto_with_nothing_on_disk_lists_the_best_sets_files(tmp_path):
    h100 = GpuFacts("NVIDIA H100", 80, (9, 0))
    with pytest.raises(RunError, match="Model set 'bf16' \\(auto: NVIDIA H100.*4 model file\\(s\\) are missing"):
        plan_run(T2V, {**VALUES, "models": "auto"}, env_for(tmp_path, gpu=h100))


def test_files_needed_lists_what_a_mode_loads_with_a_set():
    from ltx23_aio.nodes.plan import files_needed
    fp8 = BUILTIN_SETS["fp8"]
    assert set(files_needed(T2V, fp8)) == {"checkpoint", "text_encoder", "distilled_lora", "upscaler"}
    assert files_needed(T2V, fp8, "Balanced")["checkpoint"].name == "ltx-2.3-22b-dev-fp8.safetensors"


def test_style_warns_when_the_clip_is_heavy(tmp_path):
    from ltx23_aio.nodes.media import MediaInfo
    env = env_for(tmp_path, TINY_FILES)
    facts = {"clip.mp4": MediaInfo("video", duration=20.0, fps=24.0, frames=480), "look.png": MediaInfo("image")}
    env = Environment(env.user_dir, env.node_classes | {"Video Slice", "GetVideoComponents", "ImageFromBatch",
                      "Canny", "GetICLoRAParameters", "LTXVAddGuide", "LTXVCropGuides", "SetLatentNoiseMask",
                      "SolidMask", "AudioConcat", "EmptyAudio", "TrimAudioDuration", "LTXVAudioVAEEncode",
                      "ResizeImageMaskNode", "ImageScaleToMaxDimension", "LTXVPreprocess", "LTXVImgToVideoInplace",
                      "LoadVideo", "LoadImage"},
                      env.model_folders, env.locate, env.unavailable, None, "0.27.0", lambda kind, name: facts[name])
    style = {**VALUES, **MODES["style"].defaults, "prompt": "oil paint", "models": "tiny", "video": "clip.mp4",
             "style_image": "look.png"}
    small = plan_run(MODES["style"], {**style, "width": 128, "height": 128, "duration": 0.67}, env)
    assert not any("heavy" in n for n in small.notes)
    big = plan_run(MODES["style"], {**style, "width": 1280, "height": 704, "duration": 8.0}, env)
    assert any(n.startswith("heavy: with its guide the model sees 44000 tokens") for n in big.notes)


STYLE_NODES = {"Video Slice", "GetVideoComponents", "ImageFromBatch", "Canny", "GetICLoRAParameters", "LTXVAddGuide",
               "LTXVCropGuides", "SetLatentNoiseMask", "SolidMask", "AudioConcat", "EmptyAudio", "TrimAudioDuration",
               "LTXVAudioVAEEncode", "ResizeImageMaskNode", "ImageScaleToMaxDimension", "LTXVPreprocess",
               "LTXVImgToVideoInplace", "LoadVideo", "LoadImage", "LoadMoGeModel", "MoGeInference", "MoGeRender",
               "SDPoseKeypointExtractor", "SDPoseDrawKeypoints"}


def style_plan(tmp_path, control, present=TINY_FILES, user_set=TINY, **extra):
    from ltx23_aio.nodes.media import MediaInfo
    env = env_for(tmp_path, present, user_set=user_set, allow_download=True)
    facts = {"clip.mp4": MediaInfo("video", duration=2.0, fps=24.0, frames=48), "look.png": MediaInfo("image")}
    env = Environment(env.user_dir, env.node_classes | STYLE_NODES, FOLDERS | {"geometry_estimation"}, env.locate,
                      env.unavailable, None, "0.27.0", lambda kind, name: facts[name])
    values = {**VALUES, **MODES["style"].defaults, "prompt": "oil paint", "models": "tiny", "video": "clip.mp4",
              "style_image": "look.png", "control": control, **extra}
    return plan_run(MODES["style"], values, env)


@pytest.mark.parametrize("control, name", [("depth", "moge_2_vitl_normal_fp16.safetensors"),
                                           ("pose", "sdpose_wholebody_fp16.safetensors")])
def test_style_control_model_missing_offline_is_refused_naming_it(tmp_path, monkeypatch, control, name):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert style_plan(tmp_path, "canny").expansion.files.keys().isdisjoint({"depth_model", "pose_model"})
    with pytest.raises(RunError) as e:
        style_plan(tmp_path, control)
    assert "Offline mode (HF_HUB_OFFLINE is set) and 1 model file(s) are missing" in str(e.value)
    assert name in str(e.value) and "unset HF_HUB_OFFLINE" in str(e.value)


def test_style_control_model_present_runs_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    plan = style_plan(tmp_path, "depth", [*TINY_FILES, ("geometry_estimation", "moge_2_vitl_normal_fp16.safetensors")])
    assert plan.expansion.graph["depth_model"]["inputs"]["model_name"] == "moge_2_vitl_normal_fp16.safetensors"
    assert not plan.missing


def test_style_control_that_is_no_option_is_refused(tmp_path):
    with pytest.raises(RunError, match="control 'normals' is not an option: use canny / depth / pose"):
        style_plan(tmp_path, "normals")


def test_a_user_set_written_for_the_first_distilled_lora_keeps_working(tmp_path):
    """Sets written before 1.1: the old LoRA named by name and folder only, no depth or pose model."""
    old = "ltx-2.3-22b-distilled-lora-384.safetensors"
    user = json.loads(json.dumps(TINY))
    user["files"]["distilled_lora"] = {"name": old, "folder": "loras"}
    present = [(f, n) for f, n in TINY_FILES if not n.endswith("distilled-lora.safetensors")] + [("loras", old)]
    plan = plan_run(T2V, VALUES, env_for(tmp_path, present, user_set=user))
    assert plan.expansion.graph["distilled_model"]["inputs"]["lora_name"] == old and not plan.missing
    # Missing, it is still known: its source and size come from the pack, so it can be fetched.
    without = [(f, n) for f, n in TINY_FILES if "distilled" not in n]
    with pytest.raises(RunError) as e:
        plan_run(T2V, VALUES, env_for(tmp_path / "gone", without, user_set=user))
    assert f"https://huggingface.co/Lightricks/LTX-2.3/resolve/main/{old}" in str(e.value) and "7.61 GB" in str(e.value)
    # Written before depth and pose existed, the set still runs them with the pack's models.
    assert user["files"].keys().isdisjoint({"depth_model", "pose_model"})
    plan = style_plan(tmp_path / "style", "pose", [*present, ("checkpoints", "sdpose_wholebody_fp16.safetensors")],
                      user_set=user)
    assert plan.expansion.graph["pose_model"]["inputs"]["ckpt_name"] == "sdpose_wholebody_fp16.safetensors"
    assert not plan.missing


# --- clips longer than the window ------------------------------------------------------------

def media_env(tmp_path):
    from ltx23_aio.nodes.media import MediaInfo
    env = env_for(tmp_path, TINY_FILES)
    facts = {"voice.wav": MediaInfo("audio", duration=70.0), "face.png": MediaInfo("image")}
    return Environment(env.user_dir, env.node_classes | {
        "SetLatentNoiseMask", "SolidMask", "AudioConcat", "EmptyAudio", "TrimAudioDuration", "LTXVAudioVAEEncode",
        "ResizeImageMaskNode", "ImageScaleToMaxDimension", "LTXVPreprocess", "LTXVImgToVideoInplace",
        "LoadAudio", "LoadImage", "LTXVAddGuide", "LTXVCropGuides"},
        env.model_folders, env.locate, env.unavailable, None, "0.27.0", lambda kind, name: facts[name])


MEDIA_VALUES = {"t2v": {}, "i2v": {"image": "face.png"}, "a2v": {"audio": "voice.wav"},
                "lipsync": {"image": "face.png", "audio": "voice.wav"}}


def long_plan(tmp_path, mode="t2v", **change):
    values = {**VALUES, **MODES[mode].defaults, "prompt": "a cat", "models": "tiny", "width": 128, "height": 128,
              "fps": 24, "duration": 30.0, **MEDIA_VALUES[mode], **change}
    return plan_run(MODES[mode], values, media_env(tmp_path))


def model_chain(graph, link):
    """Node classes from a sampler's model input back to the loader."""
    chain = []
    while link and link[0] in graph:
        node = graph[link[0]]
        chain.append(node["class_type"])
        link = node["inputs"].get("model")
    return chain


@pytest.mark.parametrize("preset", ["Fast", "Balanced", "Quality"])
def test_a_long_clip_samples_every_stage_in_core_context_windows(tmp_path, preset):
    plan = long_plan(tmp_path, preset=preset)
    graph = plan.expansion.graph
    windows = graph["context_windows"]
    assert windows["class_type"] == "LTXVContextWindows"
    assert windows["inputs"]["model"] == ["load_checkpoint", 0]
    assert (windows["inputs"]["context_length"], windows["inputs"]["context_overlap"]) == (473, 96)
    assert windows["inputs"]["context_schedule"] == "standard_static"
    for guider in ("stage1_guider", "stage2_guider"):
        assert model_chain(graph, graph[guider]["inputs"]["model"])[-2:] == ["LTXVContextWindows", "CheckpointLoaderSimple"]
    assert plan.used_values()["windows"] == [[0, 472], [241, 720]]
    assert "721 frames at 24 fps (30.04 s) in 2 windows of 473 frames (frames 0–472, 241–720)" in plan.summary()


def test_a_clip_inside_the_window_has_no_context_windows(tmp_path):
    plan = long_plan(tmp_path, duration=20.0)
    assert "LTXVContextWindows" not in plan.expansion.class_types
    assert plan.used_values()["windows"] == [[0, 480]]


@pytest.mark.parametrize("mode, keeps_image", [("t2v", False), ("i2v", True), ("a2v", False), ("lipsync", True)])
def test_long_clips_in_the_four_modes_and_the_image_modes_show_every_window_the_image(tmp_path, mode, keeps_image):
    graph = long_plan(tmp_path, mode, duration=45.0).expansion.graph
    assert graph["context_windows"]["inputs"]["retain_first_frame"] is keeps_image


def test_a_long_a2v_clip_cuts_the_audio_to_the_whole_clip(tmp_path):
    plan = long_plan(tmp_path, "a2v", duration=60.0)
    assert plan.geometry.frames == 1441
    assert plan.expansion.graph["audio_cut"]["inputs"]["duration"] == pytest.approx(1441 / 24)
    assert len(plan.geometry.windows) == 4


def test_modes_without_long_clips_refuse_above_the_window_with_its_limit(tmp_path):
    with pytest.raises(RunError) as e:
        plan_run(MODES["keyframe"], {**VALUES, **MODES["keyframe"].defaults, "prompt": "a cat", "models": "tiny",
                                     "first_image": "face.png", "last_image": "face.png", "duration": 21.0},
                 media_env(tmp_path))
    assert "LTX-2.3 sees 20 s at a time" in str(e.value) and "at most 481 frames" in str(e.value)


def test_long_clip_modes_refuse_above_60_seconds_naming_the_limit(tmp_path):
    with pytest.raises(RunError) as e:
        long_plan(tmp_path, "lipsync", duration=61.0)
    assert "needs 1465 frames" in str(e.value)
    assert "clips of up to 60 s" in str(e.value) and "at most 1441 frames (60.00 s)" in str(e.value)


def test_a_long_large_clip_warns_with_the_memory_one_window_needs(tmp_path):
    plan = long_plan(tmp_path, width=1280, height=704, duration=60.0)
    [note] = [n for n in plan.notes if n.startswith("heavy")]
    gb = plan.geometry.step_memory_gb()
    assert f"each window is {40 * 22 * 60} video tokens" in note
    assert f"ComfyUI estimates {gb:.1f} GB of GPU memory per sampling step" in note
    assert not any(n.startswith("heavy") for n in long_plan(tmp_path, duration=60.0).notes)
