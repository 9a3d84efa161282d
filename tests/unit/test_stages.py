"""The run's stages and its one progress bar, read from the graph a mode expands to."""
import pytest
from ltx23_aio.model_manifest import BUILTIN_SETS
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.stages import RunProgress, Stage, stages, upstream
from ltx23_aio.nodes.workflow import MediaSource, build, load_presets, load_workflow

PARAMS = {"prompt": "p", "negative_prompt": "", "seed": 0, "width": 128, "height": 128, "stage1_width": 64,
          "stage1_height": 64, "frames": 9, "fps": 24, "filename_prefix": "x", "clip_seconds": 0.375,
          "source_seconds": 10 / 24, "image_strength": 0.7, "audio_start": 0.0, "first_strength": 1.0,
          "last_strength": 0.9, "control": "canny", "control_strength": 0.75, "video_start": 0.0,
          "source_frame_count": 9, "source_length": 0.375, "context_frames": 9, "context_from": 0,
          "context_length": 0.375, "context_audio_from": 0.0, "added_frames": 8, "added_length": 1 / 3,
          "output_from": 0, "output_frames": 17, "output_audio_from": 0.0, "output_length": 17 / 24,
          "retake_video_from": 0.1, "retake_video_to": 0.2, "retake_audio_from": 0.1, "retake_audio_to": 0.2,
          "asked_seconds": 0.375, "audio_frames": 9}


def graph(mode: str, preset: str = "Fast") -> dict:
    media = {m.name: MediaSource("LoadImage", "image", file="x.png") for m in MODES[mode].media}
    return build(load_workflow(mode), load_presets(mode)[preset], PARAMS, BUILTIN_SETS["fp8"], media).graph


def test_t2v_fast_has_the_stages_a_user_expects_in_order_of_the_recipe():
    found = stages(graph("t2v"))
    assert found["stage1_sample"] == Stage("stage 1", 8.0, 8)
    assert found["stage2_sample"] == Stage("stage 2", 3.0, 3)
    assert {found[n].label for n in found if n.startswith("load_")} == {"load models"}
    assert {s.label for s in found.values()} == {"load models", "encode prompt", "stage 1", "upscale", "stage 2",
                                                "decode video", "decode audio", "save"}


def test_balanced_stage_1_counts_its_scheduler_steps():
    assert stages(graph("t2v", "Balanced"))["stage1_sample"].steps == 20


@pytest.mark.parametrize("mode", list(MODES))
def test_every_mode_and_preset_has_a_sampling_stage_and_a_save(mode):
    for preset in load_presets(mode):
        labels = {s.label for s in stages(graph(mode, preset)).values()}
        assert "save" in labels and labels & {"stage 1", "pass 1"}


def test_stage_texts_name_the_pass_and_the_step():
    assert Stage("stage 1", 8.0, 8).text(3, 8) == "stage 1 · step 3/8"
    assert Stage("stage 2", 3.0, 3).text(2, 3) == "stage 2 · 2/3"
    assert Stage("decode video", 4.0).text() == "decode video"


def test_run_progress_covers_the_whole_run_and_never_goes_back():
    stage_of = {"a": Stage("load models", 4.0), "s1": Stage("stage 1", 8.0, 8), "dec": Stage("decode video", 4.0),
                "save": Stage("save", 1.0)}
    p = RunProgress(stage_of)
    seen = []
    p.finish("a")  # cached: finishes without starting
    seen.append(p.fraction)
    p.start("s1")
    for step in range(1, 9):
        p.update("s1", step, 8)
        seen.append(p.fraction)
    assert p.text == "stage 1 · step 8/8"
    p.finish("s1")
    p.start("dec")
    assert p.text == "decode video"
    seen.append(p.fraction)
    p.finish("dec")
    p.finish("save")
    seen.append(p.fraction)
    assert seen == sorted(seen) and seen[0] == pytest.approx(4 / 17) and seen[-1] == 1.0
    assert not p.start("not a stage") and not p.finish("not a stage")


def test_a_rerun_whose_loaders_never_run_counts_them_done_when_what_needs_them_starts():
    g = graph("t2v")
    p = RunProgress(stages(g), upstream(g))
    p.start("stage1_sample")  # cached loaders and prompt: they never start nor finish
    loaders = {n for n in stages(g) if n.startswith("load_")}
    assert {n for n in p.finished if n.startswith("load_")} == loaders - {"load_upscaler"}  # stage 2 needs it
    assert p.fraction > 0.2 and p.text == "stage 1 · step 0/8"
    p.finish("stage1_sample")
    assert not p.done_all


@pytest.mark.parametrize("mode", list(MODES))
def test_every_stage_is_needed_by_the_save_so_a_run_ends_on_its_summary(mode):
    for preset in load_presets(mode):
        g = graph(mode, preset)
        found = stages(g)
        (save,) = [n for n, s in found.items() if s.label == "save"]
        p = RunProgress(found, upstream(g))
        p.finish(save)  # every other node cached
        assert p.done_all and p.fraction == 1.0, (preset, set(found) - p.finished)


def test_upstream_is_every_ancestor():
    g = {"a": {"inputs": {}}, "b": {"inputs": {"x": ["a", 0], "n": 3}}, "c": {"inputs": {"y": ["b", 1], "z": ["a", 0]}}}
    assert upstream(g) == {"a": frozenset(), "b": {"a"}, "c": {"a", "b"}}
