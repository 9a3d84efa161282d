"""Write the reference table of every mode × preset's sampling parameters (workflows/recipes.md).

The table is read from the expanded graphs themselves (each mode's defaults, a 1280×704 clip of
5 s at 24 fps, the default model set), so a change to a recipe (a sampler, a sigma, a cfg, a LoRA
strength, a guide strength, a decode setting) shows as a diff of this file in review:

    python tools/recipe_table.py

A unit test fails when the committed table differs from what this renders; after adding a mode or
changing a preset, run it again and commit the table with the change.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pack_import import load_pack  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "workflows" / "recipes.md"

SAMPLERS = ("SamplerCustomAdvanced", "SamplerCustom", "KSampler", "KSamplerAdvanced")
LORAS = ("LoraLoaderModelOnly", "LoraLoader")
GUIDES = ("LTXVAddGuide", "LTXVImgToVideoInplace", "LTXVImgToVideo", "LTXVAudioVideoMask", "SetLatentNoiseMask")
DECODES = ("VAEDecodeTiled", "VAEDecode", "LTXVAudioVAEDecode", "LTXVSpatioTemporalTiledVAEDecode")
LATENT_SOURCES = ("EmptyLTXVLatentVideo", "LTXVEmptyLatentAudio", "LTXVLatentUpsampler", *SAMPLERS)
NOT_VIDEO = ("model", "vae", "audio_vae", "audio_latent", "positive", "negative", "image", "guider", "noise",
             "sampler", "sigmas", "iclora_parameters", "upscale_model")
SKIP = ("model", "positive", "negative", "vae", "latent", "samples", "image", "images", "audio_vae",
        "iclora_parameters", "upscale_model", "mask", "noise", "guider", "sampler", "sigmas", "latent_image",
        "clip", "conditioning")


def _fmt(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class _Reader:
    def __init__(self, expansion):
        self.graph = expansion.graph
        self.param_of = {(node, name): param for param, uses in expansion.params.items() for node, name, _ in uses}
        self.role_of = {f.name: role for role, f in expansion.files.items()}

    def value(self, node_id: str, name: str) -> str:
        text = _fmt(self.graph[node_id]["inputs"][name])
        param = self.param_of.get((node_id, name))
        return f"{text} (`{param}`)" if param else text

    def settings(self, node_id: str) -> str:
        """The node's own settings: its inputs that are values, not links or models."""
        node = self.graph[node_id]
        return ", ".join(f"{k} {self.value(node_id, k)}" for k, v in node["inputs"].items()
                         if k not in SKIP and not isinstance(v, list))

    def link(self, node_id: str, name: str) -> str | None:
        value = self.graph[node_id]["inputs"].get(name)
        return value[0] if isinstance(value, list) and value[0] in self.graph else None

    def ancestors(self, node_id: str) -> set[str]:
        seen, stack = set(), [node_id]
        while stack:
            for v in self.graph[stack.pop()]["inputs"].values():
                if isinstance(v, list) and v[0] in self.graph and v[0] not in seen:
                    seen.add(v[0])
                    stack.append(v[0])
        return seen

    def model(self, node_id: str | None) -> str:
        """The model a guider or sampler uses: the base, then each LoRA with its strength."""
        loras = []
        while node_id and self.graph[node_id]["class_type"] in LORAS:
            inputs = self.graph[node_id]["inputs"]
            loras.append(f"{self.role_of.get(inputs['lora_name'], inputs['lora_name'])} "
                         f"{self.value(node_id, 'strength_model')}")
            node_id = self.link(node_id, "model")
        base = self.graph[node_id]["class_type"] if node_id else "?"
        return " + ".join([f"base ({base})", *reversed(loras)])

    def latent(self, node_id: str) -> str:
        """Where the pass's video latent comes from: its size, an upscale, or an earlier pass."""
        stack, seen = [node_id], set()
        while stack:
            current = stack.pop(0)
            for name, v in self.graph[current]["inputs"].items():
                if not (isinstance(v, list) and v[0] in self.graph) or v[0] in seen or name in NOT_VIDEO:
                    continue
                seen.add(v[0])
                source = self.graph[v[0]]
                if source["class_type"] == "EmptyLTXVLatentVideo":
                    return f"{self.value(v[0], 'width')} × {self.value(v[0], 'height')}"
                if source["class_type"] == "LTXVLatentUpsampler":
                    return f"×2 upscale of `{self.pass_of(v[0])}`"
                if source["class_type"] in SAMPLERS:
                    return f"`{v[0]}`'s result"
                stack.append(v[0])
        return "?"

    def pass_of(self, node_id: str) -> str:
        found = [a for a in self.ancestors(node_id) if self.graph[a]["class_type"] in SAMPLERS]
        return max(found, key=lambda a: len(self.ancestors(a))) if found else "?"


def _sigmas(r: _Reader, node_id: str | None) -> str:
    if node_id is None:
        return "?"
    node = r.graph[node_id]
    if node["class_type"] == "ManualSigmas":
        values = node["inputs"]["sigmas"]
        return f"{len(values.split(',')) - 1} steps: {values}"
    return f"{node['class_type']}: {r.settings(node_id)}"


def _pass_row(r: _Reader, preset: str, node_id: str) -> str:
    node = r.graph[node_id]
    if node["class_type"] in ("KSampler", "KSamplerAdvanced"):
        cells = [r.model(r.link(node_id, "model")), r.value(node_id, "sampler_name"),
                 f"{r.value(node_id, 'steps')} steps, {r.value(node_id, 'scheduler')}", r.value(node_id, "cfg"),
                 r.value(node_id, "seed")]
    else:
        # Any of these may be a node another mode writes differently (or a link from outside).
        guider, noise, sampler = (r.link(node_id, k) for k in ("guider", "noise", "sampler"))
        g = r.graph[guider] if guider else {"class_type": "?", "inputs": {}}
        cfg = (r.value(guider, "cfg") if "cfg" in g["inputs"] else f"{g['class_type']}: {r.settings(guider) if guider else ''}")
        seed = (r.value(noise, "noise_seed") if noise and "noise_seed" in r.graph[noise]["inputs"]
                else r.graph[noise]["class_type"] if noise else "?")
        cells = [r.model(r.link(guider, "model") if guider else None),
                 r.value(sampler, "sampler_name") if sampler and "sampler_name" in r.graph[sampler]["inputs"]
                 else (r.graph[sampler]["class_type"] if sampler else "?"),
                 _sigmas(r, r.link(node_id, "sigmas")), cfg, seed]
    return "| " + " | ".join([preset, f"`{node_id}`", *cells, r.latent(node_id)]) + " |"


def _expand(mode, preset: str):
    from ltx23_aio.model_manifest import BUILTIN_SETS, DEFAULT_SET
    from ltx23_aio.nodes.modes import MEDIA_LOADERS
    from ltx23_aio.nodes.plan import run_params
    from ltx23_aio.nodes.settings import resolve_geometry
    from ltx23_aio.nodes.workflow import MediaSource, build, load_presets, load_workflow

    values = {**mode.defaults, "width": 1280, "height": 704, "duration": 5.0, "fps": 24}
    geometry = resolve_geometry(values["width"], values["height"], values["duration"], values["fps"])
    params = run_params(mode, values, "-", geometry)
    media = {m.name: MediaSource(*MEDIA_LOADERS[m.kind], file=f"{m.name}.file") for m in mode.media}
    return build(load_workflow(mode.id), load_presets(mode.id)[preset], params, BUILTIN_SETS[DEFAULT_SET], media)


def render_mode(mode) -> str:
    from ltx23_aio.nodes.workflow import load_presets, load_workflow

    lines = [f"## `{mode.id}` · {mode.title}", "",
             "| preset | pass | model + LoRAs (strength) | sampler | sigmas / steps | cfg | noise seed | video latent |",
             "|---|---|---|---|---|---|---|---|"]
    others = ["", "| preset | guides (strength, frame) | decode |", "|---|---|---|"]
    for preset in load_presets(mode.id):
        r = _Reader(_expand(mode, preset))
        passes = sorted((n for n, v in r.graph.items() if v["class_type"] in SAMPLERS),
                        key=lambda n: len(r.ancestors(n)))
        lines += [_pass_row(r, preset, n) for n in passes]
        guides = sorted(f"`{n}` {v['class_type']} ({r.settings(n) or '-'})" for n, v in r.graph.items()
                        if v["class_type"] in GUIDES)
        decodes = sorted(f"`{n}` {v['class_type']} ({r.settings(n) or '-'})" for n, v in r.graph.items()
                         if v["class_type"] in DECODES)
        others.append(f"| {preset} | {'<br>'.join(guides) or '-'} | {'<br>'.join(decodes) or '-'} |")
    lines += others
    for choice, options in load_workflow(mode.id).get("choices", {}).items():
        lines += ["", f"`{choice}` options (the same for every preset; they change no sampling parameter):", ""]
        for option, spec in options.items():
            patched = ", ".join(f"`{n}` {p['class_type']}" if "class_type" in p else f"`{n}`"
                                for n, p in spec.get("nodes", {}).items())
            lines.append(f"- **{option}**: {patched or 'the workflow as written'}")
    return "\n".join(lines) + "\n"


def render() -> str:
    load_pack()
    from ltx23_aio.model_manifest import DEFAULT_SET
    from ltx23_aio.nodes.modes import MODES

    head = ["# Recipes: every mode × preset's sampling parameters", "",
            "Generated by `python tools/recipe_table.py` from the expanded graphs (each mode's defaults, "
            f"1280×704, 5 s at 24 fps, model set `{DEFAULT_SET}`); a unit test fails when it differs, so a "
            "recipe change is a visible diff here. A value set by an input of the node names it in "
            "brackets. Passes are in the order they run; \"base\" is the model set's model (the dev "
            "checkpoint in the built-in sets), LoRAs are named by their role in the model set.", "", ""]
    return "\n".join(head) + "\n".join(render_mode(m) + "\n" for m in MODES.values()).rstrip("\n") + "\n"


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(OUT.relative_to(ROOT))
