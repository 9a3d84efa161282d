"""Node definitions written more than once in workflows/modes/*.json are pinned equal.

A mode inherits nodes through ``base``/``include`` (written once); a node written again in
another mode's file, or twice in one file, is a copy. Copies are found here automatically: two
nodes are copies when their definitions are equal as written (same class, same inputs, links by
name) or as wired (same class and inputs, links compared by what they lead to, any media input
counting as the same). Every copy must belong to a named shared part below, and every copy of a
part must stay equal to its first: change one and the test names the others to change with it.
"""
from __future__ import annotations

import json
from collections import defaultdict

from ltx23_aio.nodes.modes import MODES
from ltx23_aio.nodes.workflow import WORKFLOW_DIR, is_link, load_workflow

# name -> its copies; each copy is the same chain of nodes, in order, as "<file>.<node>" (the
# mode file that writes the node; "t2v+a2v.<node>" for a node one file writes and another patches).
SHARED_PARTS: dict[str, list[list[str]]] = {
    "image preparation (resize to the clip, cap at 1536, LTXVPreprocess 18)": [
        ["i2v.image_sized", "i2v.image_capped", "i2v.image_prepared"],
        ["keyframe.first_sized", "keyframe.first_capped", "keyframe.first_prepared"],
        ["keyframe.last_sized", "keyframe.last_capped", "keyframe.last_prepared"],
        ["style.style_sized", "style.style_capped", "style.style_prepared"],
    ],
    "distilled LoRA and text conditioning": [
        ["t2v.distilled_model", "t2v.positive_text", "t2v.negative_text", "t2v.conditioning"],
        ["style.distilled_model", "style.positive_text", "style.negative_text", "style.conditioning"],
        ["retake.distilled_model", "retake.positive_text", "retake.negative_text", "retake.conditioning"],
        ["t2a.distilled_model", "t2a.positive_text", "t2a.negative_text", "t2a.conditioning"],
    ],
    "distilled 8-step pass (seeded noise, euler_ancestral_cfg_pp, manual sigmas)": [
        ["t2v.stage1_noise", "t2v.stage1_sampler", "t2v.stage1_sigmas"],
        ["style.pass1_noise", "style.pass1_sampler", "style.pass1_sigmas"],
        ["retake.pass1_noise", "retake.pass1_sampler", "retake.pass1_sigmas"],
        ["t2a.pass1_noise", "t2a.pass1_sampler", "t2a.pass1_sigmas"],
    ],
    # The sigmas differ: style refines at the same size from 0.725 (Balanced) or, upscaled, from
    # 0.909375 (Quality); the other modes from 0.85 after the upscale.
    "distilled refine (fixed noise, euler_cfg_pp)": [
        ["t2v.stage2_noise", "t2v.stage2_sampler"],
        ["style.refine_noise", "style.refine_sampler"],
    ],
    # Fast guides both stages alike; the presets patch stage 1 only.
    "Fast guider (distilled model, cfg 1)": [
        ["t2v.stage1_guider"],
        ["t2v.stage2_guider"],
        ["retake.pass1_guider"],
    ],
    "the saved mp4 (SaveVideo, format and codec auto)": [
        ["t2v.save"],
        ["style.save"],
        ["retake.save"],
    ],
    "the mp4 of the decoded frames and sound": [
        ["t2v.video"],
        ["retake.video"],
    ],
    "source video's frames cut to the clip and sized": [
        ["style.source_frames", "style.source_sized"],
        ["retake.source_frames", "retake.source_sized"],
        ["dub.source_frames", "dub.source_sized"],
    ],
    "source video's sound cut to the clip": [
        ["style.audio_cut"],
        ["retake.audio_cut"],
        ["dub.source_voice"],
    ],
    "one pass sampled and split into video and audio": [
        ["style.pass1_sample", "style.pass1_split"],
        ["retake.pass1_sample", "retake.pass1_split"],
        ["t2a.pass1_sample", "t2a.pass1_split"],
    ],
    "the whole source video's frames and sound": [
        ["extend.source_parts"],
        ["retake.source_parts"],
    ],
    "silence the length of the clip": [
        ["a2v.silence"],
        ["style.silence"],
        ["retake.silence"],
        ["extend.clip_silence"],
    ],
    "audio padded with that silence to the clip and encoded": [
        ["a2v.audio_padded", "a2v.audio_clip", "a2v.audio_latent"],
        ["style.audio_padded", "style.audio_clip", "style.audio_latent"],
        ["retake.audio_padded", "retake.audio_clip", "retake.audio_latent"],
    ],
    "kept audio (frozen by a zero noise mask, muxed as is)": [
        ["a2v.audio_keep_mask", "a2v.audio_frozen", "t2v+a2v.video"],
        ["style.audio_keep_mask", "style.audio_frozen", "style.video"],
    ],
    # Dub video guides both stages with the source, as First/Last frame does with its images.
    "guides cropped before the upscale and before decoding": [
        ["t2v+keyframe.upscale", "t2v+keyframe.decode"],
        ["t2v+dub.upscale", "t2v+dub.decode"],
    ],
    "the sound decoded from the sampled audio latent": [
        ["retake.decode_audio"],
        ["t2a.decode_audio"],
    ],
    "source video split into frames and sound": [
        ["style.source_parts"],
        ["dub.source_parts"],
    ],
    # Lightricks' DubIt samples both stages with plain euler.
    "DubIt sampler (euler)": [
        ["t2v+dub.stage1_sampler"],
        ["t2v+dub.stage2_sampler"],
    ],
}


def _raw(name: str) -> dict:
    return json.loads((WORKFLOW_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _files_of(mode: str) -> list[str]:
    """The mode files that write a mode's nodes, in the order nodes/workflow.py applies them."""
    raw = _raw(mode)
    if "base" not in raw:
        return [mode]
    return _files_of(raw["base"]) + list(raw.get("include", [])) + [mode]


def _wired(nodes: dict, name: str, memo: dict) -> tuple:
    if name not in memo:
        node, inputs = nodes[name], []
        for key, value in sorted(node["inputs"].items()):
            if is_link(value) and value[0] in nodes:
                value = ("link", _wired(nodes, value[0], memo), value[1])
            elif isinstance(value, dict) and "media" in value:
                value = ("media",)
            else:
                value = json.dumps(value, sort_keys=True)
            inputs.append((key, value))
        memo[name] = (node["class_type"], tuple(inputs))
    return memo[name]


def written_nodes() -> tuple[dict[str, dict], dict[str, set]]:
    """Every node as written ("<file>.<node>" -> definition), and the keys it compares by."""
    definitions, keys = {}, defaultdict(set)
    for mode in MODES:
        nodes, memo = load_workflow(mode)["nodes"], {}
        for name, node in nodes.items():
            origin = "+".join(f for f in _files_of(mode) if name in _raw(f).get("nodes", {}))
            ref = f"{origin}.{name}"
            definitions[ref] = node
            keys[ref].add(("as written", json.dumps(node, sort_keys=True)))
            keys[ref].add(("as wired", _wired(nodes, name, memo)))
    return definitions, keys


def copy_groups(keys: dict[str, set]) -> list[set[str]]:
    """Nodes linked by any shared key, as groups of two or more."""
    by_key = defaultdict(set)
    for ref, ks in keys.items():
        for k in ks:
            by_key[k].add(ref)
    groups: list[set[str]] = []
    for members in by_key.values():
        if len(members) < 2:
            continue
        joined = set(members)
        for g in [g for g in groups if g & joined]:
            joined |= g
            groups.remove(g)
        groups.append(joined)
    return groups


def test_shared_parts_name_nodes_the_workflows_write():
    definitions, _ = written_nodes()
    for part, copies in SHARED_PARTS.items():
        assert len(copies) > 1 and len({len(c) for c in copies}) == 1, f"{part}: copies of unequal length"
        for ref in (r for c in copies for r in c):
            assert ref in definitions, f"{part}: no node {ref} in workflows/modes"


def test_every_copy_of_a_shared_part_equals_the_first():
    _, keys = written_nodes()
    for part, copies in SHARED_PARTS.items():
        for copy in copies[1:]:
            for first, other in zip(copies[0], copy):
                assert keys[first] & keys[other], (
                    f"'{part}': {other} no longer equals {first}; change every copy "
                    f"({', '.join(c[copies[0].index(first)] for c in copies)}) or leave the part")


def test_every_repeated_node_definition_belongs_to_a_shared_part():
    _, keys = written_nodes()
    declared = [{c[i] for c in copies} for copies in SHARED_PARTS.values() for i in range(len(copies[0]))]
    for group in copy_groups(keys):
        assert group in declared, (
            f"{', '.join(sorted(group))} are written alike in several places: inherit the node through "
            f"base/include, or name the copies as a shared part in {__name__}.SHARED_PARTS")


def test_copies_are_found_as_written_and_as_wired():
    # The finder itself: a node equal to one as written and to another as wired joins both.
    keys = {"a.x": {("as written", "1")}, "b.x": {("as written", "1"), ("as wired", "w")},
            "c.y": {("as wired", "w")}, "d.z": {("as written", "2")}}
    assert copy_groups(keys) == [{"a.x", "b.x", "c.y"}]
