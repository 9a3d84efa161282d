"""The checked-in recipe table (workflows/recipes.md) is what the modes' presets expand to."""
import copy
import importlib.util
from pathlib import Path

import pytest
from ltx23_aio.nodes import workflow
from ltx23_aio.nodes.modes import MODES

ROOT = Path(__file__).resolve().parents[2]


def tool():
    spec = importlib.util.spec_from_file_location("recipe_table", ROOT / "tools" / "recipe_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_recipe_table_matches_every_mode_and_preset():
    text = tool().render()
    assert (ROOT / "workflows" / "recipes.md").read_text(encoding="utf-8") == text, (
        "workflows/recipes.md is out of date: run python tools/recipe_table.py and commit the diff")
    for mode in MODES.values():
        section = text.split(f"## `{mode.id}` ")[1].split("\n## ")[0]
        for preset in workflow.load_presets(mode.id):
            assert f"\n| {preset} | `" in section, f"{mode.id} · {preset} has no row"


def test_recipe_table_rows_read_the_style_presets():
    text = tool().render()
    style = text.split("## `style` ")[1]
    assert ("| Balanced | `refine_sample` | base (CheckpointLoaderSimple) + distilled_lora 0.5 + ic_lora 1 | "
            "euler_cfg_pp | 2 steps: 0.725, 0.421875, 0.0 | 1 | 42 | `pass1_sample`'s result |") in style
    assert "| 3 steps: 0.909375, 0.725, 0.421875, 0.0 | 1 | 42 | ×2 upscale of `pass1_sample` |" in style
    assert "`pass1_control` LTXVAddGuide (frame_idx 0, strength 1 (`control_strength`))" in style


@pytest.mark.parametrize("node, inputs, shown", [
    ("stage2_sigmas", {"sigmas": "0.9, 0.5, 0.0"}, "2 steps: 0.9, 0.5, 0.0"),
    ("stage2_sampler", {"sampler_name": "euler"}, "| euler | 3 steps"),
    ("distilled_model", {"strength_model": 0.6}, "distilled_lora 0.6"),
    ("decode", {"temporal_size": 32}, "temporal_size 32"),
])
def test_a_recipe_change_shows_in_the_table(monkeypatch, node, inputs, shown):
    before = tool().render()
    real = workflow.load_workflow
    changed = copy.deepcopy(real("t2v"))
    changed["nodes"][node]["inputs"].update(inputs)
    monkeypatch.setattr(workflow, "load_workflow", lambda mode: changed if mode == "t2v" else real(mode))
    after = tool().render()
    t2v = after.split("## `t2v` ")[1].split("\n## ")[0]
    assert after != before and shown in t2v
