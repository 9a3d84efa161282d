"""The pack's one small node besides the super-nodes: it records the prompt a run was made from.

Core has no node that puts a text into the saved video's metadata or onto the AIO node. It sits
between CreateVideo and SaveVideo, so it runs whenever a new video is saved (a seed-only rerun
too, while the enhancer's text stays cached) and before the file is written.
"""
from __future__ import annotations

import logging

from comfy_api.latest import io

from .modes import NODE_ID_PREFIX, PACK_NAME

log = logging.getLogger("ltx23_aio")

METADATA_KEY = "ltx23_aio"  # as nodes/super_node.py: the run's entry in the video's metadata
PROMPT_KEY = "enhanced_prompt"  # in that entry, and in the node's history entry


def aio_node_id(inner_id: str) -> str:
    """The AIO node an inner node belongs to: inner ids are '<AIO id>.<call>.<graph>.<name>'."""
    return inner_id.split(".", 1)[0]


class PromptNote(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id=NODE_ID_PREFIX + "PromptNote",
            display_name=f"{PACK_NAME} · Prompt note",
            category=PACK_NAME,
            description="Shows the prompt a video was made from on its AIO node and stores it in the video's "
                        "metadata and the history; passes the video through.",
            inputs=[io.Video.Input("video"), io.String.Input("prompt", multiline=True)],
            outputs=[io.Video.Output("video"), io.String.Output("prompt")],
            hidden=[io.Hidden.unique_id, io.Hidden.extra_pnginfo],
            is_dev_only=True,  # part of an expansion, not for the node search
        )

    @classmethod
    def execute(cls, video, prompt: str) -> io.NodeOutput:
        node_id = aio_node_id(str(cls.hidden.unique_id))
        extra = cls.hidden.extra_pnginfo
        if isinstance(extra, dict):
            # The super-node put this run's entry here; SaveVideo, next, copies it into the file.
            extra.setdefault(METADATA_KEY, {}).setdefault(node_id, {})[PROMPT_KEY] = prompt
        log.info("%s: enhanced prompt: %s", PACK_NAME, prompt)
        from .progress import add_note

        add_note(node_id, f"enhanced prompt: {prompt}")
        return io.NodeOutput(video, prompt, ui={PROMPT_KEY: [prompt]})
