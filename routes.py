"""The sidebar's route: the modes as ``nodes/modes.py`` defines them, so the browser code never
repeats them.

``GET /ltx23_aio/modes`` (ComfyUI mirrors it under ``/api``) answers 200::

    {"pack": "ltx23-aio",
     "shared": ["prompt", "negative_prompt", "width", ...],
     "example_media": ["ltx23_aio_portrait.png", ...],
     "modes": [{"id": "i2v", "title": "Image → Video", "node_id": "LTX23AIO_ImageToVideo",
                "description": "...", "example": "LTX2.3 AIO - Image to Video",
                "media": [{"name": "image", "kind": "image", "socket": "image_input"}]}, ...]}

``pack`` is this pack's folder, under which ComfyUI serves the examples
(``/api/workflow_templates/<pack>/<example>.json``) and their media
(``…/<pack>/media/<name>``); ``shared`` are the settings every mode has.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .nodes.modes import MODES, SHARED_DEFAULTS, Mode

ROUTE = "/ltx23_aio/modes"
PACK_DIR = Path(__file__).parent
EXAMPLES_DIR = PACK_DIR / "example_workflows"
# Below the examples folder, so ComfyUI serves the files without listing them as templates.
EXAMPLE_MEDIA_DIR = EXAMPLES_DIR / "media"


def example_name(mode: Mode) -> str:
    """The mode's example workflow: its file name without ``.json``, shown as its title in
    ComfyUI's Templates browser (kept to characters every file system accepts)."""
    return "LTX2.3 AIO - " + mode.title.replace(" → ", " to ").replace("/", "-")


def example_media() -> list[str]:
    if not EXAMPLE_MEDIA_DIR.is_dir():
        return []
    return sorted(p.name for p in EXAMPLE_MEDIA_DIR.iterdir() if p.is_file())


def modes_payload() -> dict[str, Any]:
    return {
        "pack": PACK_DIR.name,
        "shared": list(SHARED_DEFAULTS),
        "example_media": example_media(),
        "modes": [{
            "id": m.id, "title": m.title, "node_id": m.node_id, "description": m.description,
            "example": example_name(m),
            "media": [{"name": i.name, "kind": i.kind, "socket": i.socket} for i in m.media],
        } for m in MODES.values()],
    }


def register(routes) -> None:
    """Add the route to an aiohttp ``RouteTableDef`` (ComfyUI: ``PromptServer.instance.routes``)."""
    from aiohttp import web

    @routes.get(ROUTE)
    async def modes(request: web.Request) -> web.Response:
        return web.json_response(modes_payload())
