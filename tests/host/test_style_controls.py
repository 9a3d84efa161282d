"""Style transfer on a real ComfyUI: depth and pose controls, a fractional source rate, the refining presets.

Depth (MoGe) and pose (SDPose) are not run here: no tiny stand-in of them runs on this CPU
tier. SDPose files are Stable-Diffusion checkpoints that ComfyUI recognises by their full UNet
layout, and MoGe, though ComfyUI builds it from whatever sizes a file holds, runs in fp16 on a
CPU, where ComfyUI v0.27's MoGeInference stops in PyTorch's antialiased resize ("not implemented
for 'Half'") unless the server runs with --fp32-text-enc (and then a toy MoGe still takes about
10 s a frame here). So these tests check what can be checked without running them: the pack
refuses a missing control model at queue time, and ComfyUI's own /prompt validation accepts the
depth and pose graphs the pack expands (every core node's inputs, links and file choices), up to
the point where the loader opens the empty stand-in file.
"""
from __future__ import annotations

import json
import uuid
from fractions import Fraction

import numpy as np
import pytest
from harness import output_file, write_media
from ltx23_aio.model_manifest import CONTROL_FILES
from ltx23_aio.nodes.modes import MODES
from media import probe
from taps import expansion, tap, tapped
from test_t2v import rejected

NODE = MODES["style"].node_id
BASE = {"prompt": "an oil painting", "negative_prompt": "", "width": 128, "height": 128, "duration": 0.67,
        "fps": 24, "seed": 3, "preset": "Fast", "models": "tiny", "video": "source.mp4",
        "style_image": "portrait.png"}
CONTROLS = [("depth", "depth_model"), ("pose", "pose_model")]


@pytest.fixture(scope="module", autouse=True)
def media_files(server):
    names = write_media(server.base / "input")
    write_fractional_rate_video(server.base / "input" / "source-12.5fps.mp4")
    return names


def write_fractional_rate_video(path) -> None:
    """2 s at 12.5 fps (25 frames) with 2 s of stereo sound."""
    import av
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=Fraction(25, 2))
        video.width, video.height, video.pix_fmt = 160, 96, "yuv420p"
        audio = out.add_stream("aac", rate=48000, layout="stereo")
        for i in range(25):
            x = np.zeros((96, 160, 3), np.uint8)
            x[:, (i * 6) % 160:(i * 6) % 160 + 24] = 255
            for packet in video.encode(av.VideoFrame.from_ndarray(x, format="rgb24")):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        t = np.arange(2 * 48000) / 48000
        sound = np.repeat((0.3 * np.sin(2 * np.pi * 220 * t))[None, :], 2, axis=0).astype(np.float32)
        for start in range(0, sound.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(sound[:, start:start + 1024]), format="fltp",
                                               layout="stereo")
            frame.sample_rate = 48000
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode(None):
            out.mux(packet)


def node(**overrides) -> dict:
    values = {**MODES["style"].defaults, **BASE, "filename_prefix": f"style/{uuid.uuid4().hex[:8]}", **overrides}
    return {"10": {"class_type": NODE, "inputs": values}}


@pytest.fixture
def downloads_off(server):
    settings = server.base / "user" / "default" / "comfy.settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"LTX23AIO.AutoDownload": False}))
    yield
    settings.unlink()


@pytest.fixture
def empty_stand_ins(server):
    """Empty files under the control models' names: enough for ComfyUI to list them as choices."""
    made = []
    for f in CONTROL_FILES.values():
        path = server.base / "models" / f.folder / f.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        made.append(path)
    yield
    for path in made:
        path.unlink()


@pytest.mark.parametrize("control, role", CONTROLS)
def test_style_control_model_missing_is_refused_at_queue_time(server, downloads_off, control, role):
    text = rejected(server, node(control=control))
    assert "automatic download is off" in text and CONTROL_FILES[role].name in text
    f = CONTROL_FILES[role]
    # Where to fetch it (the loopback hub here), slashes as the Errors panel shows them (messages.py).
    assert f"{f.repo}/resolve/main/{f.repo_path}".replace("/", "∕") in text


@pytest.mark.parametrize("control, role", CONTROLS)
def test_style_control_graph_passes_comfyuis_prompt_validation(server, empty_stand_ins, control, role):
    graph = expansion("style", {**BASE, "control": control, "filename_prefix": "style/validated"})
    assert graph[role]["inputs"] == ({"model_name": CONTROL_FILES[role].name} if control == "depth"
                                     else {"ckpt_name": CONTROL_FILES[role].name})
    result = server.run(graph)  # raises if ComfyUI's /prompt validation rejects any node
    # Validated, it then runs until the control model's loader opens the empty stand-in file.
    assert result.status == "error" and result.error["node_id"] == role, result.error
    assert "control_frames" not in result.executed


def test_style_keeps_a_fractional_source_rate_and_its_sound_in_step(server):
    result = server.run(node(video="source-12.5fps.mp4", duration=1.0))
    assert result.status == "success", json.dumps(result.error, indent=1)[:3000]
    media = probe(output_file(server, result))
    # 1 s at the source's 12.5 fps: 8n+1 nearest to 13.5 frames is 17 = 1.36 s, not 12 fps' 1.42 s.
    assert media.frames.shape[0] == 17
    assert media.video_streams[0]["rate"] == 12.5
    assert abs(media.audio.shape[1] / media.audio_rate - 17 / 12.5) < 0.05  # AAC frames of 21 ms
    assert any("fps 24 → 12.5 (the source video's rate): 1 s = 17 frames" in text for _, text in result.node_texts)


@pytest.mark.parametrize("preset, pass_size", [("Balanced", 4), ("Quality", 2)])
def test_style_refining_presets_run_at_their_sizes(server, preset, pass_size):
    """Balanced refines the pass at the same size; Quality samples it at half size, then upscales."""
    graph = expansion("style", {**MODES["style"].defaults, **BASE, "filename_prefix": f"style/{preset}"}, preset)
    tap(graph, "pass", ["pass1_crop", 2])
    tap(graph, "refined", ["refine_crop", 2])
    result = server.run(graph)
    assert result.status == "success", json.dumps(result.error, indent=1)[:3000]
    # 128×128 is a 4×4 latent; 17 frames are 3 latent frames.
    assert tuple(tapped(server, result, "pass").shape[2:]) == (3, pass_size, pass_size)
    assert tuple(tapped(server, result, "refined").shape[2:]) == (3, 4, 4)
    assert {"refine_sample", "pass1_sample"} <= set(result.executed)
    assert ("upscale" in result.executed) == (preset == "Quality")
    assert probe(output_file(server, result)).frames.shape[0] == 17
