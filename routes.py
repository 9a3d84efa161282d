"""The sidebar's route: the modes as ``nodes/modes.py`` defines them, so the browser code never
repeats them.

``GET /ltx23_aio/modes`` (ComfyUI mirrors it under ``/api``) answers 200::

    {"pack": "ltx23-aio",
     "shared": ["prompt", "negative_prompt", "width", ...],
     "example_media": ["ltx23_aio_portrait.png", ...],
     "modes": [{"id": "i2v", "title": "Image → Video", "node_id": "LTX23AIO_ImageToVideo",
                "description": "...", "example": "LTX2.3 AIO - Image to Video",
                "media": [{"name": "image", "kind": "image", "socket": "image_input"}],
                "outputs": ["video", "images", "audio"]}, ...]}

``pack`` is this pack's folder, under which ComfyUI serves the examples
(``/api/workflow_templates/<pack>/<example>.json``) and their media
(``…/<pack>/media/<name>``); ``shared`` are the settings every mode has.

``POST /ltx23_aio/expand`` with ``{"mode", "values", "wired", "primitives"}`` answers the graph an
AIO node runs for those values, for "Open as editable nodes" (see ``nodes/editable.py``): 200
``{"graph", "outputs", "inputs", "params", "notes", ...}`` or 400 ``{"error": message}`` with the
node's own message.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .nodes.modes import MODES, SHARED_DEFAULTS, Mode

ROUTE = "/ltx23_aio/modes"
EXPAND_ROUTE = "/ltx23_aio/expand"
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
            "outputs": list(m.outputs),
        } for m in MODES.values()],
    }


def register(routes, make_plan=None) -> None:
    """Add the routes to an aiohttp ``RouteTableDef`` (ComfyUI: ``PromptServer.instance.routes``).
    ``make_plan(mode, values)`` plans a run; by default in the running ComfyUI, as the node does."""
    from aiohttp import web

    @routes.get(ROUTE)
    async def modes(request: web.Request) -> web.Response:
        return web.json_response(modes_payload())

    @routes.post(EXPAND_ROUTE)
    async def expand(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "the request body is not JSON"}, status=400)
        return await expand_response(body, make_plan)


async def expand_response(body, make_plan=None):
    """Plan in a worker thread (it reads media headers and looks for model files)."""
    import asyncio

    from aiohttp import web

    from .nodes.editable import EditableError, expand_request
    from .nodes.plan import RunError

    if make_plan is None:
        from .nodes.host import make_plan  # ComfyUI's own environment, as the node plans
    try:
        answer = await asyncio.to_thread(expand_request, body, make_plan)
    except (EditableError, RunError) as e:
        return web.json_response({"error": str(e)}, status=400)
    return web.json_response(answer)
