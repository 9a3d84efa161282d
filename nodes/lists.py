"""Rows of inputs (your LoRAs, keyframes between the first and last image): reading them from a
node's values, and the run values they become.

ComfyUI hands a DynamicCombo to the node as one dict: ``{"loras": "2", "lora_name1": …,
"lora_strength1": …}``. A prompt, a deferred run node and the editable-nodes request carry the same
values flat, as the frontend names its widgets: ``"loras": "2", "loras.lora_name1": …``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Collection, Mapping

from .modes import FileChoice, ListInput, MediaInput, Mode, NumberInput
from .workflow import LORAS_PARAM, is_link


class ListError(ValueError):
    """A row's value cannot be used; the message names the input and the fix."""


@dataclass(frozen=True)
class Row:
    number: int
    values: Mapping[str, Any]  # field name -> value


def nested(mode: Mode, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values with each list as ComfyUI passes it (one dict), whichever form they came in."""
    out = dict(values)
    for lst in mode.lists:
        group = out.get(lst.name)
        group = dict(group) if isinstance(group, Mapping) else ({lst.name: group} if group is not None else {})
        prefix = lst.name + "."
        for key in [k for k in out if k.startswith(prefix)]:
            group[key[len(prefix):]] = out.pop(key)
        if group:
            out[lst.name] = group
    return out


def flat(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values as a prompt's inputs: each list's dict spread out under its widget names."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            for child, v in value.items():
                out[key if child == key else f"{key}.{child}"] = v
        else:
            out[key] = value
    return out


def wired_children(values: Mapping[str, Any]) -> list[str]:
    """Rows' inputs that arrive as links, by widget name."""
    return [f"{key}.{child}" for key, group in values.items() if isinstance(group, Mapping)
            for child, v in group.items() if is_link(v)]


def rows(lst: ListInput, value: Any) -> list[Row]:
    """The rows a list's value holds; raises ListError naming the bad input."""
    group = value if isinstance(value, Mapping) else {lst.name: lst.default if value is None else value}
    count = group.get(lst.name, lst.default)
    if str(count) not in lst.counts:
        raise ListError(f"{lst.name} must be one of {', '.join(lst.counts)}, but got {count!r}.")
    found = []
    for number in lst.rows(int(count)):
        row = {}
        for field in lst.fields:
            key = f"{field.name}{number}"
            v = group.get(key)
            where = f"{lst.name}.{key}"
            if isinstance(field, NumberInput):
                if v is None:
                    v = lst.field_default(field, number, int(count))
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise ListError(f"{where} must be a number, but got {v!r}: connect a FLOAT or type it on the node.")
                if not field.min <= v <= field.max:
                    raise ListError(f"{where} {v:g} is out of range: use {field.min:g}–{field.max:g}.")
                v = float(v)
            elif not isinstance(v, str) or not v:
                what = "image" if isinstance(field, MediaInput) else "file"
                raise ListError(f"{where}: no {what} chosen. Pick one on the node, or set {lst.name} lower.")
            row[field.name] = v
        found.append(Row(number, row))
    return found


def lora_params(mode: Mode, values: Mapping[str, Any], available: Collection[str] | None) -> list[list]:
    """[[file, strength], …] of the user's LoRAs, each checked against ComfyUI's loras folders
    (``available``; None where they cannot be listed)."""
    lst = next(i for i in mode.lists if i.name == LORAS_PARAM)
    name_field = next(f for f in lst.fields if isinstance(f, FileChoice))
    strength_field = next(f for f in lst.fields if isinstance(f, NumberInput))
    loras = []
    for row in rows(lst, values.get(lst.name)):
        name = row.values[name_field.name]
        if available is not None and name not in available:
            raise ListError(f"LoRA '{name}' ({lst.name}.{name_field.name}{row.number}) is not in ComfyUI's "
                            f"loras folders: put the file in models/loras (or a folder extra_model_paths.yaml "
                            f"adds for loras), refresh the node list (R), or choose another.")
        loras.append([name, row.values[strength_field.name]])
    return loras


def row_key(lst: ListInput, field: str, number: int) -> str:
    """The run value (or media) a row's input becomes: ``keyframes_image3``."""
    return f"{lst.name}_{field}{number}"


def row_media(mode: Mode, values: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Media chosen in the mode's own rows: name -> (kind, file)."""
    found = {}
    for lst in mode.own_lists:
        for row in rows(lst, values.get(lst.name)):
            for field in lst.fields:
                if isinstance(field, MediaInput):
                    found[row_key(lst, field.name, row.number)] = (field.kind, row.values[field.name])
    return found


def row_params(mode: Mode, values: Mapping[str, Any], frames: int, fps: int) -> dict[str, Any]:
    """The run values of the mode's own rows: each number, how many rows (``<list>_rows``), and for
    a time in seconds its frame (``<list>_frame<n>``), checked to fall inside the clip, strictly
    between its fixed first and last frame, and on a frame of its own."""
    params: dict[str, Any] = {}
    for lst in mode.own_lists:
        found = rows(lst, values.get(lst.name))
        params[f"{lst.name}_rows"] = len(found)
        taken: dict[int, str] = {}
        end = (frames - 1) / fps
        for row in found:
            for field in lst.fields:
                if isinstance(field, NumberInput):
                    params[row_key(lst, field.name, row.number)] = row.values[field.name]
            if lst.spread is None:
                continue
            where = f"{lst.name}.{lst.spread}{row.number}"
            seconds = row.values[lst.spread]
            frame = round(seconds * fps)
            if frame > frames - 1:
                raise ListError(f"{where} {seconds:g} s is outside the clip, which ends at {end:.2f} s ({frames} "
                                f"frames at {fps} fps): lower it or lengthen the clip.")
            if frame in (0, frames - 1):
                ends = "first" if frame == 0 else "last"
                raise ListError(f"{where} {seconds:g} s falls on the clip's {ends} frame, which the {ends} image "
                                f"holds: choose a time between 0 and {end:.2f} s, exclusive.")
            if frame in taken:
                raise ListError(f"{where} {seconds:g} s falls on frame {frame}, like {taken[frame]}: give each "
                                f"image its own time (frames are {1 / fps:.3f} s apart).")
            taken[frame] = where
            params[row_key(lst, "frame", row.number)] = frame
    return params


def row_notes(mode: Mode, params: Mapping[str, Any]) -> tuple[str, ...]:
    """What the rows add to the run, for the node's summary and the mp4's metadata."""
    notes = []
    if params.get(LORAS_PARAM):
        notes.append("LoRAs " + ", ".join(f"{name} × {strength:g}" for name, strength in params[LORAS_PARAM]))
    for lst in mode.own_lists:
        frames = [params[row_key(lst, "frame", n)] for n in lst.rows(params.get(f"{lst.name}_rows", 0) + lst.fixed)
                  if row_key(lst, "frame", n) in params]
        if frames:
            notes.append(f"{lst.name} between the first and last at frame{'s' if len(frames) > 1 else ''} "
                         + ", ".join(str(f) for f in frames))
    return tuple(notes)
