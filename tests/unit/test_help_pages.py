import importlib.util
from pathlib import Path

from ltx23_aio.nodes.modes import MODES

ROOT = Path(__file__).resolve().parents[2]


def test_committed_help_pages_match_the_modes_presets_and_model_sets():
    spec = importlib.util.spec_from_file_location("help_pages", ROOT / "tools" / "help_pages.py")
    pages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pages)
    rendered = pages.render_all()
    assert len(rendered) == len(MODES)
    for path, text in rendered.items():
        assert path.is_file() and path.read_text(encoding="utf-8") == text, (
            f"{path.name} is out of date: run python tools/help_pages.py")


def test_help_pages_state_each_difference_from_the_official_graphs():
    from ltx23_aio.nodes.modes import MODES
    from ltx23_aio.nodes.workflow import load_workflow
    for mode in MODES.values():
        differences = load_workflow(mode.id).get("differences", [])
        assert differences, f"{mode.id}: say how the recipe differs from the official graphs (\"differences\")"
        page = (ROOT / "web" / "docs" / mode.node_id / "en.md").read_text(encoding="utf-8")
        assert "## Differences from the official graphs" in page
        assert all(f"- {d}" in page for d in differences)
