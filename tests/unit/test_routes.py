"""The sidebar's route, served by a real aiohttp server on loopback."""
import asyncio

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from ltx23_aio import routes
from ltx23_aio.nodes.modes import MODES, SHARED_DEFAULTS


def get(path: str) -> tuple[int, dict]:
    async def go():
        table = web.RouteTableDef()
        routes.register(table)
        app = web.Application()
        app.add_routes(table)
        async with TestClient(TestServer(app)) as client:
            response = await client.get(path)
            return response.status, await response.json()
    return asyncio.run(go())


def test_modes_route_lists_every_mode_with_its_node_id():
    status, data = get(routes.ROUTE)
    assert status == 200
    assert [(m["id"], m["node_id"], m["title"]) for m in data["modes"]] == [
        (m.id, m.node_id, m.title) for m in MODES.values()]


def test_modes_route_lists_each_modes_media_with_its_socket():
    _, data = get(routes.ROUTE)
    lipsync = next(m for m in data["modes"] if m["id"] == "lipsync")
    assert lipsync["media"] == [{"name": "image", "kind": "image", "socket": "image_input"},
                                {"name": "audio", "kind": "audio", "socket": "audio_input"}]


def test_modes_route_names_each_modes_outputs():
    _, data = get(routes.ROUTE)
    outputs = {m["id"]: m["outputs"] for m in data["modes"]}
    assert outputs["t2v"] == ["video", "images", "audio"] and outputs["t2a"] == ["audio"]


def test_modes_route_names_the_settings_every_mode_shares():
    _, data = get(routes.ROUTE)
    assert data["shared"] == list(SHARED_DEFAULTS)


def test_example_name_keeps_to_characters_every_file_system_accepts():
    for mode in MODES.values():
        name = routes.example_name(mode)
        assert name.isascii() and not set(name) & set('<>:"/\\|?*'), name
    assert routes.example_name(MODES["keyframe"]) == "LTX2.3 AIO - First-Last frame to Video"


def test_modes_route_names_the_pack_folder_and_each_modes_example():
    _, data = get(routes.ROUTE)
    assert data["pack"] == routes.PACK_DIR.name
    for m in data["modes"]:
        assert (routes.EXAMPLES_DIR / f"{m['example']}.json").is_file(), m["example"]


def test_modes_route_lists_the_example_media_the_pack_ships():
    _, data = get(routes.ROUTE)
    assert data["example_media"] and all((routes.EXAMPLE_MEDIA_DIR / n).is_file() for n in data["example_media"])
