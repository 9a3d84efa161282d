"""Write the node help pages (web/docs/<NodeId>/en.md) from the modes, presets and model sets.

ComfyUI's frontend asks for ``docs/<NodeId>/<locale>.md`` first and ``docs/<NodeId>.md`` only when
that is missing (a 404 in the console for every page opened), so the pages live at the first.

    python tools/help_pages.py

The pages are generated so they cannot drift from what the nodes do; a unit test fails when a
committed page differs from what this renders.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pack_import import load_pack  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def render(mode) -> str:
    load_pack()
    from ltx23_aio.model_manifest import BUILTIN_SETS
    from ltx23_aio.nodes.modes import MediaInput, NumberInput
    from ltx23_aio.nodes.options import VOICE_HELP, option_inputs
    from ltx23_aio.nodes.plan import files_needed
    from ltx23_aio.nodes.workflow import load_presets, load_workflow, negative_prompt_use

    shared = {i.name: i.help for i in mode.shared}
    shared["negative_prompt"] += " " + negative_prompt_use(mode.id)

    workflow, presets = load_workflow(mode.id), load_presets(mode.id)
    names = list(presets)
    shared["preset"] = (f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]) + " (below)."
    lines = [f"# {mode.display_name}", "", mode.description, "",
             "When it runs, the node expands into the full LTX-2.3 workflow for this mode, built from "
             f"ComfyUI core nodes (`workflows/modes/{mode.id}.json`): {workflow['description']}", ""]
    if mode.tips:
        lines += ["## Tips", ""] + [f"- {tip}" for tip in mode.tips] + [""]
    lines += ["## Inputs", "", f"- **prompt** — {shared['prompt']}",
              f"- **negative_prompt** — {shared['negative_prompt']}"]
    for i in mode.inputs:
        if isinstance(i, MediaInput):
            article = "an" if i.kind[0] in "aeiou" else "a"
            if i.file_only:
                lines.append(f"- **{i.name}** — {i.tooltip} Pick or upload a file; {article} {i.kind.upper()} wired "
                             f"into **{i.socket}** is refused when you queue.")
            else:
                lines.append(f"- **{i.name}** — {i.tooltip} Pick or upload a file, or wire {article} {i.kind.upper()} "
                             f"into **{i.socket}** (used instead of the file).")
        elif isinstance(i, NumberInput):
            lines.append(f"- **{i.name}** ({i.min:g}–{i.max:g}, default {i.default:g}) — {i.tooltip}")
        else:
            lines.append(f"- **{i.name}** ({' / '.join(i.options)}) — {i.tooltip}")
    lines += [f"- **{k}** — {v.replace('<mode>', mode.id)}" for k, v in shared.items()
              if k not in ("prompt", "negative_prompt")]
    for i in option_inputs(mode):
        if isinstance(i, MediaInput):
            lines.append(f"- **{i.name}** — {VOICE_HELP} Pick or upload a file (`none`: no reference), or wire "
                         f"an AUDIO into **{i.socket}**.")
        else:
            lines.append(f"- **{i.name}** — {i.help}")
    for lst in mode.lists:
        lines.append(f"- **{lst.name}** ({lst.least}–{lst.most}, default {lst.default}) — {lst.help}")
        for f in lst.fields:
            row = f"{f.name}<n>"
            if isinstance(f, NumberInput):
                lines.append(f"  - **{row}** ({f.min:g}–{f.max:g}) — {f.tooltip}")
            else:
                lines.append(f"  - **{row}** — {f.tooltip}")
    audio = ("the input audio, cut to the clip" if "audio_clip" in str(workflow["outputs"]["audio"])
             else "the generated audio")
    outputs = {"video": "the clip with its audio muxed in (also saved as mp4 and shown on the node).",
               "images": "the decoded frames.", "audio": f"{audio}.",
               "prompt": "the prompt the result was made from: the prompt enhancer's text when it is on, else yours."}
    if not mode.makes_video:
        outputs["audio"] = "the generated audio, exactly `duration` long (also saved as FLAC and shown on the node)."
    lines += ["", "## Outputs", ""] + [f"- **{name}** — {outputs[name]}" for name in mode.outputs]
    lines += ["", "## Presets", ""]
    stages = [k for k in next(iter(presets.values())) if k not in ("summary", "nodes")]
    lines += ["| preset | " + " | ".join(stages) + " | in short |",
              "|---|" + "---|" * len(stages) + "---|"]
    for name, p in presets.items():
        lines.append(f"| {name} | " + " | ".join(p[s] for s in stages) + f" | {p['summary']} |")
    if workflow.get("differences"):
        lines += ["", "## Differences from the official graphs", "",
                  "Where this recipe departs from ComfyUI's LTX-2.3 templates or Lightricks' pipelines and "
                  "examples, and why (every sampling parameter per preset: `workflows/recipes.md`):", ""]
        lines += [f"- {d}" for d in workflow["differences"]]
    lines += ["", "## Model sets", "", "| set | files this mode loads | for |", "|---|---|---|"]
    for s in BUILTIN_SETS.values():
        files = files_needed(mode, s)
        listed = ", ".join(f"{f.name} ({f.size_label})" for f in files.values())
        lines.append(f"| {s.name} | {listed} | {s.description} |")
    lines += ["", "Missing files are named with their size and download address when you queue.", "",
              "## See and change what it runs", "",
              "Right-click the node → **Open as editable nodes**: it becomes a subgraph of the core nodes it "
              "runs for its current values, its links moved onto the subgraph (see the README for which can "
              "stay links); the same seed gives the same clip. Ctrl+Z brings the node back.", ""]
    return "\n".join(lines)


def render_all() -> dict[Path, str]:
    load_pack()
    from ltx23_aio.nodes.modes import MODES
    return {ROOT / "web" / "docs" / m.node_id / "en.md": render(m) for m in MODES.values()}


if __name__ == "__main__":
    for path, text in render_all().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path.relative_to(ROOT))
