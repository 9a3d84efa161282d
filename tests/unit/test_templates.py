"""What ComfyUI's Templates browser lists for this pack (app/custom_node_manager.py, v0.27.0)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The folders whose top-level JSON files ComfyUI lists as a pack's templates.
TEMPLATE_FOLDERS = ("example_workflows", "example", "examples", "workflow", "workflows")


def test_templates_browser_lists_only_files_of_example_workflows():
    listed = {p.parent.name for name in TEMPLATE_FOLDERS for p in (ROOT / name).glob("*.json")}
    assert listed <= {"example_workflows"}, f"JSON files ComfyUI would list as templates in: {listed}"
