"""Dub video and Text → Audio end to end on a real ComfyUI with tiny LTX-2.3 files and real media.

The DubIt IC-LoRA cannot exist here: the tiny set names the tiny IC-LoRA file for its role
(tests/host/tiny_model_set.json). Random weights make pixels and sound meaningless, so what is
checked is the plumbing: frame counts, the audio that comes out, sample by sample, and latents.
"""
from __future__ import annotations

import uuid

import av
import numpy as np
import pytest
import torch
from harness import output_file, write_media
from ltx23_aio.nodes.modes import MODES
from media import probe
from taps import expansion, tap, tapped
from test_media_modes import aligned_error, input_audio, run_ok
from test_t2v import rejected

DUB, T2A = MODES["dub"], MODES["t2a"]
BASE = {"prompt": "a woman says hello", "negative_prompt": "blurry", "seed": 3, "preset": "Fast", "models": "tiny"}


@pytest.fixture(scope="module", autouse=True)
def media_files(server):
    folder = server.base / "input"
    names = write_media(folder)
    with av.open(str(folder / "silent.mp4"), "w") as out:  # a source without sound
        video = out.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 64, 64, "yuv420p"
        for i in range(20):
            frame = np.full((64, 64, 3), i * 10, np.uint8)
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
    return names


def dub_values(**overrides) -> dict:
    # source.mp4: 36 frames at 24 fps with sound; speech.wav: 2.0 s mono at 44.1 kHz.
    return {**DUB.defaults, **BASE, "width": 128, "height": 128, "video": "source.mp4", "audio": "speech.wav",
            "filename_prefix": f"dub/{uuid.uuid4().hex[:8]}", **overrides}


def t2a_values(**overrides) -> dict:
    return {**T2A.defaults, **BASE, "filename_prefix": f"t2a/{uuid.uuid4().hex[:8]}", **overrides}


def with_flac(node_inputs: dict, node_class: str, output: int) -> dict:
    """The AIO node plus core SaveAudio (FLAC, lossless) on its AUDIO output."""
    return {"10": {"class_type": node_class, "inputs": node_inputs},
            "20": {"class_type": "SaveAudio", "inputs": {"audio": ["10", output],
                                                         "filename_prefix": f"flac/{uuid.uuid4().hex[:8]}"}}}


def saved_audio(server, result, node: str | None = None) -> tuple[np.ndarray, int]:
    entries = result.history["outputs"][node]["audio"] if node else result.outputs_of("audio")
    assert len(entries) == 1, result.history.get("outputs")
    media = probe(server.base / "output" / entries[0]["subfolder"] / entries[0]["filename"])
    return media.audio, media.audio_rate


# --- Dub video -----------------------------------------------------------------------------------

def test_dub_keeps_the_sources_frame_count_and_the_new_audio_sample_exact(server):
    result = run_ok(server, with_flac(dub_values(audio_start=0.3), DUB.node_id, 2))
    video = probe(output_file(server, result))
    assert video.frames.shape == (33, 128, 128, 3)  # the source's 36 frames, rounded down to 8n+1
    assert video.video_streams[0]["rate"] == 24
    assert any("33 frames: the source's 36, rounded down to 8n+1" in text for _, text in result.node_texts)

    # The AUDIO output, saved losslessly, is the new audio's samples from 0.3 s for 33/24 s, exactly.
    audio, rate = saved_audio(server, result, "20")
    source = probe(server.base / "input" / "speech.wav")
    start, count = round(0.3 * source.audio_rate), round(33 / 24 * source.audio_rate)
    assert rate == source.audio_rate and audio.shape[1] == count
    for channel in audio:
        assert np.array_equal(channel, source.audio[0, start:start + count])

    # The mp4 carries the same audio (AAC: equal within the codec's tolerance), as long as the clip.
    ref, _ = input_audio(server, "speech.wav", 0.3, 33 / 24)
    assert video.audio_rate == rate and video.audio_duration == pytest.approx(33 / 24, abs=0.05)
    assert aligned_error(video.audio, ref) < 0.1


def test_dub_freezes_the_new_audio_and_crops_the_source_guides_in_both_stages(server):
    graph = expansion("dub", {**dub_values(), "duration": 0.67})  # no probe here: the node's 17 frames
    tap(graph, "encoded", ["audio_latent", 0])
    tap(graph, "after_stage1", ["stage1_split", 1])
    tap(graph, "after_stage2", ["stage2_split", 1])
    tap(graph, "guided", ["stage1_guide", 2])
    tap(graph, "cropped", ["stage1_crop", 2])
    tap(graph, "refined", ["stage2_crop", 2])
    result = run_ok(server, graph)
    encoded = tapped(server, result, "encoded")
    # Frozen to float32 rounding (measured ≤ 1.2e-7; sampled audio latents differ by O(1)). The mp4 and
    # the AUDIO output carry the waveform itself, not this latent decoded.
    assert torch.allclose(encoded, tapped(server, result, "after_stage1"), rtol=0, atol=1e-6)
    assert torch.allclose(encoded, tapped(server, result, "after_stage2"), rtol=0, atol=1e-6)
    assert tapped(server, result, "guided").shape[2] == 3 + 3  # the source's 17 frames as a guide
    assert tapped(server, result, "cropped").shape[2] == 3
    assert tapped(server, result, "refined").shape[2] == 3


def test_dub_source_voice_reaches_the_model_as_reference_tokens(server):
    plain = expansion("dub", {**dub_values(), "duration": 0.67})
    tap(plain, "sampled", ["stage1_split", 0])
    without = expansion("dub", {**dub_values(), "duration": 0.67})
    tap(without, "sampled", ["stage1_split", 0])
    # The same graph with the stage-1 guider fed the guide's conditioning, without the source's voice.
    without["stage1_guider"]["inputs"].update(positive=["stage1_guide", 0], negative=["stage1_guide", 1])
    a = tapped(server, run_ok(server, plain), "sampled")
    b = tapped(server, run_ok(server, without), "sampled")
    assert a.shape == b.shape and not torch.equal(a, b)


def test_dub_wired_audio_shorter_than_the_clip_is_padded_with_silence(server):
    prompt = {"5": {"class_type": "LoadAudio", "inputs": {"audio": "short.wav"}},
              "10": {"class_type": DUB.node_id, "inputs": {**dub_values(), "audio_input": ["5", 0]}}}
    media = probe(output_file(server, run_ok(server, prompt)))
    assert media.frames.shape[0] == 33
    assert media.audio_duration == pytest.approx(33 / 24, abs=0.05)
    assert np.abs(media.audio[:, int(0.4 * media.audio_rate):int(1.2 * media.audio_rate)]).max() < 0.01


@pytest.mark.parametrize("change, words", [
    ({"audio": "short.wav"}, ["only 0.20 s of ‘short.wav’ after the start", "source clip is 1.38 s (33 frames at 24 fps)",
                              "must cover the clip"]),
    ({"audio_start": 1.0}, ["only 1.00 s of ‘speech.wav’ after the start"]),
    ({"video": "silent.mp4"}, ["‘silent.mp4’ has no sound", "voice as the reference"]),
    ({"video": "broken.mp4"}, ["the video ‘broken.mp4’ cannot be read"]),
    ({"video": "gone.mp4"}, ["the video ‘gone.mp4’ is not in ComfyUI’s input folder"]),
    ({"audio": None}, ["audio: no audio chosen", "‘audio_input’"]),
])
def test_dub_bad_input_is_rejected_at_queue_time(server, change, words):
    inputs = {k: v for k, v in dub_values(**change).items() if v is not None}
    text = rejected(server, {"10": {"class_type": DUB.node_id, "inputs": inputs}})
    for word in words:
        assert word in text


# --- Text → Audio --------------------------------------------------------------------------------

@pytest.mark.parametrize("duration, preset", [(0.5, "Fast"), (1.3, "Fast"), (0.7, "Balanced")])
def test_t2a_writes_audio_of_the_asked_duration(server, duration, preset):
    result = run_ok(server, with_flac(t2a_values(duration=duration, preset=preset), T2A.node_id, 0))
    saved, rate = saved_audio(server, result, next(k for k in result.history["outputs"] if k.endswith(".save")))
    chained, chained_rate = saved_audio(server, result, "20")  # the AUDIO output, for chaining
    assert result.outputs_of("images") == []  # no video
    assert rate == chained_rate and saved.shape[1] == round(duration * rate)
    assert np.array_equal(saved, chained)
    assert np.abs(saved).max() > 0  # generated sound, not the silence it is padded with
    assert any(f"{duration:.2f} s of audio" in text for _, text in result.node_texts)


def test_t2a_audio_only_model_ignores_the_placeholder_video(server):
    def sampled(picture: str, patched: bool):
        graph = expansion("t2a", t2a_values(duration=0.5))
        # Give the placeholder content (a picture's latent, kept unnoised) without changing its shape,
        # which would change the noise drawn for the audio too.
        graph["picture"] = {"class_type": "LoadImage", "inputs": {"image": picture}}
        graph["placeholder_content"] = {"class_type": "LTXVImgToVideoInplace", "inputs": {
            "vae": ["load_checkpoint", 2], "image": ["picture", 0], "latent": ["placeholder_video", 0],
            "strength": 1.0, "bypass": False}}
        graph["pass1_latent"]["inputs"]["video_latent"] = ["placeholder_content", 0]
        if not patched:
            graph["pass1_guider"]["inputs"]["model"] = ["distilled_model", 0]
        tap(graph, "audio", ["pass1_split", 1])
        return tapped(server, run_ok(server, graph), "audio")
    # Audio-only: the audio does not depend on the video latent beside it; without the patch it does.
    assert torch.equal(sampled("first.png", True), sampled("last.png", True))
    assert not torch.equal(sampled("first.png", False), sampled("last.png", False))


def test_t2a_node_has_no_size_or_frame_rate_and_one_audio_output(server):
    info = server.get(f"/object_info/{T2A.node_id}")[T2A.node_id]
    names = {**info["input"]["required"], **info["input"].get("optional", {})}
    assert {"prompt", "duration", "seed", "preset"} <= set(names)
    assert not {"width", "height", "fps"} & set(names)
    assert info["output"] == ["AUDIO", "STRING"] and info["output_name"] == ["audio", "prompt"]
    assert names["preset"][1]["options"] == ["Fast", "Balanced"]


def test_t2a_is_planned_at_queue_time_without_size_inputs(server):
    # The node sends no width, height or fps: the plan's checks still run before anything loads.
    text = rejected(server, {"10": {"class_type": T2A.node_id, "inputs": t2a_values(prompt="  ")}})
    assert "prompt is empty" in text
    text = rejected(server, {"10": {"class_type": T2A.node_id, "inputs": t2a_values(models="nope")}})
    assert "nope" in text


# --- the export command's graph (what "Open as editable nodes" and servers use) ---------------------

@pytest.mark.parametrize("mode", ["dub", "t2a"])
def test_exported_graph_makes_what_the_node_makes(server, mode):
    from harness import flush_cache
    from test_export_graph import exported

    own = dub_values(seed=61) if mode == "dub" else t2a_values(seed=61, duration=0.6)
    own = {k: v for k, v in own.items() if k not in MODES[mode].fixed}
    made = run_ok(server, {"10": {"class_type": MODES[mode].node_id, "inputs": own}})
    graph = exported(server, mode, {**own, "filename_prefix": f"export/{mode}"})
    assert MODES[mode].node_id not in {n["class_type"] for n in graph.values()}
    flush_cache(server)
    again = run_ok(server, graph)
    assert {"load_checkpoint", "stage1_sample" if mode == "dub" else "pass1_sample"} <= set(again.executed)
    if mode == "dub":
        a, b = probe(output_file(server, made)), probe(output_file(server, again))
        assert a.frames.shape[0] == 33 and np.array_equal(a.frames, b.frames)
        assert np.array_equal(a.audio, b.audio)
    else:
        assert np.array_equal(saved_audio(server, made)[0], saved_audio(server, again)[0])
