"""Clips longer than the model's 20-second window (issue 10): Text, Image and Audio → Video and
Lipsync sample several overlapping windows with core LTXVContextWindows, on a real ComfyUI with
tiny LTX-2.3 files at 2 fps and 64×64 so that a 40-second, three-window clip takes seconds.

At 2 fps one window is 33 frames (5 latent frames); 40 s = 81 frames = 11 latent frames, laid out
by core's static schedule as latent frames 0–4, 4–8 and 6–10.
"""
from __future__ import annotations

import uuid

import numpy as np
import pytest
import torch
from harness import output_file
from ltx23_aio.nodes.modes import MODES
from media import probe
from taps import expansion, tap, tapped
from test_t2v import rejected

LONG = {"prompt": "a lighthouse keeper talks through a storm, rain on glass", "negative_prompt": "blurry",
        "width": 64, "height": 64, "duration": 40.0, "fps": 2, "seed": 4, "preset": "Fast", "models": "tiny"}
FRAMES = 81  # 40 s at 2 fps, 8n+1
WINDOWS = [[0, 32], [25, 64], [41, 80]]
CORE_LOG = ["Context window 1/3: frames 0-4 of 11", "Context window 2/3: frames 4-8 of 11",
            "Context window 3/3: frames 6-10 of 11"]
MEDIA = {"t2v": {}, "i2v": {"image": "portrait.png"}, "a2v": {"audio": "long.wav", "audio_start": 1.5},
         "lipsync": {"image": "portrait.png", "audio": "long.wav", "audio_start": 1.5}}
RATE = 44100


@pytest.fixture(scope="module", autouse=True)
def long_audio(server):
    """45 s of a mono 16-bit tone whose pitch rises, so that any shifted, repeated or dropped span
    shows in a sample-by-sample comparison."""
    from harness import write_media
    write_media(server.base / "input")
    import av
    t = np.arange(45 * RATE) / RATE
    wave = (0.3 * np.sin(2 * np.pi * (200 + 4 * t) * t) * 32767).astype(np.int16)
    with av.open(str(server.base / "input" / "long.wav"), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=RATE, layout="mono")
        frame = av.AudioFrame.from_ndarray(wave.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return wave


def node(mode: str, **overrides) -> dict:
    inputs = {**MODES[mode].defaults, **LONG, **MEDIA[mode], "filename_prefix": f"long/{uuid.uuid4().hex[:8]}"}
    return {"10": {"class_type": MODES[mode].node_id, "inputs": {**inputs, **overrides}}}


@pytest.mark.parametrize("mode", ["t2v", "i2v", "a2v", "lipsync"])
def test_a_three_window_clip_has_every_frame_its_audio_and_reports_its_windows(server, long_audio, mode):
    prompt = node(mode)
    keeps_audio = mode in ("a2v", "lipsync")
    if keeps_audio:  # the node's AUDIO output, saved losslessly
        prompt["20"] = {"class_type": "SaveAudio", "inputs": {"audio": ["10", 2], "filename_prefix": "long/audio"}}
    log_start = len(server.log_text())
    result = server.run(prompt)
    assert result.status == "success", result.error
    media = probe(output_file(server, result))
    assert media.frames.shape == (FRAMES, 64, 64, 3)
    assert media.audio_duration == pytest.approx(FRAMES / 2, abs=0.05)  # one piece of audio, no gap
    used = media.metadata["ltx23_aio"]["10"]
    assert (used["frames"], used["windows"]) == (FRAMES, WINDOWS)
    assert any("81 frames at 2 fps (40.50 s) in 3 windows of 33 frames (frames 0–32, 25–64, 41–80)" in text
               for node_id, text in result.node_texts if node_id == "10")
    log = server.log_text()[log_start:]
    for line in CORE_LOG:  # the windows core really sampled: each step of both stages (Fast: 8 + 3)
        assert log.count(line) == 8 + 3, line
    if keeps_audio:
        # The user's audio, sample for sample, over the whole 40.5 s: no window seam in it.
        [saved] = result.history["outputs"]["20"]["audio"]
        flac = probe(server.base / "output" / saved["subfolder"] / saved["filename"])
        start, length = round(1.5 * RATE), round(FRAMES / 2 * RATE)
        expected = long_audio[start:start + length].astype(np.float32) / 32768
        assert flac.audio_rate == RATE and flac.audio.shape[1] == length
        for channel in flac.audio:
            assert np.array_equal(channel, expected)


def test_in_windows_the_audio_latent_stays_frozen_and_the_image_stays_the_first_frame(server):
    """Lipsync at image strength 1 over two windows (25 s: latent frames 0–4 and 2–6), queued as the
    expansion with taps (so at 128×128: queued directly, stage 1 must be 64 wide): core slices
    the audio's noise mask and the image's into each window, so both hold as in one pass."""
    values = {**MODES["lipsync"].defaults, **LONG, **MEDIA["lipsync"], "duration": 25.0, "image_strength": 1.0, "width": 128, "height": 128,
              "filename_prefix": "long/taps"}
    graph = expansion("lipsync", values)
    assert graph["context_windows"]["inputs"]["retain_first_frame"] is True
    for name, link in (("encoded", ["audio_latent", 0]), ("audio1", ["stage1_split", 1]),
                       ("audio2", ["stage2_split", 1]), ("conditioned", ["stage1_image", 0]),
                       ("video1", ["stage1_split", 0])):
        tap(graph, name, link)
    result = server.run(graph)
    assert result.status == "success", result.error
    assert "Context window 2/2: frames 2-6 of 7" in server.log_text()
    encoded = tapped(server, result, "encoded")
    assert torch.equal(encoded, tapped(server, result, "audio1"))
    assert torch.equal(encoded, tapped(server, result, "audio2"))
    conditioned, sampled = tapped(server, result, "conditioned"), tapped(server, result, "video1")
    assert torch.equal(conditioned[:, :, :1], sampled[:, :, :1])  # the image's latent frame
    assert not torch.equal(conditioned[:, :, 1:], sampled[:, :, 1:])  # every other frame was sampled


def test_a_clip_over_60_seconds_is_refused_at_queue_time_naming_the_limit(server):
    text = rejected(server, node("t2v", duration=61.0, fps=8))
    for words in ("duration 61 s at 8 fps needs 489 frames", "clips of up to 60 s",
                  "at most 481 frames (60.00 s)", "Shorten the duration"):
        assert words in text


def test_the_duration_widget_goes_to_each_modes_own_limit(server):
    info = server.get("/object_info")
    for mode_id, most in {"t2v": 60.0, "i2v": 60.0, "a2v": 60.0, "lipsync": 60.0, "keyframe": 20.0,
                          "style": 20.0}.items():
        assert info[MODES[mode_id].node_id]["input"]["required"]["duration"][1]["max"] == most, mode_id
