"""What the Comfy registry gets: the archive `comfy node publish` builds, and pyproject.toml's metadata.

The archive is rebuilt here the way comfy-cli builds it (comfy_cli/file_utils.py ``zip_files``):
the git-tracked files (every file when there is no git checkout), minus the paths ``.comfyignore``
matches as gitwildmatch patterns, plus ``[tool.comfy] includes``.
"""
from __future__ import annotations

import os
import re
import subprocess
import warnings
from pathlib import Path

import pathspec
import pytest

try:
    import tomllib
except ImportError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

from ltx23_aio.nodes.plan import TESTED_COMFYUI

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

# What ComfyUI loads or the pack reads while it runs, and what a user reads.
RUNTIME_FOLDERS = ("nodes", "web", "workflows", "example_workflows", "model_store", "mode_files")
RUNTIME_FILES = ("__init__.py", "__main__.py", "routes.py", "model_manifest.py", "requirements.txt",
                 "pyproject.toml", "LICENSE", "README.md")
DEVELOPER_ONLY = ("tests/", "tools/", ".ci/", "node_modules/", "package.json", "package-lock.json")


def pack_files() -> list[str]:
    try:
        tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True,
                                 check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        tracked = []
    if tracked:
        return [f for f in tracked if (ROOT / f).is_file()]  # as comfy-cli: a deleted file is skipped
    return [str(p.relative_to(ROOT)).replace(os.sep, "/") for p in ROOT.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(ROOT).parts]


def archive(files: list[str]) -> set[str]:
    lines = (ROOT / ".comfyignore").read_text(encoding="utf-8").splitlines()
    with warnings.catch_warnings():  # pathspec 1.x deprecates the pattern style comfy-cli still uses
        warnings.simplefilter("ignore", DeprecationWarning)
        spec = pathspec.PathSpec.from_lines(
            "gitwildmatch", [s.strip() for s in lines if s.strip() and not s.lstrip().startswith("#")])
    includes = PYPROJECT["tool"]["comfy"].get("includes", [])
    forced = [i.strip("/") for i in includes]
    return {f for f in files
            if not spec.match_file(f) or any(f == i or f.startswith(i + "/") for i in forced)}


def test_registry_archive_leaves_out_the_developer_tooling():
    shipped = archive(pack_files() + ["node_modules/playwright-core/package.json", "tools/__pycache__/x.pyc"])
    assert not [f for f in shipped if f.startswith(DEVELOPER_ONLY) or f in DEVELOPER_ONLY or f.endswith(".pyc")]


def test_registry_archive_holds_everything_the_pack_needs_to_run():
    files = pack_files()
    shipped = archive(files)
    for folder in RUNTIME_FOLDERS:
        inside = [f for f in files if f.startswith(folder + "/")]
        assert inside, f"{folder}/ is empty or missing"
        assert set(inside) <= shipped, f"left out: {sorted(set(inside) - shipped)}"
    for name in RUNTIME_FILES:
        assert name in shipped


def test_registry_metadata_names_the_pack_as_the_docs_do():
    project, comfy = PYPROJECT["project"], PYPROJECT["tool"]["comfy"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.fullmatch(r"[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*", project["name"])  # the registry's node id rules
    assert re.fullmatch(r"\d+\.\d+\.\d+", project["version"])
    assert f'"{comfy["DisplayName"]}"' in readme and project["name"] in readme
    assert comfy["requires-comfyui"] == f">={TESTED_COMFYUI}"
    assert (ROOT / project["license"]["file"]).is_file() and (ROOT / project["readme"]).is_file()


@pytest.mark.parametrize("section", ["project", "tool.comfy"])
def test_registry_metadata_holds_no_placeholders(section):
    table = PYPROJECT
    for key in section.split("."):
        table = table[key]
    text = repr(table)
    for marker in ("<", "TODO", "example.com", "your-", "xxx"):
        assert marker not in text
    for url in table.get("urls", {}).values():
        assert url.startswith("https://")
