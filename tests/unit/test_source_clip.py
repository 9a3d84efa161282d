"""Extend and Retake fit the clip to the source video (nodes/source_clip.py)."""
import pytest
from ltx23_aio.nodes.media import MediaError, MediaInfo
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.settings import SettingsError, resolve_geometry
from ltx23_aio.nodes.source_clip import fit_to_source


def source(frames=17, fps=8.0, width=128, height=128):
    return {"video": MediaInfo("video", duration=frames / fps, fps=fps, frames=frames, width=width, height=height)}


def fit(mode, infos, **values):
    v = {**MODES[mode].defaults, "video": "clip.mp4", **values}
    return fit_to_source(MODES[mode], v, infos, resolve_geometry(v["width"], v["height"], v["duration"], v["fps"]))


def test_extend_samples_the_context_and_the_new_frames_and_outputs_both():
    geometry, notes, p = fit("extend", source(), duration=1.0, context_seconds=1.0)
    assert (geometry.width, geometry.height, geometry.fps) == (128, 128, 8)
    assert geometry.frames == 9 + 8  # 8n+1 context + 8m new: 8n+1 in all
    assert p["context_from"] == 17 - 9 and p["context_length"] == 9 / 8 and p["context_audio_from"] == 1.0
    assert (p["output_from"], p["output_frames"], p["output_audio_from"], p["output_length"]) == (0, 25, 0.0, 25 / 8)
    assert "output: 25 frames (17 from the source + 8 new)" in notes


def test_extend_can_output_the_continuation_alone():
    _, _, p = fit("extend", source(), duration=1.0, output="continuation only")
    assert (p["output_from"], p["output_frames"], p["output_audio_from"], p["output_length"]) == (17, 8, 17 / 8, 1.0)


def test_extend_context_never_exceeds_the_source():
    geometry, _, p = fit("extend", source(frames=12), duration=1.0, context_seconds=5.0)
    assert p["context_frames"] == 9 and p["context_from"] == 3 and geometry.frames == 17


def test_extend_size_and_rate_follow_the_source_and_say_so():
    geometry, _, _ = fit("extend", source(fps=25.0, width=1280, height=720), duration=1.0)
    assert (geometry.width, geometry.height, geometry.fps) == (1280, 704, 25)
    assert any("1280×704 (the source video's 1280×720, snapped" in c for c in geometry.changes)
    assert "fps 24 → 25 (the source video's rate)" in geometry.changes


def test_extend_refuses_more_than_the_window_with_the_limit():
    with pytest.raises(SettingsError, match=r"at most 161 frames, so with this context at most 152 new frames"):
        fit("extend", source(), duration=19.5, context_seconds=1.0)


@pytest.mark.parametrize("mode", ["extend", "retake"])
def test_a_source_shorter_than_nine_frames_is_refused(mode):
    with pytest.raises(MediaError, match=r"'clip.mp4' is too short \(6 frames, 0.75 s\).*at least 9 frames"):
        fit(mode, source(frames=6))


@pytest.mark.parametrize("mode", ["extend", "retake"])
def test_a_wired_video_is_refused_with_the_fix(mode):
    with pytest.raises(MediaError, match="choose the video file on the node"):
        fit(mode, {})


def test_retake_keeps_the_source_length_and_sets_the_ranges():
    geometry, _, p = fit("retake", source(), start=0.5, end=1.2)
    assert geometry.frames == 17 and geometry.fps == 8
    assert p == {"retake_video_from": 0.5, "retake_video_to": 1.2, "retake_audio_from": 0.5, "retake_audio_to": 1.2}


@pytest.mark.parametrize("choice, video, audio", [("video only", (0.5, 1.2), (0.0, 0.0)),
                                                  ("audio only", (0.0, 0.0), (0.5, 1.2))])
def test_retake_keeps_the_stream_not_chosen_with_an_empty_range(choice, video, audio):
    _, _, p = fit("retake", source(), start=0.5, end=1.2, regenerate=choice)
    assert (p["retake_video_from"], p["retake_video_to"]) == video
    assert (p["retake_audio_from"], p["retake_audio_to"]) == audio


def test_retake_cuts_the_source_to_8n_plus_1_and_says_so():
    geometry, _, _ = fit("retake", source(frames=20), start=0.5, end=1.0)
    assert geometry.frames == 17
    assert "20 → 17 source frames (8n+1; the last 3 are left out)" in geometry.changes


@pytest.mark.parametrize("start, end, words", [
    (1.0, 3.0, "the retake range 1–3 s is outside the clip, which is 2.12 s (17 frames at 8 fps)"),
    (1.0, 1.0, "the retake range 1–1 s is empty"),
])
def test_retake_range_outside_the_clip_is_refused(start, end, words):
    with pytest.raises(SettingsError, match=words.replace("(", r"\(").replace(")", r"\)")):
        fit("retake", source(), start=start, end=end)


def test_retake_source_longer_than_the_window_is_refused():
    with pytest.raises(SettingsError, match="at most 161 frames. Cut the source first"):
        fit("retake", source(frames=200))
