"""The export command: the API-format graph of a run, without ComfyUI, torch or model files."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from ltx23_aio.model_store.sets import USER_SETS_SUBDIR
from ltx23_aio.nodes.export import environment
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.plan import plan_run

ROOT = Path(__file__).resolve().parents[2]
TINY = json.loads((ROOT / "tests" / "host" / "tiny_model_set.json").read_text())


@pytest.fixture
def comfyui(tmp_path):
    """A ComfyUI folder as the command sees it: main.py, the tiny model set, one model file."""
    (tmp_path / "main.py").write_text("")
    sets = tmp_path / "user" / USER_SETS_SUBDIR
    sets.mkdir(parents=True)
    (sets / "tiny.json").write_text(json.dumps(TINY))
    (tmp_path / "models" / "checkpoints").mkdir(parents=True)
    (tmp_path / "models" / "checkpoints" / TINY["files"]["checkpoint"]["name"]).write_bytes(b"x")
    return tmp_path


def command(*args, cwd=None):
    """The command as a user runs it, in a Python without ComfyUI or torch (this test's own)."""
    return subprocess.run([sys.executable, str(ROOT), "export", *args], capture_output=True, text=True,
                          cwd=cwd, env={"PATH": "/usr/bin:/bin"})


def test_export_prints_the_graph_the_node_expands_to(comfyui):
    done = command("--mode", "t2v", "--comfyui", str(comfyui), "--set", "tiny", "--prompt", "a fox in snow",
                   "--duration", "0.33", "--width", "128", "--height", "128", "--seed", "9")
    assert done.returncode == 0, done.stderr
    graph = json.loads(done.stdout)
    env, _ = environment(comfyui, None)
    values = {**MODES["t2v"].defaults, "prompt": "a fox in snow", "duration": 0.33, "width": 128, "height": 128,
              "seed": 9, "models": "tiny"}
    assert graph == plan_run(MODES["t2v"], values, env).expansion.graph
    assert graph["stage1_noise"]["inputs"]["noise_seed"] == 9
    assert graph["positive_text"]["inputs"]["text"] == "a fox in snow"
    assert "torch" not in done.stderr


def test_export_names_missing_model_files_on_stderr(comfyui):
    done = command("--mode", "t2v", "--comfyui", str(comfyui), "--models", "tiny", "--prompt", "a fox")
    assert done.returncode == 0
    assert f"missing model file: {TINY['files']['upscaler']['name']} (role upscaler) → models/latent_upscale_models/" \
        in done.stderr
    assert "ltx23-tiny.safetensors" not in done.stderr  # present in models/checkpoints


@pytest.mark.parametrize("args, words", [
    (["--duration", "61"], "duration 61 s at 24 fps needs 1465 frames"),
    (["--preset", "Turbo"], "unknown preset 'Turbo'"),
    (["--set", "fp16"], "fp16"),
    (["--width", "10"], "width 10 is out of range"),
])
def test_export_refuses_what_the_node_refuses(comfyui, args, words):
    done = command("--mode", "t2v", "--comfyui", str(comfyui), "--prompt", "a fox", *args)
    assert done.returncode == 2
    assert words in done.stderr and "Traceback" not in done.stderr and done.stdout == ""


def test_export_of_a_media_mode_needs_the_file_in_the_input_folder(comfyui):
    done = command("--mode", "i2v", "--comfyui", str(comfyui), "--set", "tiny", "--prompt", "a fox",
                   "--image", "portrait.png")
    assert done.returncode == 2
    assert f"the image 'portrait.png' is not in {comfyui / 'input'}" in done.stderr


def test_export_without_a_prompt_or_mode_is_a_usage_error(comfyui):
    assert command("--mode", "t2v", "--comfyui", str(comfyui)).returncode == 2
    assert command("--prompt", "x").returncode == 2
    bad = command("--mode", "t2v", "--comfyui", str(comfyui / "nowhere"), "--prompt", "x")
    assert bad.returncode == 2 and "is not a ComfyUI folder" in bad.stderr


def test_base_directory_reads_models_and_sets_there(comfyui, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "main.py").write_text("")
    done = command("--mode", "t2v", "--comfyui", str(elsewhere), "--base-directory", str(comfyui),
                   "--set", "tiny", "--prompt", "a fox")
    assert done.returncode == 0, done.stderr
    assert "ltx23-tiny.safetensors" not in done.stderr



def test_export_takes_lora_rows_as_the_node_names_them(comfyui):
    done = command("--mode", "t2v", "--comfyui", str(comfyui), "--set", "tiny", "--prompt", "a fox",
                   "--duration", "0.33", "--width", "128", "--height", "128", "--loras", "2",
                   "--loras.lora_name1", "cam.safetensors", "--loras.lora_strength1", "0.5",
                   "--loras.lora_name2", "look.safetensors")
    assert done.returncode == 0, done.stderr
    graph = json.loads(done.stdout)
    assert graph["user_lora_1"]["inputs"] == {"model": ["load_checkpoint", 0], "lora_name": "cam.safetensors",
                                              "strength_model": 0.5}
    assert graph["user_lora_2"]["inputs"]["strength_model"] == 1.0  # the row's default
    assert graph["distilled_model"]["inputs"]["model"] == ["user_lora_2", 0]
