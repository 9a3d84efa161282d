"""The keep-alive connection the ranged downloads use: redirects, the token's origin, reuse."""
import asyncio
import threading

import pytest
from aiohttp import web
from ltx23_aio.model_store.http_client import Connection, origin


@pytest.fixture
def two_origins():
    """Origin A redirects /file to origin B, which serves 10 bytes; both record what they saw."""
    seen = []
    ready = threading.Event()
    state = {}

    async def redirect(request):
        seen.append(("a", request.path, request.headers.get("Authorization"), request.transport.get_extra_info("peername")))
        return web.Response(status=302, headers={"Location": f"{state['b']}/bytes"})

    async def here(request):
        seen.append(("a", request.path, request.headers.get("Authorization"), request.transport.get_extra_info("peername")))
        return web.Response(body=b"0123456789")

    async def serve(request):
        seen.append(("b", request.path, request.headers.get("Authorization"), request.transport.get_extra_info("peername")))
        return web.Response(body=b"0123456789")

    def run():
        loop = asyncio.new_event_loop()
        runners = []
        for routes in ({"/file": redirect, "/here": here}, {"/bytes": serve}):
            app = web.Application()
            for path, handler in routes.items():
                app.router.add_get(path, handler)
            runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", 0).start())
            runners.append(runner)
        state["a"], state["b"] = (f"http://127.0.0.1:{r.addresses[0][1]}" for r in runners)
        state["loop"] = loop
        ready.set()
        loop.run_forever()
    threading.Thread(target=run, daemon=True).start()
    assert ready.wait(10)
    yield state, seen
    state["loop"].call_soon_threadsafe(state["loop"].stop)


def test_connection_sends_the_token_to_its_origin_only_also_across_redirects(two_origins):
    state, seen = two_origins
    connection = Connection(5, {"Authorization": "Bearer secret", "User-Agent": "t"}, origin(state["a"]))
    response = connection.get(state["a"] + "/file", {"Range": "bytes=0-9"})
    assert response.read() == b"0123456789"
    connection.done(response)
    connection.close()
    assert [(who, path, auth) for who, path, auth, _ in seen] == [("a", "/file", "Bearer secret"), ("b", "/bytes", None)]


def test_connection_reuses_one_connection_for_requests_read_to_their_end(two_origins):
    state, seen = two_origins
    connection = Connection(5, {}, origin(state["a"]))
    for _ in range(3):
        response = connection.get(state["a"] + "/here", {})
        assert response.read1(100) == b"0123456789"  # read1 alone does not mark the body complete
        connection.done(response)
    connection.close()
    assert len({peer for _, _, _, peer in seen}) == 1
