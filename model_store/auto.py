"""Pick a built-in model set for this machine's GPU, and say why."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from ..model_manifest import DEFAULT_SET


@dataclass(frozen=True)
class GpuFacts:
    name: str
    vram_gb: float
    compute: tuple[int, int]  # CUDA compute capability (major, minor)


@dataclass(frozen=True)
class Pick:
    name: str
    reason: str


BF16_MIN_VRAM_GB = 48


def candidates(gpu: GpuFacts | None) -> list[Pick]:
    """Built-in sets that suit this GPU, best first."""
    if gpu is None:
        return [Pick(DEFAULT_SET, f"no CUDA GPU found; {DEFAULT_SET} is the smallest set that loads on any device")]
    where = f"{gpu.name}, {gpu.vram_gb:.0f} GB, compute {gpu.compute[0]}.{gpu.compute[1]}"
    picks = []
    if gpu.vram_gb >= BF16_MIN_VRAM_GB:
        picks.append(Pick("bf16", f"{where}: {BF16_MIN_VRAM_GB} GB+ holds the full-precision model"))
    if gpu.compute >= (10, 0):
        picks.append(Pick("nvfp4", f"{where}: Blackwell runs NVFP4 natively, the smallest set"))
    if gpu.compute >= (8, 9):
        picks.append(Pick("fp8", f"{where}: compute 8.9+ runs fp8 matmuls natively"))
    else:
        picks.append(Pick("fp8", f"{where}: fp8 weights halve memory (computed in bf16 below compute 8.9)"))
    return picks


def pick_model_set(gpu: GpuFacts | None, is_complete: Callable[[str], bool] = lambda name: False) -> Pick:
    """The best set for the GPU, unless a lesser one that also suits it is already on disk."""
    options = candidates(gpu)
    for pick in options:
        if is_complete(pick.name):
            if pick is options[0]:
                return Pick(pick.name, pick.reason + "; its files are present")
            return Pick(pick.name, f"{pick.reason}; its files are present, {options[0].name}'s are not")
    return options[0]


@lru_cache(maxsize=1)
def comfy_gpu() -> GpuFacts | None:
    """The GPU the running ComfyUI computes on (None for CPU and non-CUDA devices)."""
    import comfy.model_management as mm
    import torch

    device = mm.get_torch_device()
    if getattr(device, "type", None) != "cuda":
        return None
    props = torch.cuda.get_device_properties(device)
    return GpuFacts(props.name, props.total_memory / 2**30, (props.major, props.minor))
