"""A Hugging Face hub on loopback, speaking the file-download protocol huggingface_hub uses.

    HEAD/GET <hub>/<org>/<repo>/resolve/main/<path>
        302 to the CDN address, with X-Repo-Commit, X-Linked-Etag ("<sha256>"), X-Linked-Size and
        an ETag, as huggingface.co answers for LFS files (and no X-Xet-* headers, so clients do
        not switch to the xet protocol); or 404 / 401 / 403 with X-Error-Code.
    GET <cdn>/<org>/<repo>/blobs/<sha256>  (another port, so another origin: clients must not send the token)
        the bytes, honouring ``Range: bytes=A-`` and ``bytes=A-B`` with 206 and Content-Range.

Faults, scripted per file the way real CDNs, mirrors and proxies misbehave:
    per body request, in order (``faults``): ``("cut", n)`` send n bytes, then drop the connection;
    ``("hold", n)`` send n bytes, then wait for ``release()``; ``("stall", n)`` send n bytes, then
    nothing, until the client gives up; ``("trickle", n, seconds)`` send n bytes, then 100 bytes
    every so many seconds, until the client gives up; ``("drop",)`` drop before answering; ``("status", code)``;
    ``("swap", n, data)`` send n bytes, then the file is replaced upstream (new ETag; the old blob
    is gone) and the connection dropped.
    for every request: ``storage_size`` (storage holds fewer or more bytes than the hub announces,
    with consistent headers), ``ignore_range`` (always 200 and the whole body), ``extra`` (that
    many bytes more than announced, Content-Length saying so), ``endless`` (no Content-Length, the
    body never ends), ``storage_status`` (every body request gets it: 403, 404, 503…),
    ``meta_status`` (the metadata requests, in order, get these statuses first), ``max_range``
    (a range request gets at most that many bytes, as some CDNs and proxies cap them).
    links: ``rate`` caps each connection (bytes/s, as a CDN caps a stream), ``link_rate`` caps all
    connections to the file together (as the user's line does).
Every request is recorded with the bytes it was sent. Runs in a thread (tests) or as a process
(``python tests/fake_hub.py DATAFILE REPO PATH [LINK_MB] [CONNECTION_MB]``, for the benchmark).
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

COMMIT = "c0ffee" + "0" * 34
BODY_CHUNK = 256 << 10
LINK_BURST_S = 0.02


@dataclass
class HubFile:
    data: bytes | Path
    sha256: str
    size: int
    status: int | None = None  # answer the metadata request with this error
    linked_size: int | None = None  # what to advertise instead of the real size
    faults: list = field(default_factory=list)  # per body request, in order: see the module's docstring
    rate: float | None = None  # bytes per second per connection
    link_rate: float | None = None  # bytes per second over all connections together
    storage_size: int | None = None
    ignore_range: bool = False
    extra: int = 0
    endless: bool = False
    storage_status: int | None = None
    max_range: int | None = None  # answer a range request with at most this many bytes (consistent headers)
    meta_status: list = field(default_factory=list)
    _link_free_at: float = 0.0  # when the shared link has sent what it was given

    @property
    def served(self) -> int:
        return self.size if self.storage_size is None else self.storage_size

    def read(self, start: int, end: int, handle=None) -> bytes:
        if start >= self.size:  # past the real bytes (oversize, endless): filler
            return b"\xff" * (end - start)
        if end > self.size:
            return self.read(start, self.size, handle) + self.read(self.size, end)
        if isinstance(self.data, bytes):
            return self.data[start:end]
        handle.seek(start)  # one handle per request
        return handle.read(end - start)


@dataclass
class Request:
    origin: str  # "hub" or "cdn"
    method: str
    path: str
    range: str | None
    authorization: str | None
    sent: int = 0  # body bytes written to the socket


class FakeHub:
    def __init__(self):
        self.files: dict[tuple[str, str], HubFile] = {}
        self.blobs: dict[tuple[str, str], HubFile] = {}  # per repo, so two files' faults stay apart
        self.requests: list[Request] = []
        self.cuts = 0  # connections dropped mid-body by a fault
        self._release = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.hub_url = self.cdn_url = ""

    # -- scripting -------------------------------------------------------------------------
    def add(self, repo: str, path: str, data: bytes | Path, *, sha256: str | None = None, **options) -> HubFile:
        if sha256 is None:
            sha256 = hashlib.sha256(data if isinstance(data, bytes) else Path(data).read_bytes()).hexdigest()
        size = len(data) if isinstance(data, bytes) else Path(data).stat().st_size
        f = HubFile(data, sha256, size, **options)
        self.files[(repo, path)] = f
        self.blobs[(repo, sha256)] = f
        return f

    def release(self) -> None:
        self._release.set()

    def body_requests(self) -> list[Request]:
        return [r for r in self.requests if r.origin == "cdn" and r.method == "GET"]

    def bytes_sent(self) -> int:
        return sum(r.sent for r in self.requests)

    # -- protocol ----------------------------------------------------------------------------
    async def _resolve(self, request: web.Request) -> web.Response:
        self.requests.append(Request("hub", request.method, request.path, None,
                                     request.headers.get("Authorization")))
        repo = f"{request.match_info['org']}/{request.match_info['name']}"
        f = self.files.get((repo, request.match_info["path"]))
        headers = {"X-Repo-Commit": COMMIT}
        if f is not None and f.meta_status:
            return web.Response(status=f.meta_status.pop(0))
        if f is None:
            return web.Response(status=404, headers={**headers, "X-Error-Code": "EntryNotFound",
                                                     "X-Error-Message": "Entry not found"})
        if f.status == 401:
            return web.Response(status=401, headers={"X-Error-Message": "Access to this model is restricted."})
        if f.status == 403:
            return web.Response(status=403, headers={"X-Error-Code": "GatedRepo",
                                                     "X-Error-Message": "Access to this model is restricted."})
        if f.status is not None:
            return web.Response(status=f.status)
        headers.update({
            "Location": f"{self.cdn_url}/{repo}/blobs/{f.sha256}?signed=1",
            "X-Linked-Etag": f'"{f.sha256}"',
            "X-Linked-Size": str(f.linked_size if f.linked_size is not None else f.size),
            "ETag": '"' + hashlib.sha1(f.sha256.encode()).hexdigest() + '"',
        })
        return web.Response(status=302, headers=headers)

    def _swap(self, old: HubFile, data: bytes) -> None:
        for key, value in list(self.files.items()):
            if value is old:
                self.add(key[0], key[1], data)
                self.blobs.pop((key[0], old.sha256), None)

    async def _pace(self, f: HubFile, record: Request, began: float, n: int) -> None:
        loop = asyncio.get_running_loop()
        wait_until = began + record.sent / f.rate if f.rate else 0.0
        if f.link_rate:  # a token bucket: up to LINK_BURST_S of idle line may be caught up, as timers overshoot
            f._link_free_at = max(loop.time() - LINK_BURST_S, f._link_free_at) + n / f.link_rate
            wait_until = max(wait_until, f._link_free_at)
        await asyncio.sleep(max(0.0, wait_until - loop.time()))

    async def _blob(self, request: web.Request) -> web.StreamResponse:
        record = Request("cdn", request.method, request.path, request.headers.get("Range"),
                         request.headers.get("Authorization"))
        self.requests.append(record)
        f = self.blobs.get((f"{request.match_info['org']}/{request.match_info['name']}", request.match_info["sha"]))
        if f is None:
            return web.Response(status=404)
        if f.storage_status is not None:
            return web.Response(status=f.storage_status)
        fault = f.faults.pop(0) if f.faults and request.method == "GET" else None
        if fault and fault[0] == "drop":
            request.transport.abort()
            return web.Response(status=500)
        if fault and fault[0] == "status":
            return web.Response(status=fault[1])
        size = f.served
        start, end = 0, size + f.extra  # end: exclusive
        if record.range and not f.ignore_range and not f.endless:
            first, _, last = record.range.split("=")[1].partition("-")
            start = int(first)
            if last:
                end = min(int(last) + 1, end)
            if f.max_range:
                end = min(end, start + f.max_range)
            if start >= size:
                return web.Response(status=416, headers={"Content-Range": f"bytes */{size}"})
        plain = fault is None and not (f.rate or f.link_rate or f.extra or f.endless or f.storage_size is not None
                                       or f.ignore_range)
        if isinstance(f.data, Path) and plain:
            record.sent = (end - start) if request.method == "GET" else 0
            return web.FileResponse(f.data, headers={"ETag": f'"{f.sha256}"'})  # sendfile, ranges too: the fast path
        partial = bool(record.range) and not (f.ignore_range or f.endless)
        headers = {"Accept-Ranges": "bytes", "ETag": f'"{f.sha256}"', "Content-Type": "application/octet-stream"}
        if not f.endless:
            headers["Content-Length"] = str(end - start)
        if partial:
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        response = web.StreamResponse(status=206 if partial else 200, headers=headers)
        await response.prepare(request)
        if request.method == "HEAD":
            return response
        handle = open(f.data, "rb") if isinstance(f.data, Path) else None
        try:
            return await self._send(request, response, f, record, fault, start, end, handle)
        finally:
            if handle is not None:
                handle.close()

    async def _send(self, request, response, f: HubFile, record: Request, fault, start: int, end: int,
                    handle) -> web.StreamResponse:
        stop = start + fault[1] if fault and fault[0] in ("cut", "hold", "stall", "swap", "trickle") else None
        position = start
        loop = asyncio.get_running_loop()
        began = loop.time()
        while f.endless or position < end:
            if stop is not None and position >= stop:
                if fault[0] in ("cut", "swap"):
                    self.cuts += 1
                    if fault[0] == "swap":
                        self._swap(f, fault[2])
                    await asyncio.sleep(0.05)  # let the bytes written so far leave the process
                    request.transport.abort()
                    return response
                if fault[0] == "trickle":  # 100 bytes every fault[2] seconds, forever
                    while not request.transport.is_closing():
                        await response.write(f.read(position, position + 100, handle))
                        record.sent += 100
                        position += 100
                        await asyncio.sleep(fault[2])
                    return response
                if fault[0] == "stall":
                    while not request.transport.is_closing():
                        await asyncio.sleep(0.05)
                    return response
                await loop.run_in_executor(None, self._release.wait, 30)
                stop = None
            chunk_end = position + BODY_CHUNK if stop is None else min(position + BODY_CHUNK, stop)
            if not f.endless:
                chunk_end = min(chunk_end, end)
            try:
                await response.write(f.read(position, chunk_end, handle))
            except (ConnectionError, RuntimeError):
                return response  # the client hung up (it had what it asked for)
            n, position = chunk_end - position, chunk_end
            record.sent += n
            if f.rate or f.link_rate:
                await self._pace(f, record, began, n)
            elif f.endless:
                await asyncio.sleep(0)
        await response.write_eof()
        return response

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response({"requests": len(self.requests), "bytes_sent": self.bytes_sent(), "cuts": self.cuts})

    async def _script(self, request: web.Request) -> web.Response:
        """For a hub in another process: ``{"repo", "path", "faults": [["cut", n], …]}``."""
        body = await request.json()
        self.files[(body["repo"], body["path"])].faults = [tuple(x) for x in body["faults"]]
        return web.json_response({})

    # -- running -----------------------------------------------------------------------------
    async def _start(self) -> None:
        hub = web.Application()
        hub.router.add_route("*", "/{org}/{name}/resolve/main/{path:.+}", self._resolve)
        hub.router.add_get("/_stats", self._stats)
        hub.router.add_post("/_faults", self._script)
        cdn = web.Application()
        cdn.router.add_route("*", "/{org}/{name}/blobs/{sha}", self._blob)
        self._runners = [web.AppRunner(hub, access_log=None), web.AppRunner(cdn, access_log=None)]
        ports = []
        for runner in self._runners:
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            ports.append(runner.addresses[0][1])
        self.hub_url, self.cdn_url = (f"http://127.0.0.1:{p}" for p in ports)

    def start(self) -> "FakeHub":
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake hub", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake hub did not start within 10 s")
        return self

    def stop(self) -> None:
        self.release()
        if self._loop is None:
            return

        async def cleanup() -> None:
            for runner in self._runners:
                await runner.cleanup()
        asyncio.run_coroutine_threadsafe(cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def main(argv: list[str]) -> None:
    """Serve DATAFILE until stdin closes, and print the addresses: as REPO/PATH (ETag: its
    sha256), as REPO-unverified/PATH (an ETag that is no sha256, so clients cannot verify it), as
    REPO-throttled/PATH over a link of LINK_MB megabytes per second in all (default 250) and as
    REPO-capped/PATH at CONNECTION_MB megabytes per second per connection (default 50)."""
    data, repo, path = Path(argv[0]), argv[1], argv[2]
    link = float(argv[3]) * 1e6 if len(argv) > 3 else 250e6
    per_connection = float(argv[4]) * 1e6 if len(argv) > 4 else 50e6
    hub = FakeHub()
    hub.add(repo, path, data)
    hub.add(repo + "-unverified", path, data, sha256=hashlib.sha1(data.name.encode()).hexdigest())
    hub.add(repo + "-throttled", path, data, link_rate=link)
    hub.add(repo + "-capped", path, data, rate=per_connection)
    hub.start()
    print(json.dumps({"hub": hub.hub_url, "cdn": hub.cdn_url}), flush=True)
    sys.stdin.read()
    hub.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
