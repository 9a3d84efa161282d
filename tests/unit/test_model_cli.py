"""The prefetch command: ``python <pack folder> models status|download``."""
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ltx23_aio.mode_files.cli import main

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
    # Style transfer's and Dub video's, inherited from the base set: the IC-LoRAs and the depth and pose models.
    inherited = [BUILTIN_SETS["fp8"].files[role] for role in ("ic_lora", "depth_model", "pose_model", "dub_lora")]
    for f in [*tiny_set.values(), *({"folder": f.folder, "name": f.name, "size": 1} for f in inherited)]:
        (comfyui / "models" / f["folder"]).mkdir(exist_ok=True)
        with open(comfyui / "models" / f["folder"] / f["name"], "wb") as stand_in:
            stand_in.truncate(f["size"])  # sparse, of the size the set names
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


def test_cli_download_links_files_found_in_the_hf_cache_and_repairs_dangling_links(comfyui, hf_env, tiny_set,
                                                                                    fake_hub, tmp_path):
    assert run("download", "--mode", "t2v", "--set", "tiny", "--comfyui", str(comfyui))[0] == 0
    checkpoint, lora = (comfyui / "models" / tiny_set[r]["folder"] / tiny_set[r]["name"]
                        for r in ("checkpoint", "distilled_lora"))
    checkpoint.unlink()
    lora.unlink()
    lora.symlink_to(tmp_path / "deleted-cache" / "x.safetensors")  # dangling
    fake_hub.requests.clear()
    code, out = run("download", "--mode", "t2v", "--set", "tiny", "--comfyui", str(comfyui))
    assert code == 0 and "all 4 file(s) present" in out
    for link in (checkpoint, lora):
        assert link.is_symlink() and link.stat().st_size == tiny_set["checkpoint" if link == checkpoint
                                                                     else "distilled_lora"]["size"]
    assert fake_hub.requests == []


def test_cli_knows_comfyuis_base_directory(comfyui, hf_env, tiny_set, tmp_path):
    base = tmp_path / "base"
    (base / "user").mkdir(parents=True)
    (comfyui / "user").rename(base / "user" / "x")  # the model sets live under the base directory now
    (base / "user" / "x" / "ltx23-aio").rename(base / "user" / "ltx23-aio")
    code, out = run("download", "--mode", "t2v", "--set", "tiny", "--comfyui", str(comfyui),
                    "--base-directory", str(base))
    assert code == 0 and "all 4 file(s) present" in out
    for f in tiny_set.values():
        assert (base / "models" / f["folder"] / f["name"]).stat().st_size == f["size"]
    assert not list((comfyui / "models").rglob("*.safetensors"))


def test_cli_base_directory_must_exist(comfyui, hf_env, tmp_path, capsys):
    code, _ = run("status", "--mode", "t2v", "--set", "fp8", "--comfyui", str(comfyui),
                  "--base-directory", str(tmp_path / "nope"))
    assert code == 2 and f"--base-directory {tmp_path / 'nope'} is not a folder" in capsys.readouterr().err


def test_cli_prints_a_failed_download_once(comfyui, hf_env, tiny_set, fake_hub):
    checkpoint = tiny_set["checkpoint"]
    fake_hub.files[(checkpoint["repo"], checkpoint["path"])].storage_status = 404  # fails inside the download job
    done = subprocess.run([sys.executable, str(ROOT), "models", "download", "--mode", "t2v", "--set", "tiny",
                           "--comfyui", str(comfyui)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    message = (f"The hub lists {checkpoint['name']} ({checkpoint['repo']}/{checkpoint['path']}) but its storage "
               "server 127.0.0.1 has no data for it (HTTP 404, also at a fresh address from the hub).")
    assert done.stderr.count(message) == 1, done.stderr


def test_cli_download_from_a_storage_shorter_than_announced_ends_at_once(comfyui, hf_env, tiny_set, fake_hub):
    checkpoint = tiny_set["checkpoint"]
    fake_hub.files[(checkpoint["repo"], checkpoint["path"])].storage_size = checkpoint["size"] - 1000
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(ROOT), "models", "download", "--mode", "t2v", "--set", "tiny",
                           "--comfyui", str(comfyui)], capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 30 and done.returncode == 1
    message = (f"{checkpoint['name']} cannot be downloaded as the hub describes it: the storage server holds "
               f"{checkpoint['size'] - 1000:,} bytes, the hub announced {checkpoint['size']:,} (at 127.0.0.1).")
    assert done.stderr.count(message) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert fake_hub.bytes_sent() <= sum(f["size"] for f in tiny_set.values())
    assert not (comfyui / "models" / "checkpoints" / checkpoint["name"]).exists()
