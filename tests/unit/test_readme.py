"""README.md says what the code does: generated tables and model set examples."""
import importlib.util
import json
import re
from pathlib import Path

import pytest

from ltx23_aio.model_manifest import BUILTIN_SETS
from ltx23_aio.model_store.sets import parse_model_set
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.plan import files_needed

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


def test_readme_names_what_style_transfer_loads_instead_of_the_upscaler():
    for mode in MODES.values():
        roles = files_needed(mode, BUILTIN_SETS["fp8"])
        assert ("ic_lora" in roles, "upscaler" in roles) == ((True, False) if mode.id == "style" else (False, True))
    ic_lora = BUILTIN_SETS["fp8"].files["ic_lora"].name
    assert f"Style transfer loads the IC-LoRA\n(`{ic_lora}`) and no upscaler" in README


@pytest.mark.parametrize("example", range(len(fenced("json"))))
def test_readme_model_set_examples_work_for_every_mode(example):
    model_set = parse_model_set(json.loads(fenced("json")[example]), f"README.md json example {example + 1}")
    for mode in MODES.values():
        assert files_needed(mode, model_set)  # raises, naming the role, when the set lacks one
