"""What the planner needs from the running ComfyUI, read through its public modules."""
from __future__ import annotations

import logging
import os
from functools import lru_cache

from ..model_store.auto import GpuFacts
from .plan import Environment

log = logging.getLogger("ltx23_aio")


@lru_cache(maxsize=1)
def gpu_facts() -> GpuFacts | None:
    import comfy.model_management as mm
    import torch

    device = mm.get_torch_device()
    if getattr(device, "type", None) != "cuda":
        return None
    props = torch.cuda.get_device_properties(device)
    return GpuFacts(props.name, props.total_memory / 2**30, (props.major, props.minor))


def _find_model(folder: str, name: str) -> str | None:
    import folder_paths

    path = folder_paths.get_full_path(folder, name)
    return path if path and os.path.isfile(path) else None


def comfy_environment() -> Environment:
    import comfyui_version
    import folder_paths
    import nodes

    return Environment(
        user_dir=folder_paths.get_user_directory(),
        node_classes=nodes.NODE_CLASS_MAPPINGS,
        # ComfyUI still maps the legacy names "unet" and "clip" onto the new folders.
        model_folders={*folder_paths.folder_names_and_paths, "unet", "clip"},
        find_model=_find_model,
        gpu=gpu_facts(),
        comfyui_version=getattr(comfyui_version, "__version__", "unknown"),
    )
