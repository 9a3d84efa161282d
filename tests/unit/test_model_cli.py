"""The prefetch command: ``python <pack folder> models status|download``."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ltx23_aio.model_store.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["models", *args], out=out), out.getvalue()


def test_cli_status_lists_missing_files_and_exits_1(comfyui, hf_env, tiny_set, fake_hub):
    code, out = run("status", "--mode", "t2v", "--set", "tiny", "--comfyui", str(comfyui))
    assert code == 1
    checkpoint = tiny_set["checkpoint"]
    assert f"missing  checkpoint      {checkpoint['name']}" in out
    assert f"→ {comfyui / 'models' / 'checkpoints' / checkpoint['name']}" in out
    assert f"{fake_hub.hub_url}/{checkpoint['repo']}/resolve/main/{checkpoint['path']}" in out
    assert "4 of 4 file(s) missing" in out and fake_hub.requests == []


def test_cli_status_exits_0_when_every_file_is_present(comfyui, hf_env, tiny_set):
    from ltx23_aio.model_manifest import BUILTIN_SETS
    ic_lora = BUILTIN_SETS["fp8"].files["ic_lora"]  # style transfer's, inherited from the base set
    for f in [*tiny_set.values(), {"folder": ic_lora.folder, "name": ic_lora.name}]:
        (comfyui / "models" / f["folder"]).mkdir(exist_ok=True)
        (comfyui / "models" / f["folder"] / f["name"]).write_bytes(b"x")
    code, out = run("status", "--mode", "all", "--set", "tiny", "--comfyui", str(comfyui))
    assert code == 0 and "all 4 file(s) present" in out


def test_cli_download_fetches_links_and_exits_0(comfyui, hf_env, tiny_set):
    code, out = run("download", "--mode", "t2v", "--set", "tiny", "--comfyui", str(comfyui))
    assert code == 0 and "all 4 file(s) present" in out
    for f in tiny_set.values():
        assert (comfyui / "models" / f["folder"] / f["name"]).stat().st_size == f["size"]


def test_cli_download_failure_exits_1_with_the_reason(comfyui, hf_env, tiny_set, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code, _ = run("download", "--mode", "t2v", "--set", "tiny", "--comfyui", str(comfyui))
    assert code == 1 and "Offline mode" in capsys.readouterr().err


@pytest.mark.parametrize("args, words", [
    (["--mode", "t2v", "--set", "auto"], "name the set"),
    (["--mode", "nope", "--set", "fp8"], "unknown mode 'nope'"),
    (["--mode", "t2v", "--set", "nope"], "unknown model set 'nope'"),
])
def test_cli_usage_errors_exit_2(comfyui, hf_env, capsys, args, words):
    code, _ = run("status", *args, "--comfyui", str(comfyui))
    assert code == 2 and words in capsys.readouterr().err


def test_cli_without_a_comfyui_folder_exits_2(hf_env, tmp_path):
    # Run from a pack folder outside any ComfyUI: this checkout may itself sit in
    # ComfyUI/custom_nodes (the README's install layout), where the command rightly finds that ComfyUI.
    pack = tmp_path / "downloads" / "ltx23-aio"
    pack.parent.mkdir()
    pack.symlink_to(ROOT, target_is_directory=True)
    env = {**os.environ}
    env.pop("COMFYUI_PATH", None)
    done = subprocess.run([sys.executable, str(pack), "models", "status", "--mode", "t2v", "--set", "fp8"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "no ComfyUI folder found" in done.stderr and "--comfyui" in done.stderr


def test_cli_missing_option_exits_2():
    with pytest.raises(SystemExit) as e:
        run("status", "--mode", "t2v")
    assert e.value.code == 2


def test_cli_runs_from_a_pack_folder_in_custom_nodes_without_comfyui_modules(comfyui, hf_env, tiny_set, tmp_path):
    pack = comfyui / "custom_nodes" / "ltx-23-aio"  # any folder name, dashes included
    pack.parent.mkdir()
    pack.symlink_to(ROOT, target_is_directory=True)
    poison = tmp_path / "poison"  # importing any of these fails the command
    poison.mkdir()
    for module in ("torch", "folder_paths", "comfy", "server", "nodes"):
        (poison / f"{module}.py").write_text(f"raise ImportError('the CLI imported {module}')\n")
    env = {**os.environ, "PYTHONPATH": str(poison)}
    env.pop("COMFYUI_PATH", None)  # the folder must come from where the pack sits
    done = subprocess.run([sys.executable, str(pack), "models", "status", "--mode", "t2v", "--set", "tiny"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1, done.stderr
    assert f"{comfyui / 'models' / 'checkpoints'}" in done.stdout and "4 of 4 file(s) missing" in done.stdout
