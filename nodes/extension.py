"""The ComfyUI extension that registers the super-nodes (needs a running ComfyUI)."""
from comfy_api.latest import ComfyExtension, io

from .super_node import node_classes
from .time_mask_node import LatentTimeMask


class LTX23AIOExtension(ComfyExtension):
    async def get_node_list(self) -> list[type[io.ComfyNode]]:
        return node_classes() + [LatentTimeMask]


async def comfy_entrypoint() -> LTX23AIOExtension:
    return LTX23AIOExtension()
