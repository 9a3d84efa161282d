"""Write README.md's model tables from the model sets and the mode workflows.

    python tools/readme_models.py

Each table sits between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->`` lines and is
replaced as a whole; the text around it is hand-written. A unit test fails when the README holds
something other than what this renders, so the README cannot name a file, size or role the code
does not use.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pack_import import load_pack  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end: (?P=name) -->)", re.S)


def _references(value, kind: str) -> set[str]:
    if isinstance(value, dict):
        if kind in value:
            return {value[kind]}
        return set().union(*(_references(v, kind) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_references(v, kind) for v in value)) if value else set()
    return set()


def mode_needs(mode) -> tuple[list[str], list[str], list[str]]:
    """What a mode reads over all its presets: the file roles of a built-in set it loads, the file
    roles its workflow names itself, and the loader outputs it uses."""
    from ltx23_aio.model_manifest import BUILTIN_SETS, DEFAULT_SET
    from ltx23_aio.model_store.sets import REQUIRED_OUTPUTS
    from ltx23_aio.nodes.modes import MEDIA_LOADERS
    from ltx23_aio.nodes.plan import files_needed, run_params
    from ltx23_aio.nodes.settings import resolve_geometry
    from ltx23_aio.nodes.workflow import MediaSource, apply_choices, apply_preset, build, load_presets, load_workflow

    model_set, workflow = BUILTIN_SETS[DEFAULT_SET], load_workflow(mode.id)
    v = mode.defaults
    params = run_params(mode, v, "-", resolve_geometry(v["width"], v["height"], v["duration"], v["fps"]))
    media = {m.name: MediaSource(*MEDIA_LOADERS[m.kind], file="-") for m in mode.media}
    named, outputs = set(), set()
    # Every option of the workflow's choices too (style's depth and pose name their own models).
    options = [{}, *({name: option} for name, opts in workflow.get("choices", {}).items() for option in opts)]
    for preset in load_presets(mode.id).values():
        for option in options:
            nodes = apply_choices(apply_preset(workflow["nodes"], preset), workflow, {**params, **option})
            runs = build(workflow, preset, {**params, **option}, model_set, media).graph  # without the nodes no output reaches
            for name in nodes.keys() & runs.keys():
                named |= _references(nodes[name]["inputs"], "file")
                outputs |= _references(nodes[name]["inputs"], "model_set")
    loaded = files_needed(mode, model_set)
    return ([r for r in model_set.files if r in loaded], [r for r in model_set.files if r in named],
            [o for o in REQUIRED_OUTPUTS if o in outputs])


def _code(items) -> str:
    return ", ".join(f"`{i}`" for i in items)


def render_sets() -> str:
    from ltx23_aio.model_manifest import BUILTIN_SETS

    first = next(iter(BUILTIN_SETS.values()))
    lines = [f"| set | checkpoint (`models/{first.files['checkpoint'].folder}/`) | text encoder "
             f"(`models/{first.files['text_encoder'].folder}/`) | for |", "|---|---|---|---|"]
    for s in BUILTIN_SETS.values():
        ckpt, te = s.files["checkpoint"], s.files["text_encoder"]
        lines.append(f"| `{s.name}` | {ckpt.name} ({ckpt.size_label}, {ckpt.repo}) | "
                     f"{te.name} ({te.size_label}, {te.repo}) | {s.description} |")
    shared = [role for role in first.files
              if len({s.files[role] for s in BUILTIN_SETS.values()}) == 1]
    lines += ["", "Every built-in set also names these files, the same in each:", "",
              "| role | file (under `models/`) | size | Hugging Face repository |", "|---|---|---|---|"]
    for role in shared:
        f = first.files[role]
        lines.append(f"| `{role}` | {f.folder}/{f.name} | {f.size_label} | {f.repo} |")
    return "\n".join(lines) + "\n"


def render_modes() -> str:
    from ltx23_aio.nodes.modes import MODES

    lines = ["| mode | files it loads from a built-in set | file roles its workflow names | loader outputs it uses |",
             "|---|---|---|---|"]
    for mode in MODES.values():
        loaded, named, outputs = mode_needs(mode)
        lines.append(f"| `{mode.id}` {mode.title} | {_code(loaded)} | {_code(named)} | {_code(outputs)} |")
    return "\n".join(lines) + "\n"


def render_single_file_set() -> str:
    """The default built-in set written out as a user's JSON file: the single-file pattern."""
    from ltx23_aio.model_manifest import BUILTIN_SETS, DEFAULT_SET

    s = BUILTIN_SETS[DEFAULT_SET]
    files = {}
    for role, f in s.files.items():
        entry = {"name": f.name, "folder": f.folder, "repo": f.repo}
        if f.path:
            entry["path"] = f.path
        files[role] = entry
    data = {
        "name": f"my-{s.name}",
        "files": files,
        "loaders": {name: {"class_type": loader.class_type, "inputs": dict(loader.inputs)}
                    for name, loader in s.loaders.items()},
        "provides": {what: list(link) for what, link in s.provides.items()},
    }
    lines = ["```json", "{"]
    for i, (key, value) in enumerate(data.items()):
        comma = "," if i < len(data) - 1 else ""
        if isinstance(value, dict):
            lines.append(f'  "{key}": {{')
            for j, (k, v) in enumerate(value.items()):
                inner = "," if j < len(value) - 1 else ""
                lines.append(f'    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}{inner}')
            lines.append(f"  }}{comma}")
        else:
            lines.append(f'  "{key}": {json.dumps(value)}{comma}')
    lines += ["}", "```"]
    return "\n".join(lines) + "\n"


def render_all() -> dict[str, str]:
    load_pack()
    return {"model-sets": render_sets(), "mode-files": render_modes(), "single-file-set": render_single_file_set()}


def blocks(text: str) -> dict[str, str]:
    return {m["name"]: m["body"] for m in BLOCK.finditer(text)}


def rewrite(text: str, rendered: dict[str, str]) -> str:
    return BLOCK.sub(lambda m: m.group(1) + rendered.get(m["name"], m["body"]) + m.group(4), text)


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    rendered = render_all()
    missing = set(rendered) - set(blocks(text))
    if missing:
        sys.exit(f"README.md has no <!-- generated: … --> block for {', '.join(sorted(missing))}")
    README.write_text(rewrite(text, rendered), encoding="utf-8")
    print(README.relative_to(ROOT))
