"""Helpers the host-tier tests share: the tiny model set, base directories, cache flushing."""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from comfy_server import ComfyServer

HOST_TESTS = Path(__file__).resolve().parent
ROOT = HOST_TESTS.parents[1]
TINY_SET = json.loads((HOST_TESTS / "tiny_model_set.json").read_text())
USER_SETS = Path("ltx23-aio") / "model_sets"


def make_base(base: Path, tiny_models: Path, model_sets: list[dict] = (TINY_SET,)) -> Path:
    """A ComfyUI base directory with the tiny files linked into models/ and the model sets."""
    ComfyServer.prepare_base(base)
    for folder in tiny_models.iterdir():
        for f in folder.iterdir():
            (base / "models" / folder.name).mkdir(parents=True, exist_ok=True)
            target = base / "models" / folder.name / f.name
            if not target.exists():
                target.symlink_to(f)
    sets_dir = base / "user" / USER_SETS
    sets_dir.mkdir(parents=True, exist_ok=True)
    for s in model_sets:
        (sets_dir / f"{s['name']}.json").write_text(json.dumps(s))
    return base


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def hub_env(hub, base: Path) -> dict[str, str]:
    """A server's Hugging Face settings: its own cache under ``base``, the loopback hub, no token."""
    hf = base / "hf"
    return {"HF_ENDPOINT": hub.hub_url, "HF_HOME": str(hf), "HF_HUB_CACHE": str(hf / "hub"), "HF_TOKEN": "",
            "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1", "HF_HUB_OFFLINE": "0"}


def returning_user(base: Path) -> None:
    """ComfyUI settings of a user who has seen the first-visit dialog, so none covers the page."""
    settings = base / "user" / "default" / "comfy.settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"Comfy.TutorialCompleted": True}))


def require_browser() -> None:
    """Skip a browser test, naming what is missing, without Chromium or playwright-core."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM")
    if not (ROOT / "node_modules" / "playwright-core").is_dir():
        pytest.skip("playwright-core is not installed: run npm ci in the pack's folder")


def flush_cache(srv: ComfyServer) -> None:
    """Drop every cached node output and model, so the next run computes everything again.

    ComfyUI applies /free after the next prompt it runs, so a trivial prompt carries it out.
    """
    srv.request("POST", "/free", {"free_memory": True, "unload_models": True})
    srv.run({"1": {"class_type": "PrimitiveString", "inputs": {"value": uuid.uuid4().hex}},
             "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}})


def output_file(srv: ComfyServer, result) -> Path:
    videos = result.outputs_of("images")
    assert len(videos) == 1, f"expected one saved video, history outputs: {result.history.get('outputs')}"
    v = videos[0]
    return srv.base / "output" / v["subfolder"] / v["filename"]



def write_media(folder: Path) -> dict[str, str]:
    """Small real media files in a ComfyUI input folder: images, speech-like audio, a video with sound."""
    import av
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    names = {}
    for name, color in (("portrait.png", (200, 120, 90)), ("first.png", (20, 60, 200)), ("last.png", (220, 200, 30))):
        pixels = np.clip(rng.normal(0, 25, (96, 160, 3)) + np.array(color), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / name)
        names[name.split(".")[0]] = name

    def tone(seconds: float, rate: int, channels: int) -> np.ndarray:
        t = np.arange(int(seconds * rate)) / rate
        wave = 0.3 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
        return np.repeat(wave[None, :], channels, axis=0).astype(np.float32)

    def write_audio(path: Path, samples: np.ndarray, rate: int, codec: str = "pcm_s16le") -> None:
        with av.open(str(path), "w") as out:
            stream = out.add_stream(codec, rate=rate, layout="mono" if samples.shape[0] == 1 else "stereo")
            frame = av.AudioFrame.from_ndarray((samples * 32767).astype(np.int16).reshape(1, -1) if samples.shape[0] == 1
                                               else (samples.T * 32767).astype(np.int16).reshape(1, -1),
                                               format="s16", layout=stream.layout.name)
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
            for packet in stream.encode(None):
                out.mux(packet)

    write_audio(folder / "speech.wav", tone(2.0, 44100, 1), 44100)
    write_audio(folder / "short.wav", tone(0.2, 48000, 2), 48000)
    names.update(speech="speech.wav", short="short.wav")

    with av.open(str(folder / "source.mp4"), "w") as out:
        video = out.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 160, 96, "yuv420p"
        audio = out.add_stream("aac", rate=48000, layout="stereo")
        for i in range(36):  # 1.5 s
            x = np.zeros((96, 160, 3), np.uint8)
            x[:, (i * 4) % 160:(i * 4) % 160 + 24] = 255
            x[(i * 2) % 96:(i * 2) % 96 + 10, :, 1] = 180
            for packet in video.encode(av.VideoFrame.from_ndarray(x, format="rgb24")):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        sound = tone(1.5, 48000, 2)
        for start in range(0, sound.shape[1], 1024):
            chunk = np.ascontiguousarray(sound[:, start:start + 1024])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = 48000
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode(None):
            out.mux(packet)
    names["source"] = "source.mp4"
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really an image" * 10)
    (folder / "broken.wav").write_bytes(b"RIFF....WAVEfmt " + b"\x00" * 40)
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    names.update(broken_image="broken.png", broken_audio="broken.wav", broken_video="broken.mp4")
    return names
