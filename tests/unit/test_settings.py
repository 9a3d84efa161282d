import pytest
from ltx23_aio.nodes.settings import SettingsError, check_prompt, frames_for, max_frames, resolve_geometry, snap_size


def test_snap_size_rounds_to_nearest_multiple_of_64():
    assert snap_size(720) == 704
    assert snap_size(1280) == 1280
    assert snap_size(736) == 768  # a tie rounds up
    assert snap_size(10) == 64


def test_frames_for_is_8n_plus_1_nearest_duration_times_fps():
    assert frames_for(5, 24) == 121  # 5 s · 24 + 1, already 8n+1
    assert frames_for(5, 25) == 129  # 126 → nearest 8n+1
    assert frames_for(0.1, 24) == 9  # never fewer than 9
    for duration in (0.5, 1, 2.3, 7.7):
        assert (frames_for(duration, 24) - 1) % 8 == 0


def test_resolve_geometry_reports_every_change():
    g = resolve_geometry(1280, 720, 5.0, 25)
    assert (g.width, g.height, g.frames, g.fps) == (1280, 704, 129, 25)
    assert (g.stage1_width, g.stage1_height) == (640, 352)
    assert any("1280×720 → 1280×704" in c for c in g.changes)
    assert any("129 frames" in c for c in g.changes)
    assert "1280×704" in g.summary() and "129 frames" in g.summary()


def test_resolve_geometry_valid_values_are_unchanged():
    g = resolve_geometry(768, 512, 5.0, 24)
    assert g.changes == ()
    assert g.duration == pytest.approx(121 / 24)


@pytest.mark.parametrize("args, words", [
    ((1280, 704, 20.0, 3), ["65 frames", "20 s at a time", "at most 57 frames (18.67 s)", "Shorten"]),
    ((32, 704, 5.0, 24), ["width 32", "64"]),
    ((1280, 9000, 5.0, 24), ["height 9000"]),
    ((1280, 704, 5.0, 0), ["fps 0"]),
    ((1280, 704, 0.0, 24), ["duration"]),
])
def test_resolve_geometry_rejects_out_of_range_values_with_the_fix(args, words):
    with pytest.raises(SettingsError) as e:
        resolve_geometry(*args)
    for word in words:
        assert word in str(e.value)


@pytest.mark.parametrize("fps, most", [(1, 17), (3, 57), (24, 481), (25, 497), (30, 601), (60, 1201)])
def test_a_clip_holds_the_models_20_second_window_at_any_fps(fps, most):
    assert max_frames(fps) == most and (most - 1) / fps <= 20
    assert resolve_geometry(64, 64, (most - 1) / fps, fps).frames == most
    with pytest.raises(SettingsError, match=f"at most {most} frames"):
        resolve_geometry(64, 64, (most + 7) / fps, fps)  # the next 8n+1


def test_check_prompt_rejects_blank():
    with pytest.raises(SettingsError, match="prompt is empty"):
        check_prompt("  \n ")
    assert check_prompt(" a cat ") == "a cat"
