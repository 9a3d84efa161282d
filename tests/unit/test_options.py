"""The prompt enhancer and the voice reference: the graphs they patch in, and their queue-time checks."""
import pytest
from ltx23_aio.model_manifest import BUILTIN_SETS
from ltx23_aio.nodes.media import MediaInfo
from ltx23_aio.nodes.modes import MEDIA_LOADERS, MODES
from ltx23_aio.nodes.options import VOICE_MODES, can_write_text, option_inputs
from ltx23_aio.nodes.plan import Environment, RunError, plan_run, run_params
from ltx23_aio.nodes.settings import resolve_geometry
from ltx23_aio.nodes.workflow import MediaSource, build, load_presets, load_workflow
from test_plan import TINY_FILES, VALUES, env_for

FP8 = BUILTIN_SETS["fp8"]
PICTURE = {"i2v": "image_capped", "lipsync": "image_capped", "keyframe": "first_capped", "style": "style_capped"}
VOICE_MEDIA = MediaSource(*MEDIA_LOADERS["audio"], file="voice.wav")


def expand(mode_id, options=(), preset="Fast", model_set=FP8, voice=False, **values):
    mode = MODES[mode_id]
    v = {**mode.defaults, "prompt": "a cat", "width": 1280, "height": 704, **values}
    params = run_params(mode, v, v["prompt"], resolve_geometry(v["width"], v["height"], v["duration"], v["fps"]))
    media = {m.name: MediaSource(*MEDIA_LOADERS[m.kind], file=f"{m.name}.file") for m in mode.media}
    if voice:
        media["voice_reference"] = VOICE_MEDIA
    return build(load_workflow(mode_id), load_presets(mode_id)[preset], params, model_set, media, options=options)


VIDEO_MODES = [m for m in MODES if MODES[m].makes_video]  # Text → Audio has no enhancer


@pytest.mark.parametrize("mode_id", VIDEO_MODES)
def test_enhancer_writes_the_prompt_the_video_is_made_from(mode_id):
    e = expand(mode_id, ("prompt_enhancer",))
    g = e.graph
    gen = g["enhanced_prompt"]
    assert gen["class_type"] == "TextGenerateLTX2Prompt"
    assert gen["inputs"]["clip"] == ["load_text_encoder", 0] and gen["inputs"]["prompt"] == "a cat"
    # The templates' settings: sampling on, 2048 tokens, seed 0 by default.
    assert (gen["inputs"]["sampling_mode"], gen["inputs"]["max_length"], gen["inputs"]["sampling_mode.seed"]) == \
        ("on", 2048, 0)
    assert g["positive_text"]["inputs"]["text"] == ["enhanced_prompt", 0]
    assert g["negative_text"]["inputs"]["text"] != ["enhanced_prompt", 0]
    # Shown and recorded right before the video is saved; the prompt output is its text.
    assert g["prompt_note"]["inputs"] == {"video": ["video", 0], "prompt": ["enhanced_prompt", 0]}
    assert g["save"]["inputs"]["video"] == ["prompt_note", 0]
    assert e.outputs[-1] == ["prompt_note", 1]
    assert e.outputs[:-1] == expand(mode_id).outputs[:-1]


@pytest.mark.parametrize("mode_id", VIDEO_MODES)
def test_enhancer_sees_the_modes_picture(mode_id):
    gen = expand(mode_id, ("prompt_enhancer",)).graph["enhanced_prompt"]["inputs"]
    if mode_id in PICTURE:
        assert gen["image"] == [PICTURE[mode_id], 0]  # the i2v system prompt is used with a picture
    else:
        assert "image" not in gen


def test_without_the_enhancer_the_graph_is_unchanged_and_returns_the_typed_prompt():
    off = expand("t2v")
    assert "enhanced_prompt" not in off.graph and "prompt_note" not in off.graph
    assert off.outputs[3] == "a cat"


def test_a_new_video_seed_leaves_the_enhancer_as_it_was_so_its_text_stays_cached():
    # ComfyUI's cache keys a node by its inputs and those of its ancestors: equal inputs, no rerun.
    a, b = expand("i2v", ("prompt_enhancer",), seed=1), expand("i2v", ("prompt_enhancer",), seed=2)
    ancestors = ["enhanced_prompt", "load_text_encoder", "image_capped", "image_sized", "media_image"]
    assert all(a.graph[n] == b.graph[n] for n in ancestors)
    assert a.graph["stage1_noise"] != b.graph["stage1_noise"]
    c = expand("i2v", ("prompt_enhancer",), seed=1, enhancer_seed=5)
    assert c.graph["enhanced_prompt"]["inputs"]["sampling_mode.seed"] == 5


def test_only_gemma_loaders_can_write_text():
    assert all(can_write_text(s) for s in BUILTIN_SETS.values())
    from ltx23_aio.model_store.sets import parse_model_set
    from test_plan import TINY
    assert not can_write_text(parse_model_set(TINY, "tiny.json"))


def test_enhancer_on_a_clip_text_encoder_is_refused_at_queue_time(tmp_path):
    with pytest.raises(RunError) as e:
        plan_run(MODES["t2v"], {**VALUES, "prompt_enhancer": True}, env_for(tmp_path, TINY_FILES))
    text = str(e.value)
    assert "model set 'tiny'" in text and "CLIPLoader" in text and "Turn prompt_enhancer off" in text


def test_enhancer_left_out_of_a_prompt_is_off(tmp_path):
    plan = plan_run(MODES["t2v"], VALUES, env_for(tmp_path, TINY_FILES))
    assert plan.options == () and plan.used_values()["prompt_enhancer"] is False


def test_enhancer_that_is_not_a_boolean_is_refused(tmp_path):
    with pytest.raises(RunError, match="prompt_enhancer must be true or false"):
        plan_run(MODES["t2v"], {**VALUES, "prompt_enhancer": "yes"}, env_for(tmp_path, TINY_FILES))


@pytest.mark.parametrize("preset", ["Fast", "Balanced"])
@pytest.mark.parametrize("mode_id", VOICE_MODES)
def test_voice_reference_follows_the_id_lora_template(mode_id, preset):
    plain = expand(mode_id, preset=preset).graph
    g = expand(mode_id, ("voice_reference",), preset=preset, voice=True).graph
    lora, voice = g["voice_lora"]["inputs"], g["voice"]["inputs"]
    assert g["voice_lora"]["class_type"] == "LoraLoaderModelOnly" and g["voice"]["class_type"] == "LTXVReferenceAudio"
    assert lora["lora_name"] == "ltx-2.3-id-lora-talkvid-3k.safetensors" and lora["strength_model"] == 1.0
    assert lora["model"] == plain["stage1_guider"]["inputs"]["model"]  # the preset's stage-1 model, ID-LoRA on top
    assert voice["model"] == ["voice_lora", 0] and voice["reference_audio"] == ["media_voice_reference", 0]
    assert (voice["positive"], voice["negative"]) == (["positive_text", 0], ["negative_text", 0])
    assert voice["audio_vae"] == ["load_audio_vae", 0] and voice["identity_guidance_scale"] == 3.0
    assert g["conditioning"]["inputs"]["positive"] == ["voice", 1]
    assert g["stage1_guider"]["inputs"]["model"] == ["voice", 0]
    assert g["stage2_guider"]["inputs"]["model"] == plain["stage2_guider"]["inputs"]["model"]
    assert g["media_voice_reference"] == {"class_type": "LoadAudio", "inputs": {"audio": "voice.wav"}}


def test_voice_reference_is_an_input_only_where_speech_is_generated():
    for mode in MODES.values():
        names = [i.name for i in option_inputs(mode)]
        assert (names[:2] == ["prompt_enhancer", "enhancer_seed"]) == mode.makes_video
        assert ("voice_reference" in names) == (mode.id in VOICE_MODES)


def test_both_options_together_plan_with_the_id_lora_file(tmp_path):
    env = env_for(tmp_path, TINY_FILES)
    facts = {"voice.wav": MediaInfo("audio", duration=5.0)}
    env = Environment(env.user_dir, env.node_classes | {"LTXVReferenceAudio", "LoadAudio"}, env.model_folders,
                      env.locate, env.unavailable, None, "0.27.0", lambda kind, name: facts[name])
    plan = plan_run(MODES["t2v"], {**VALUES, "voice_reference": "voice.wav"}, env)
    assert plan.options == ("voice_reference",)
    assert plan.model_paths["id_lora"].endswith("ltx23-tiny-id-lora.safetensors")
    off = plan_run(MODES["t2v"], {**VALUES, "voice_reference": "none"}, env)
    assert off.options == () and "id_lora" not in off.expansion.files


def test_an_unreadable_voice_reference_is_refused_at_queue_time(tmp_path):
    from ltx23_aio.nodes.media import MediaError

    def probe(kind, name):
        raise MediaError(f"the {kind} '{name}' cannot be read")
    env = env_for(tmp_path, TINY_FILES)
    env = Environment(env.user_dir, env.node_classes, env.model_folders, env.locate, env.unavailable, None,
                      "0.27.0", probe)
    with pytest.raises(RunError, match="the audio 'broken.wav' cannot be read"):
        plan_run(MODES["t2v"], {**VALUES, "voice_reference": "broken.wav"}, env)
