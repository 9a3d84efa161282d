import pytest
from ltx23_aio.nodes.settings import (
    LONG_SECONDS,
    SettingsError,
    check_prompt,
    frames_for,
    max_frames,
    resolve_geometry,
    snap_size,
    window_frames,
    window_overlap_frames,
)


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


# --- clips longer than the window ------------------------------------------------------------

@pytest.mark.parametrize("fps, most", [(1, 57), (3, 177), (8, 481), (24, 1441), (25, 1497)])
def test_a_long_clip_mode_goes_to_60_seconds_and_refuses_the_next_frame_count(fps, most):
    assert max_frames(fps, LONG_SECONDS) == most and (most - 1) / fps <= LONG_SECONDS
    assert resolve_geometry(64, 64, (most - 1) / fps, fps, LONG_SECONDS).frames == most
    with pytest.raises(SettingsError) as e:
        resolve_geometry(64, 64, (most + 7) / fps, fps, LONG_SECONDS)
    assert f"needs {most + 8} frames" in str(e.value)
    assert f"clips of up to {LONG_SECONDS} s" in str(e.value) and f"at most {most} frames" in str(e.value)


def test_a_clip_inside_the_window_is_one_window_of_all_its_frames():
    assert resolve_geometry(64, 64, 20.0, 24, LONG_SECONDS).windows == ((0, 480),)
    assert "windows" not in resolve_geometry(64, 64, 20.0, 24, LONG_SECONDS).summary()


@pytest.mark.parametrize("duration, fps, windows", [
    (21.0, 24, ((0, 472), (25, 504))),
    (40.0, 24, ((0, 472), (377, 856), (481, 960))),
    (60.0, 24, ((0, 472), (377, 856), (761, 1240), (961, 1440))),
    (40.0, 2, ((0, 32), (25, 64), (41, 80))),
])
def test_long_clip_windows_cover_every_frame_and_overlap(duration, fps, windows):
    g = resolve_geometry(64, 64, duration, fps, LONG_SECONDS)
    assert g.windows == windows
    assert windows[0][0] == 0 and windows[-1][1] == g.frames - 1
    for (_, end), (start, _) in zip(windows, windows[1:]):
        assert start <= end - 7  # at least one latent frame shared
    assert f"in {len(windows)} windows of {window_frames(fps)} frames" in g.summary()


@pytest.mark.parametrize("fps", [1, 2, 3, 8, 24, 25, 30, 60])
def test_a_window_and_the_frame_core_puts_before_it_fit_the_models_20_seconds(fps):
    assert (window_frames(fps) - 1) % 8 == 0
    assert window_frames(fps) + 8 <= max_frames(fps)
    overlap = window_overlap_frames(fps)
    assert overlap % 8 == 0 and 8 <= overlap <= (window_frames(fps) - 1) // 2 + 8


def test_step_memory_is_comfyuis_estimate_for_one_window():
    one = resolve_geometry(1280, 704, 20.0, 24, LONG_SECONDS)
    long = resolve_geometry(1280, 704, 60.0, 24, LONG_SECONDS)
    assert one.step_memory_gb() == pytest.approx(
        2 * 128 * (40 * 22 * 61 + 25 * 481 / 24) * 2 * 0.01 * 0.077 / 1024)
    assert long.step_memory_gb() < one.step_memory_gb()  # a window of 473 frames, not 1441
    assert resolve_geometry(640, 352, 20.0, 24).step_memory_gb() < one.step_memory_gb() / 3
