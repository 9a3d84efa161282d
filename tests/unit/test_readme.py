"""README.md says what the code does: generated tables, model set examples, commands, paths."""
import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

from ltx23_aio.model_manifest import BUILTIN_SETS
from ltx23_aio.model_store.sets import USER_SETS_SUBDIR, parse_model_set
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.plan import files_needed, run_params
from ltx23_aio.nodes.settings import resolve_geometry

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, re.S | re.M)


def load_tool():
    spec = importlib.util.spec_from_file_location("readme_models", ROOT / "tools" / "readme_models.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_readme_model_tables_match_the_model_sets_and_workflows():
    tool = load_tool()
    rendered = tool.render_all()
    assert set(tool.blocks(README)) == set(rendered)
    for name, text in rendered.items():
        assert tool.blocks(README)[name] == text, (
            f"README.md's '{name}' table is out of date: run python tools/readme_models.py")


def test_readme_names_what_style_transfer_loads_besides_the_upscaler():
    for mode in MODES.values():
        roles = files_needed(mode, BUILTIN_SETS["fp8"])
        expected = {"style": (True, True), "retake": (False, False)}.get(mode.id, (False, mode.makes_video))
        assert ("ic_lora" in roles, "upscaler" in roles) == expected
        assert ("depth_model" in roles and "pose_model" in roles) == (mode.id == "style")
    assert "upscaler" not in files_needed(MODES["style"], BUILTIN_SETS["fp8"], "Balanced")
    ic_lora = BUILTIN_SETS["fp8"].files["ic_lora"].name
    assert f"Style transfer loads the IC-LoRA\n(`{ic_lora}`), the upscaler only in its Quality preset" in README


@pytest.mark.parametrize("example", range(len(fenced("json"))))
def test_readme_model_set_examples_work_for_every_mode(example):
    model_set = parse_model_set(json.loads(fenced("json")[example]), f"README.md json example {example + 1}")
    for mode in MODES.values():
        assert files_needed(mode, model_set)  # raises, naming the role, when the set lacks one


def test_readme_shell_commands_parse():
    bash = shutil.which("bash")
    assert bash and fenced("sh")
    for block in fenced("sh"):
        done = subprocess.run([bash, "-n"], input=block, capture_output=True, text=True)
        assert done.returncode == 0, f"{block}\n{done.stderr}"


def test_readme_install_names_the_pack_as_the_registry_will_and_no_address_it_lacks():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    node_id, shown = pyproject["project"]["name"], pyproject["tool"]["comfy"]["DisplayName"]
    assert f'search "{shown}" (registry id `{node_id}`)' in README and f"comfy node install {node_id}" in README
    # No public repository URL exists yet (pyproject.toml's comment block): nothing to clone.
    assert "git clone" not in README and "<this repository" not in README


def test_readme_says_where_the_video_and_the_model_sets_go():
    for mode in MODES.values():
        v = mode.defaults
        prefix = run_params(mode, v, "-", resolve_geometry(v["width"], v["height"], v["duration"], v["fps"]))[
            "filename_prefix"]
        # SaveVideo writes <output>/<prefix>_<counter:05>_.mp4
        assert f"`output/{prefix.replace(mode.id, '<mode>')}_00001_.mp4`" in README
    assert f"`ComfyUI/user/{USER_SETS_SUBDIR.as_posix()}/`" in README


def test_readme_paths_inside_the_pack_exist():
    folders = "|".join(re.escape(p.name) for p in ROOT.iterdir()
                       if p.is_dir() and p.name not in ("node_modules", ".git", ".benchmarks"))
    paths = set(re.findall(rf"(?<![\w/.~-])((?:{folders})/[\w./-]*)", README))
    paths -= {"tests/artifacts/browser/"}  # written by the browser tests
    assert "tools/readme_models.py" in paths and "tests/host/tiny_model_set.json" in paths
    assert [p for p in sorted(paths) if not (ROOT / p).exists()] == []
