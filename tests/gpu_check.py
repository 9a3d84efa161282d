"""Check, on a GPU with the real model files, what the CPU tiers cannot run: the prompt enhancer
(Gemma writing the prompt) and the voice reference with the real ID-LoRA.

    COMFYUI_PATH=~/ComfyUI ~/ComfyUI/venv/bin/python tests/gpu_check.py --models-dir ~/ComfyUI/models \\
        [--set fp8] [--voice my_voice.wav] [--download]

Starts its own ComfyUI (GPU, a fresh base directory whose model folders link to --models-dir's)
and runs, through the AIO nodes:
  1. Text → Video with the enhancer on: the `prompt` output is a new, non-empty text; the mp4's
     metadata and the history hold the same text;
  2. the same with another video seed: TextGenerateLTX2Prompt does not run again, same text;
  3. another enhancer_seed: it runs again;
  4. Image → Video with the enhancer on (the picture goes to Gemma);
  5. Text → Video with a voice reference: the ID-LoRA and LTXVReferenceAudio run.
Prints each check and the mp4s to look at and listen to (whether the voice carries over is for a
person to judge: pass --voice with a real speech clip); exits 1 if a check fails. Missing model
files are downloaded only with --download (the fp8 set is about 45 GB, plus the ID-LoRA). Needs
the Python that runs that ComfyUI, with pytest and aiohttp (tests/requirements.txt).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "host"))

PROMPT = "a fox in the snow looks at the camera and barks twice"


def aio(mode_node: str, **values) -> dict:
    inputs = {"prompt": PROMPT, "negative_prompt": "blurry", "width": 768, "height": 512, "duration": 2.0,
              "fps": 24, "seed": 1, "preset": "Fast", "filename_prefix": f"gpu_check/{uuid.uuid4().hex[:8]}",
              **values}
    return {"10": {"class_type": mode_node, "inputs": inputs},
            "20": {"class_type": "PreviewAny", "inputs": {"source": ["10", 3]}}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models-dir", required=True, type=Path, help="a ComfyUI models folder with the real files")
    parser.add_argument("--set", default="fp8", help="the built-in model set to use (default fp8)")
    parser.add_argument("--voice", type=Path, help="a speech clip (about 5 s) for the voice reference")
    parser.add_argument("--download", action="store_true", help="let the pack download missing files")
    args = parser.parse_args()

    from comfy_server import ComfyServer
    from harness import write_media
    from media import probe

    comfyui = Path(os.environ.get("COMFYUI_PATH", "")).expanduser()
    if not (comfyui / "main.py").is_file():
        parser.error("set COMFYUI_PATH to the ComfyUI checkout to run")
    base = Path(tempfile.mkdtemp(prefix="ltx23-gpu-check-"))
    ComfyServer.prepare_base(base)
    for folder in args.models_dir.expanduser().iterdir():
        if folder.is_dir():
            (base / "models" / folder.name).symlink_to(folder.resolve(), target_is_directory=True)
    media = write_media(base / "input")
    voice = media["speech"]
    if args.voice:
        shutil.copy(args.voice, base / "input" / args.voice.name)
        voice = args.voice.name

    failures: list[str] = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f" — {detail}" if detail else ""), flush=True)
        if not ok:
            failures.append(name)

    def run(prompt: dict):
        started = time.perf_counter()
        result = srv.run(prompt, timeout=3600)
        ran = {n.rsplit(".", 1)[-1] for n in result.executed}
        print(f"     {time.perf_counter() - started:.1f} s; {result.status}", flush=True)
        return result, ran

    def saved(result) -> Path | None:
        videos = result.outputs_of("images")
        return base / "output" / videos[0]["subfolder"] / videos[0]["filename"] if videos else None

    env = {"LTX23_AIO_AUTO_DOWNLOAD": "1" if args.download else "0"}
    srv = ComfyServer(comfyui, base, env=env, cpu=False).start(timeout=300)
    try:
        t2v, i2v = "LTX23AIO_TextToVideo", "LTX23AIO_ImageToVideo"
        first, ran = run(aio(t2v, models=args.set, prompt_enhancer=True))
        check("t2v with the enhancer runs", first.status == "success", str(first.error)[:500])
        text = (first.history.get("outputs", {}).get("20", {}).get("text") or [""])[0]
        check("the enhancer wrote a new prompt", bool(text.strip()) and text.strip() != PROMPT, repr(text[:300]))
        check("TextGenerateLTX2Prompt ran", "enhanced_prompt" in ran)
        path = saved(first)
        meta = probe(path).metadata.get("ltx23_aio", {}).get("10", {}) if path else {}
        check("the mp4's metadata holds the text", meta.get("enhanced_prompt") == text, str(path))

        again, ran = run(aio(t2v, models=args.set, prompt_enhancer=True, seed=2))
        again_text = (again.history.get("outputs", {}).get("20", {}).get("text") or [""])[0]
        check("a seed-only rerun keeps the text", again.status == "success" and again_text == text)
        check("… without generating it again", "enhanced_prompt" not in ran and "positive_text" not in ran,
              ", ".join(sorted(ran)))

        new, ran = run(aio(t2v, models=args.set, prompt_enhancer=True, seed=2, enhancer_seed=1))
        check("another enhancer_seed writes a new text", new.status == "success" and "enhanced_prompt" in ran)

        pic, ran = run(aio(i2v, models=args.set, prompt_enhancer=True, image=media["portrait"],
                           prompt="she turns to the camera and says hello"))
        check("i2v with the enhancer (the picture goes to Gemma) runs", pic.status == "success" and "enhanced_prompt" in ran,
              str(pic.error)[:500])

        spoken, ran = run(aio(t2v, models=args.set, prompt_enhancer=False, voice_reference=voice,
                              prompt='[VISUAL]: a man looks at the camera. [SPEECH]: "Hello there, nice to meet '
                                     'you." [SOUNDS]: his calm voice, a quiet room.'))
        check("t2v with a voice reference runs the ID-LoRA", spoken.status == "success"
              and {"voice_lora", "voice"} <= ran, str(spoken.error)[:500])
        print("\nTo look at and listen to:", *(p for p in (saved(first), saved(pic), saved(spoken)) if p), sep="\n  ")
    finally:
        srv.stop()
    print(f"\n{len(failures)} check(s) failed" if failures else "\nall checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
