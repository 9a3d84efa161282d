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
    assert "fps 24 → 30 (the source video's rate)" in g.changes
    assert any("→ 41 frames (the source video has 1.50 s after the start)" in c for c in g.changes)


def test_source_video_shorter_than_a_clip_is_an_error():
    with pytest.raises(MediaError, match="a clip needs at least 9 frames"):
        shape("style", {"video": "clip.mp4", "style_image": "portrait.png", "video_start": 1.3}, 1.0)
