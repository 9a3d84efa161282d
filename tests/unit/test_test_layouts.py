"""The test suite itself in the layouts the README recommends: a folder of its own, or
``ComfyUI/custom_nodes/<pack>``."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def copy_pack(to: Path) -> Path:
    # A copy, not a symlink: the suite finds its ComfyUI from where its files really are.
    shutil.copytree(ROOT, to, ignore=shutil.ignore_patterns(".git", "node_modules", "__pycache__", "artifacts"))
    return to


def collect_host_tier(pack: Path) -> subprocess.CompletedProcess:
    env = {**os.environ}
    env.pop("COMFYUI_PATH", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only",
                           "tests/host"], cwd=pack, env=env, capture_output=True, text=True, timeout=120)


def test_host_tier_is_not_run_against_a_folder_that_only_looks_like_comfyui(tmp_path):
    fake = tmp_path / "ComfyUI"
    (fake / "custom_nodes").mkdir(parents=True)
    (fake / "main.py").write_text("")
    done = collect_host_tier(copy_pack(fake / "custom_nodes" / "ltx23-aio"))
    assert done.returncode == 5, done.stdout + done.stderr  # 5: no tests collected
    assert f"host tier: SKIPPED — {fake} holds this pack in custom_nodes/ but is not a ComfyUI checkout" in done.stdout
    assert "(no nodes.py, comfy/)" in done.stdout


def test_host_tier_is_collected_when_the_pack_sits_in_a_comfyui_checkout(tmp_path):
    comfyui = tmp_path / "ComfyUI"
    (comfyui / "custom_nodes").mkdir(parents=True)
    (comfyui / "comfy").mkdir()
    for name in ("main.py", "nodes.py"):
        (comfyui / name).write_text("")
    done = collect_host_tier(copy_pack(comfyui / "custom_nodes" / "ltx23-aio"))
    assert f"host tier: ComfyUI at {comfyui}" in done.stdout, done.stdout + done.stderr
    assert "<Dir host>" in done.stdout  # collected (its modules may need ComfyUI's Python to import)


def test_test_files_have_names_unique_across_the_tiers():
    # Without __init__.py pytest imports each test file by its basename, so a unit and a host file
    # of the same name stop the whole run at collection.
    names = [p.name for tier in ("unit", "host") for p in (ROOT / "tests" / tier).glob("test_*.py")]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
