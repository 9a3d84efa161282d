"""Layers point one way: the files library and the model data know nothing of modes or nodes."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Each layer and the pack's top-level packages and modules it must not import.
FORBIDDEN = {
    "model_manifest.py": {"nodes", "model_store", "mode_files", "routes"},
    "model_store": {"nodes", "mode_files", "routes"},
    "nodes": {"mode_files", "routes"},
}
TOP_LEVEL = {p.stem if p.suffix == ".py" else p.name for p in ROOT.iterdir()
             if (p.suffix == ".py" or (p / "__init__.py").is_file()) and p.name != "tests"}


def imported_pack_parts(path: Path) -> set[str]:
    """The pack's top-level packages or modules that ``path`` imports, relative or absolute."""
    depth = len(path.relative_to(ROOT).parts) - 1  # folders between the pack's root and the file
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level <= depth:
                    continue  # inside its own package
                names = [node.module] if node.module else [a.name for a in node.names]
                found |= {n.split(".")[0] for n in names}
            elif node.module and node.module.startswith("ltx23_aio."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("ltx23_aio.")}
    return found & TOP_LEVEL


def files_of(layer: str) -> list[Path]:
    path = ROOT / layer
    return [path] if path.is_file() else sorted(path.rglob("*.py"))


@pytest.mark.parametrize("layer", FORBIDDEN)
def test_layer_imports_nothing_above_it(layer):
    wrong = {str(p.relative_to(ROOT)): sorted(imported_pack_parts(p) & FORBIDDEN[layer]) for p in files_of(layer)}
    assert not {k: v for k, v in wrong.items() if v}, f"{layer} imports from layers above it: {wrong}"


def test_the_check_sees_relative_and_absolute_imports(tmp_path):
    assert imported_pack_parts(ROOT / "mode_files" / "cli.py") >= {"model_manifest", "model_store", "nodes"}
    assert "model_store" in imported_pack_parts(ROOT / "nodes" / "plan.py")
