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
