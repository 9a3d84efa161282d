"""Extend and Retake end to end on a real ComfyUI with tiny LTX-2.3 files and a real source clip.

Random weights make pixels meaningless, so what is checked is what the modes promise: which
frames and samples are copied or kept, which latent steps stay exactly the source's, lengths,
and the errors at queue time.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid

import av
import numpy as np
import pytest
import torch
import torchaudio
from harness import ROOT, TINY_SET, flush_cache, output_file, write_media
from ltx23_aio.model_store.sets import parse_model_set
from ltx23_aio.nodes.media import MediaInfo, sources
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.plan import run_params
from ltx23_aio.nodes.settings import resolve_geometry
from ltx23_aio.nodes.source_clip import fit_to_source
from ltx23_aio.nodes.time_mask import audio_spans, in_range, video_spans
from ltx23_aio.nodes.workflow import build, load_presets, load_workflow
from media import probe
from PIL import Image
from taps import tap, tapped
from test_t2v import rejected

TINY = parse_model_set(TINY_SET, "tiny_model_set.json")
FPS, FRAMES, SIZE, RATE = 8, 17, 128, 48000  # the source: 17 frames at 8 fps (2.125 s), 128×128, 48 kHz
SOURCE = MediaInfo("video", duration=FRAMES / FPS, fps=FPS, frames=FRAMES, width=SIZE, height=SIZE)
LATENTS_PER_SECOND = 16000 / 160 / 4  # the tiny audio VAE's rate (tests/tiny_models.py), as the real one
BASE = {"prompt": "the shapes keep moving, a hum", "negative_prompt": "blurry", "width": 1280, "height": 704,
        "duration": 1.0, "fps": 24, "seed": 5, "preset": "Fast", "models": "tiny", "video": "clip.mp4"}


def write_source(path) -> None:
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = SIZE, SIZE, "yuv420p"
        audio = out.add_stream("aac", rate=RATE, layout="stereo")
        for i in range(FRAMES):
            x = np.zeros((SIZE, SIZE, 3), np.uint8)
            x[:, (i * 7) % SIZE:(i * 7) % SIZE + 20] = 255
            x[(i * 5) % SIZE:(i * 5) % SIZE + 12, :, 1] = 180
            for packet in video.encode(av.VideoFrame.from_ndarray(x, format="rgb24")):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        t = np.arange(int(FRAMES / FPS * RATE)) / RATE
        sound = np.repeat((0.3 * np.sin(2 * np.pi * 330 * t))[None], 2, axis=0).astype(np.float32)
        for start in range(0, sound.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(sound[:, start:start + 1024]), format="fltp",
                                               layout="stereo")
            frame.sample_rate = RATE
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode(None):
            out.mux(packet)


@pytest.fixture(scope="module", autouse=True)
def media_files(server):
    write_media(server.base / "input")  # broken.mp4 among them
    write_source(server.base / "input" / "clip.mp4")
    with av.open(str(server.base / "input" / "clip.mp4")) as c:
        assert c.streams.video[0].frames == FRAMES


def values(mode: str, **overrides) -> dict:
    return {**MODES[mode].defaults, **BASE, "filename_prefix": f"{mode}/{uuid.uuid4().hex[:8]}", **overrides}


def node(mode: str, **overrides) -> dict:
    return {"10": {"class_type": MODES[mode].node_id, "inputs": values(mode, **overrides)}}


def expansion(mode_id: str, v: dict, preset: str = "Fast") -> tuple[dict, dict]:
    """The graph the node expands to for the source above, and its params."""
    mode = MODES[mode_id]
    media, _ = sources(mode, v, lambda kind, name: SOURCE)
    geometry, _, own = fit_to_source(mode, v, {"video": SOURCE},
                                     resolve_geometry(v["width"], v["height"], v["duration"], v["fps"]))
    params = run_params(mode, v, v["prompt"], geometry, own)
    return build(load_workflow(mode_id), load_presets(mode_id)[preset], params, TINY, media).graph, params


def run_ok(server, prompt):
    result = server.run(prompt)
    assert result.status == "success", json.dumps(result.error, indent=1)[:3000]
    return result


def save_images(graph: dict, name: str, link: list) -> None:
    graph[f"tap_{name}"] = {"class_type": "SaveImage", "inputs": {"images": link, "filename_prefix": f"taps/{name}"}}


def saved_images(server, result, name: str) -> np.ndarray:
    return np.stack([np.asarray(Image.open(server.base / "output" / i["subfolder"] / i["filename"]))
                     for i in result.history["outputs"][f"tap_{name}"]["images"]])


def save_audio(graph: dict, name: str, link: list) -> None:
    graph[f"tap_{name}"] = {"class_type": "SaveAudio", "inputs": {"audio": link, "filename_prefix": f"taps/{name}"}}


def saved_audio(server, result, name: str) -> tuple[np.ndarray, int]:
    a = result.history["outputs"][f"tap_{name}"]["audio"][0]
    media = probe(server.base / "output" / a["subfolder"] / a["filename"])  # FLAC: lossless at 16 bits
    return media.audio, media.audio_rate


def kept_steps(before: torch.Tensor, after: torch.Tensor) -> list[bool]:
    return [torch.equal(before[:, :, i], after[:, :, i]) for i in range(before.shape[2])]


def test_both_modes_and_the_time_mask_node_are_registered(server):
    info = server.get("/object_info")
    for mode in ("extend", "retake"):
        spec = info[MODES[mode].node_id]["input"]
        assert spec["optional"]["video"][1]["video_upload"] is True and spec["optional"]["video_input"][0] == "VIDEO"
    assert info["LTX23AIO_LatentTimeMask"]["category"] == "LTX2.3 AIO/latent"


# --- Extend --------------------------------------------------------------------------------------

@pytest.mark.parametrize("preset", ["Fast", "Balanced", "Quality"])
def test_extend_outputs_the_source_followed_by_the_added_frames(server, preset):
    result = run_ok(server, node("extend", preset=preset))  # 1 s at the source's 8 fps: 8 new frames
    media = probe(output_file(server, result))
    assert media.frames.shape == (FRAMES + 8, SIZE, SIZE, 3)
    assert media.video_streams[0]["rate"] == FPS
    assert media.audio_duration == pytest.approx((FRAMES + 8) / FPS, abs=0.03)  # one AAC frame
    assert any("output: 25 frames (17 from the source + 8 new)" in text for _, text in result.node_texts)


def test_extend_can_output_the_continuation_alone(server):
    media = probe(output_file(server, run_ok(server, node("extend", output="continuation only"))))
    assert media.frames.shape[0] == 8
    assert media.audio_duration == pytest.approx(8 / FPS, abs=0.03)


def test_extend_copies_the_source_frames_through_unchanged(server):
    graph, p = expansion("extend", values("extend"))
    save_images(graph, "output", ["output_frames", 0])
    graph["direct_load"] = {"class_type": "LoadVideo", "inputs": {"file": "clip.mp4"}}
    graph["direct_parts"] = {"class_type": "GetVideoComponents", "inputs": {"video": ["direct_load", 0]}}
    save_images(graph, "source", ["direct_parts", 0])
    save_images(graph, "decoded", ["decode", 0])
    # Beyond 8-bit PNGs: the float frames, through the same deterministic encoder, give equal latents.
    graph["output_head"] = {"class_type": "ImageFromBatch", "inputs": {
        "image": ["output_frames", 0], "batch_index": 0, "length": FRAMES}}
    vae = graph["stage1_context"]["inputs"]["vae"]
    for name, link in (("output_head", ["output_head", 0]), ("source_direct", ["direct_parts", 0])):
        graph[f"encode_{name}"] = {"class_type": "VAEEncode", "inputs": {"pixels": link, "vae": vae}}
        tap(graph, name, [f"encode_{name}", 0])
    result = run_ok(server, graph)
    assert torch.equal(tapped(server, result, "output_head"), tapped(server, result, "source_direct"))
    output, source = saved_images(server, result, "output"), saved_images(server, result, "source")
    decoded = saved_images(server, result, "decoded")
    assert output.shape[0] == FRAMES + 8 and source.shape[0] == FRAMES
    assert np.array_equal(output[:FRAMES], source)  # the core loader's frames, as they are
    assert np.array_equal(output[FRAMES:], decoded[p["context_frames"]:])  # then the frames after the context
    assert decoded.shape[0] == p["context_frames"] + 8


def test_extend_context_stays_frozen_in_both_stages_and_the_rest_is_sampled(server):
    graph, p = expansion("extend", values("extend"))
    tap(graph, "context", ["stage1_context", 0])
    tap(graph, "stage1", ["stage1_split", 0])
    tap(graph, "context_full", ["stage2_context", 0])
    tap(graph, "stage2", ["stage2_split", 0])
    tap(graph, "audio", ["audio_latent", 0])
    tap(graph, "audio1", ["stage1_split", 1])
    tap(graph, "audio2", ["stage2_split", 1])
    result = run_ok(server, graph)
    context_latent_frames = (p["context_frames"] - 1) // 8 + 1  # 9 frames: 2 latent frames of 3
    assert kept_steps(tapped(server, result, "context"), tapped(server, result, "stage1")) == \
        [True] * context_latent_frames + [False]
    assert kept_steps(tapped(server, result, "context_full"), tapped(server, result, "stage2")) == \
        [True] * context_latent_frames + [False]
    audio = tapped(server, result, "audio")
    expected = [not bool(m) for m in in_range(audio_spans(audio.shape[2], LATENTS_PER_SECOND),
                                              p["context_length"], p["clip_seconds"])]
    assert expected[0] and not expected[-1]
    assert kept_steps(audio, tapped(server, result, "audio1")) == expected
    assert kept_steps(audio, tapped(server, result, "audio2")) == expected


def test_extend_audio_is_the_source_then_the_continuation_with_no_gap_or_overlap(server):
    graph, p = expansion("extend", values("extend"))
    for name in ("source_audio", "continuation_audio", "joined_audio"):
        save_audio(graph, name, [name, 0])
    save_audio(graph, "decoded", ["decode_audio", 0])
    result = run_ok(server, graph)
    source, rate = saved_audio(server, result, "source_audio")
    added, added_rate = saved_audio(server, result, "continuation_audio")
    joined, joined_rate = saved_audio(server, result, "joined_audio")
    decoded, decoded_rate = saved_audio(server, result, "decoded")
    assert rate == joined_rate == RATE
    assert source.shape[1] == round(FRAMES / FPS * RATE)  # the source's length to the sample
    assert added.shape[1] == round(8 / FPS * added_rate)
    added = torchaudio.functional.resample(torch.from_numpy(added), added_rate, RATE).numpy()
    assert joined.shape[1] == source.shape[1] + added.shape[1]  # no gap, nothing doubled
    assert np.array_equal(joined[:, :source.shape[1]], source)
    assert np.allclose(joined[:, source.shape[1]:], added, atol=1e-4)  # 16-bit FLAC taps
    # The continuation is the decoded audio from where the source ends; the audio VAE decodes a
    # little less than the clip (tiny files: 75 ms), and that end is padded with silence.
    start = round(p["context_length"] * decoded_rate)
    continuation = saved_audio(server, result, "continuation_audio")[0]
    tail = decoded[:, start:]
    assert 0 < continuation.shape[1] - tail.shape[1] <= 0.1 * decoded_rate
    assert np.allclose(continuation[:, :tail.shape[1]], tail, atol=1e-4)
    assert not continuation[:, tail.shape[1]:].any()


# --- Retake --------------------------------------------------------------------------------------

@pytest.mark.parametrize("preset", ["Fast", "Balanced", "Quality"])
def test_retake_output_has_the_sources_length(server, preset):
    media = probe(output_file(server, run_ok(server, node("retake", preset=preset, start=0.5, end=1.2))))
    assert media.frames.shape == (FRAMES, SIZE, SIZE, 3)
    assert media.video_streams[0]["rate"] == FPS
    # All of it is decoded, and the audio VAE decodes a little less than the clip (tiny files: 56 ms).
    assert media.audio_duration == pytest.approx(FRAMES / FPS, abs=0.08)


@pytest.mark.parametrize("regenerate, streams", [("video and audio", {"video", "audio"}),
                                                 ("video only", {"video"}), ("audio only", {"audio"})])
def test_retake_keeps_the_encoded_source_outside_the_range_exactly(server, regenerate, streams):
    start, end = 0.5, 1.2
    graph, _ = expansion("retake", values("retake", start=start, end=end, regenerate=regenerate))
    tap(graph, "video", ["video_latent", 0])
    tap(graph, "audio", ["audio_latent", 0])
    tap(graph, "video_out", ["pass1_split", 0])
    tap(graph, "audio_out", ["pass1_split", 1])
    result = run_ok(server, graph)
    video, audio = tapped(server, result, "video"), tapped(server, result, "audio")
    spans = {"video": video_spans(video.shape[2], FPS), "audio": audio_spans(audio.shape[2], LATENTS_PER_SECOND)}
    for stream, before in (("video", video), ("audio", audio)):
        inside = in_range(spans[stream], start, end).bool().tolist() if stream in streams else [False] * before.shape[2]
        assert kept_steps(before, tapped(server, result, f"{stream}_out")) == [not i for i in inside], stream
        assert any(inside) == (stream in streams)
    assert video.shape[2] == (FRAMES - 1) // 8 + 1


# --- bad input is refused before anything runs -------------------------------------------------

@pytest.mark.parametrize("mode, change, words", [
    ("retake", {"start": 1.0, "end": 3.0}, ["the retake range 1–3 s is outside the clip, which is 2.12 s"]),
    ("retake", {"start": 1.5, "end": 1.0}, ["the retake range 1.5–1 s is empty"]),
    ("retake", {"video": "broken.mp4"}, ["the video ‘broken.mp4’ cannot be read"]),
    ("extend", {"video": "broken.mp4"}, ["the video ‘broken.mp4’ cannot be read"]),
    ("extend", {"video": "short.mp4"}, ["‘short.mp4’ is too short (5 frames", "at least 9 frames"]),
    ("extend", {"duration": 19.5}, ["at most 161 frames, so with this context at most 152 new frames"]),
    ("extend", {"video_input": ["5", 0]}, ["choose the video file on the node"]),
])
def test_bad_input_is_refused_at_queue_time(server, mode, change, words):
    if change.get("video") == "short.mp4":
        with av.open(str(server.base / "input" / "short.mp4"), "w") as out:
            s = out.add_stream("libx264", rate=FPS)
            s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
            for _ in range(5):
                for packet in s.encode(av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")):
                    out.mux(packet)
            for packet in s.encode(None):
                out.mux(packet)
    prompt = node(mode, **change)
    if "video_input" in change:
        prompt["5"] = {"class_type": "LoadVideo", "inputs": {"file": "clip.mp4"}}
    text = rejected(server, prompt)
    for word in words:
        assert word in text


# --- the same graph from the export command and as editable nodes ------------------------------

@pytest.mark.parametrize("mode, own", [("extend", {"duration": 1.0}), ("retake", {"start": 0.5, "end": 1.2})])
def test_exported_graph_gives_the_nodes_frames_and_audio(server, mode, own):
    typed = values(mode, seed=61, **own)
    made = run_ok(server, {"10": {"class_type": MODES[mode].node_id, "inputs": typed}})
    args = [sys.executable, str(ROOT), "export", "--mode", mode, "--base-directory", str(server.base),
            "--comfyui", str(server.comfyui)]
    for name, value in {**typed, "filename_prefix": f"export/{mode}"}.items():
        args += [f"--{name}", str(value)]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    graph = json.loads(done.stdout)
    assert "LTX23AIO_LatentTimeMask" in {n["class_type"] for n in graph.values()}  # the pack's one node
    flush_cache(server)
    again = run_ok(server, graph)
    a, b = probe(output_file(server, made)), probe(output_file(server, again))
    assert a.frames.shape[0] == (FRAMES + 8 if mode == "extend" else FRAMES)
    assert np.array_equal(a.frames, b.frames) and np.array_equal(a.audio, b.audio)


def test_wired_range_is_not_checked_against_the_default_at_queue_time(server):
    # The source is 2.12 s: the default range 1–2 s fits, but a wired end is only known when it runs.
    prompt = node("retake", start=0.25, end=["5", 0])
    prompt["5"] = {"class_type": "PrimitiveFloat", "inputs": {"value": 0.75}}
    media = probe(output_file(server, run_ok(server, prompt)))
    assert media.frames.shape[0] == FRAMES
    prompt["5"]["inputs"]["value"] = 9.0  # outside the clip: refused when the node runs, before sampling
    result = server.run(prompt)
    assert result.status == "error" and "outside the clip" in json.dumps(result.error, ensure_ascii=False)


@pytest.mark.parametrize("mode, own, frames", [("extend", {"duration": 0.35}, 132 + 8),
                                               ("retake", {"start": 1.0, "end": 2.0}, 129)])
def test_the_examples_source_runs_resized_to_its_snapped_size(server, mode, own, frames):
    # The example's clip: 480×264 at 24 fps, 5.5 s (132 frames), 44.1 kHz sound.
    shutil.copy(ROOT / "example_workflows" / "media" / "ltx23_aio_shapes.mp4", server.base / "input")
    result = run_ok(server, node(mode, video="ltx23_aio_shapes.mp4", **own))
    media = probe(output_file(server, result))
    assert media.frames.shape == (frames, 256, 512, 3)
    assert media.video_streams[0]["rate"] == 24
    assert any("size 512×256 (the source video's 480×264, snapped to multiples of 64)" in text
               for _, text in result.node_texts)


@pytest.mark.parametrize("mode", ["extend", "retake"])
def test_a_source_without_sound_is_taken_as_silence(server, mode):
    with av.open(str(server.base / "input" / "silent.mp4"), "w") as out:
        s = out.add_stream("libx264", rate=FPS)
        s.width, s.height, s.pix_fmt = SIZE, SIZE, "yuv420p"
        for i in range(FRAMES):
            x = np.full((SIZE, SIZE, 3), i * 12, np.uint8)
            for packet in s.encode(av.VideoFrame.from_ndarray(x, format="rgb24")):
                out.mux(packet)
        for packet in s.encode(None):
            out.mux(packet)
    media = probe(output_file(server, run_ok(server, node(mode, video="silent.mp4", start=0.5, end=1.2))))
    assert media.frames.shape[0] == (FRAMES + 8 if mode == "extend" else FRAMES)
    assert [s["codec"] for s in media.audio_streams] == ["aac"]
    if mode == "extend":
        assert not media.audio[:, :int(FRAMES / FPS * media.audio_rate) - 2048].any()  # the source part: silence
