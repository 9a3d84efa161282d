"""The example workflows: generated from the modes, with their thumbnails and media shipped."""
import importlib.util
import json
from pathlib import Path

from ltx23_aio.model_manifest import BUILTIN_SETS, DEFAULT_SET
from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.plan import files_needed
from ltx23_aio.routes import EXAMPLE_MEDIA_DIR, EXAMPLES_DIR, example_name

ROOT = Path(__file__).resolve().parents[2]


def tool():
    spec = importlib.util.spec_from_file_location("example_workflows", ROOT / "tools" / "example_workflows.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def example(mode) -> dict:
    return json.loads((EXAMPLES_DIR / f"{example_name(mode)}.json").read_text(encoding="utf-8"))


def aio_node(workflow: dict) -> dict:
    return next(n for n in workflow["nodes"] if n["type"].startswith("LTX23AIO_"))


def test_committed_example_workflows_match_what_the_tool_renders():
    rendered = tool().render_all()
    assert len(rendered) == len(MODES)
    for path, text in rendered.items():
        assert path.is_file() and path.read_text(encoding="utf-8") == text, (
            f"{path.name} is out of date: run python tools/example_workflows.py")


def test_example_workflow_holds_its_modes_node():
    for mode in MODES.values():
        assert aio_node(example(mode))["type"] == mode.node_id


def test_example_workflow_names_the_default_sets_files_on_the_node_and_the_workflow():
    for mode in MODES.values():
        workflow = example(mode)
        expected = [{"name": f.name, "url": f.url, "directory": f.folder}
                    for f in files_needed(mode, BUILTIN_SETS[DEFAULT_SET]).values()]
        assert aio_node(workflow)["properties"]["models"] == expected
        assert workflow["models"] == expected


def test_example_workflow_values_follow_the_widget_layout():
    layout = tool().widget_layout(MODES["keyframe"])
    values = aio_node(example(MODES["keyframe"]))["widgets_values"]
    names = [name for name, _, _ in layout]
    assert len(values) == len(names) + 1  # control_after_generate follows seed
    assert values[names.index("first_strength")] == 1.0
    after_seed = {name: values[i + 1] for i, name in enumerate(names) if i > names.index("seed")}
    assert (after_seed["first_image"], after_seed["last_image"]) == ("ltx23_aio_lake_day.jpg", "ltx23_aio_lake_dusk.jpg")
    # The options, at their defaults (enhancer on: a built-in set has Gemma; no voice), then the
    # lists last (two keyframes, no LoRAs), so older saved values load in place.
    assert names[-5:] == ["prompt_enhancer", "enhancer_seed", "voice_reference", "keyframes", "loras"]
    assert values[-5:] == [True, 0, "none", "2", "0"]


def test_example_media_named_by_the_examples_are_shipped():
    for mode in MODES.values():
        for name in tool().EXAMPLES[mode.id]["media"].values():
            assert (EXAMPLE_MEDIA_DIR / name).is_file(), name


def test_every_example_has_a_jpeg_thumbnail():
    for mode in MODES.values():
        thumbnail = EXAMPLES_DIR / f"{example_name(mode)}.jpg"
        assert thumbnail.read_bytes()[:3] == b"\xff\xd8\xff", thumbnail.name
