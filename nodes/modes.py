"""The generation modes, as data: each becomes one super-node expanding ``workflows/<id>.json``."""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

NODE_ID_PREFIX = "LTX23AIO_"
PACK_NAME = "LTX2.3 AIO"

# The form every mode shares, with its defaults (the anchors' 1280×720 → 1280×704, 5 s at 24 fps).
SHARED_DEFAULTS = MappingProxyType({
    "prompt": "",
    "negative_prompt": "pc game, console game, video game, cartoon, childish, ugly",
    "width": 1280,
    "height": 704,
    "duration": 5.0,
    "fps": 24,
    "seed": 0,
    "preset": "Fast",
    "models": "auto",
})


@dataclass(frozen=True)
class Mode:
    id: str
    title: str
    node_name: str  # node id without the pack prefix
    description: str

    @property
    def node_id(self) -> str:
        return NODE_ID_PREFIX + self.node_name

    @property
    def display_name(self) -> str:
        return f"{PACK_NAME} · {self.title}"


MODES: Mapping[str, Mode] = MappingProxyType({
    m.id: m for m in (
        Mode("t2v", "Text → Video", "TextToVideo",
             "A video with sound from a prompt. Describe the scene, the motion and the audio."),
    )
})
