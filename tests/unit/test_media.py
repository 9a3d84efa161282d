"""Media inputs: where they come from, and how a file shapes the clip (padding, capping, errors)."""
import pytest
from ltx23_aio.nodes.media import MediaError, MediaInfo, shape_clip, sources
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.settings import resolve_geometry

FACTS = {
    "speech.wav": MediaInfo("audio", duration=2.0),
    "portrait.png": MediaInfo("image", width=160, height=96),
    "clip.mp4": MediaInfo("video", duration=1.5, fps=30.0, frames=45),
}


def probe(kind, name):
    if name not in FACTS:
        raise MediaError(f"the {kind} '{name}' is not in ComfyUI's input folder")
    return FACTS[name]


def test_sources_prefer_a_wired_socket_over_the_file():
    found, infos = sources(MODES["i2v"], {"image": "portrait.png", "image_input": ["4", 0]}, probe)
    assert found["image"].link == ("4", 0) and found["image"].file is None
    assert infos == {}


def test_sources_read_uploaded_files():
    found, infos = sources(MODES["lipsync"], {"image": "portrait.png", "audio": "speech.wav"}, probe)
    assert found["image"].loader == "LoadImage" and found["audio"].loader == "LoadAudio"
    assert infos["audio"].duration == 2.0


def test_missing_media_names_both_ways_to_give_it():
    with pytest.raises(MediaError) as e:
        sources(MODES["keyframe"], {"first_image": "portrait.png"}, probe)
    assert "last_image: no image chosen" in str(e.value) and "'last_image_input'" in str(e.value)


def test_a_file_gone_from_the_input_folder_is_reported():
    with pytest.raises(MediaError, match="'gone.png' is not in ComfyUI's input folder"):
        sources(MODES["i2v"], {"image": "gone.png"}, probe)


def shape(mode, values, duration, fps=24):
    values = {**values, "duration": duration}
    _, infos = sources(MODES[mode], values, probe)
    return shape_clip(MODES[mode], values, infos, resolve_geometry(128, 128, duration, fps))


def test_short_audio_is_padded_and_said_so():
    g, notes = shape("a2v", {"audio": "speech.wav", "audio_start": 1.5}, 1.0)
    assert g.frames == 25 and g.changes == ()
    assert notes == ("audio: 0.50 s after the start, padded with silence to the clip's 1.04 s",)


def test_long_enough_audio_needs_no_note():
    assert shape("a2v", {"audio": "speech.wav", "audio_start": 0.0}, 1.0)[1] == ()


def test_audio_start_past_the_end_is_an_error():
    with pytest.raises(MediaError, match="the start 2.5 s is past the end of 'speech.wav' \\(2.00 s\\)"):
        shape("a2v", {"audio": "speech.wav", "audio_start": 2.5}, 1.0)


def test_source_video_sets_the_frame_rate_and_caps_the_length():
    g, _ = shape("style", {"video": "clip.mp4", "style_image": "portrait.png", "video_start": 0.0}, 5.0)
    assert (g.fps, g.frames) == (30, 41)  # 1.5 s at 30 fps = 45 frames → 8n+1 = 41
    assert "fps 24 → 30 (the source video's rate): 5 s = 153 frames" in g.changes
    assert any("→ 41 frames (the source video has 1.50 s after the start)" in c for c in g.changes)


def test_source_video_shorter_than_a_clip_is_an_error():
    with pytest.raises(MediaError, match="a clip needs at least 9 frames"):
        shape("style", {"video": "clip.mp4", "style_image": "portrait.png", "video_start": 1.3}, 1.0)


# A 4-second source at each rate, asked for 1 s (shorter than the source) and 10 s (longer), at the
# node's 24 fps: (source fps, asked s) -> (frames, fps, seconds made). The duration is counted in
# the source's frames (8n+1 nearest to s × fps + 1) and capped at what the source holds.
SHAPE_TABLE = [
    (12.5, 1.0, 17, 12.5, 1.36),
    (12.5, 10.0, 49, 12.5, 3.92),
    (24.0, 1.0, 25, 24.0, 1.0417),
    (24.0, 10.0, 89, 24.0, 3.7083),
    (30.0, 0.7, 25, 30.0, 0.8333),
    (30.0, 1.0, 33, 30.0, 1.1),
    (30.0, 10.0, 113, 30.0, 3.7667),
    (60.0, 1.0, 65, 60.0, 1.0833),
    (60.0, 10.0, 233, 60.0, 3.8833),
]


def shape_source(fps, duration, start=0.0):
    facts = {"src.mp4": MediaInfo("video", duration=4.0, fps=fps, frames=round(4.0 * fps)),
             "look.png": MediaInfo("image", width=64, height=64)}
    values = {"video": "src.mp4", "style_image": "look.png", "video_start": start, "duration": duration}
    _, infos = sources(MODES["style"], values, lambda kind, name: facts[name])
    return shape_clip(MODES["style"], values, infos, resolve_geometry(128, 128, duration, 24))


@pytest.mark.parametrize("src_fps, asked, frames, fps, seconds", SHAPE_TABLE)
def test_shape_clip_counts_the_duration_at_the_source_rate(src_fps, asked, frames, fps, seconds):
    g, _ = shape_source(src_fps, asked)
    assert (g.frames, g.fps, round(g.duration, 4)) == (frames, fps, seconds)


def test_shape_clip_keeps_a_fractional_rate_so_the_sound_does_not_drift():
    from ltx23_aio.nodes.plan import run_params
    g, _ = shape_source(12.5, 10.0)
    params = run_params(MODES["style"], MODES["style"].defaults, "p", g)
    # The picture lasts frames ÷ 12.5 s, and the source's sound is cut to exactly that.
    assert params["fps"] == 12.5 and params["clip_seconds"] == 49 / 12.5 == 3.92
    assert params["source_seconds"] == 50 / 12.5


def test_shape_clip_reports_the_rate_and_the_frames_it_used():
    g, _ = shape_source(30.0, 0.7)
    assert g.changes == ("fps 24 → 30 (the source video's rate): 0.7 s = 25 frames",)
    assert "25 frames at 30 fps (0.83 s)" in g.summary()


@pytest.mark.parametrize("src_fps", [120.0, 0.5])
def test_shape_clip_refuses_a_source_rate_outside_the_model_range(src_fps):
    with pytest.raises(MediaError, match=f"runs at {src_fps:g} fps; LTX-2.3 takes 1–60 fps.*ffmpeg"):
        shape_source(src_fps, 1.0)
