"""HTTP routes for the sidebar: where each mode's model files stand, and starting their download.

ComfyUI serves them on its own port (and mirrored under ``/api``). They take only names the pack
knows — a mode, a model set (built-in or the user's), a preset, a manifest file — never a repo,
path or URL; anything else is answered 4xx before anything is written.

``GET /ltx23_aio/models/status?mode=t2v&set=auto&preset=Fast``
    ``mode`` (default: every mode), ``set`` (default ``auto``) and ``preset`` (default: any) are
    optional. 200::

        {"offline": false, "cache_dir": "/home/u/.cache/huggingface/hub",
         "sets": [{"name": "auto", ...}, {"name": "fp8", "label": "fp8 · scaled", "description": "...",
                   "user_defined": false}, ...],
         "broken_sets": {"/…/user/ltx23-aio/model_sets/x.json": "why it was skipped"},
         "modes": [{"mode": "t2v", "title": "Text → Video", "requested": "auto", "set": "fp8",
                    "set_label": "fp8 · scaled", "reason": "auto: RTX 4090, 24 GB, …",
                    "preset": null, "complete": false, "missing_bytes": 13200000000,
                    "files": [{"role": "checkpoint", "name": "ltx-2.3-22b-dev-fp8.safetensors",
                               "folder": "checkpoints", "repo": "Lightricks/LTX-2.3-fp8",
                               "path_in_repo": "ltx-2.3-22b-dev-fp8.safetensors",
                               "size": 29100000000, "size_exact": false, "url": "https://…",
                               "state": "present" | "missing" | "downloading",
                               "path": "/…/models/checkpoints/…" | null,
                               "source": "models" | "hf_cache" | null,
                               "done": 0, "total": 29100000000, "error": null | "why the last try failed"}]}]}

``POST /ltx23_aio/models/download`` with a JSON object, one of::

        {"mode": "t2v", "set": "fp8", "preset": "Fast"}   set defaults to auto, preset to any
        {"file": "ltx-2.3-spatial-upscaler-x2-1.1.safetensors"}   a manifest file

    202 ``{"downloading": [file names], "present": [file names]}``; the download runs on and
    reports through the websocket event below. Files already in the Hugging Face cache are linked
    into ComfyUI's folders before the answer.

``POST /ltx23_aio/models/cancel`` with ``{"file": "<manifest or model set file name>"}``, or ``{}``
    for every running download. 200 ``{"cancelled": [file names]}`` (empty when none was running).
    Each cancelled download ends with the websocket event state ``"cancelled"`` (its ``error``
    says what was kept) and leaves its bytes in the Hugging Face cache for a later resume;
    nothing is linked.

``GET /ltx23_aio/models/downloads``
    200 ``{"downloads": [event payloads]}``: running downloads and how the last ones ended (for a
    page opened mid-download).

Errors: ``{"error": message, "kind": kind}`` with 400 (malformed request), 404 (unknown mode, set,
preset or file), 409 (offline; a file in the way of a link), 413 (body too large), 422 (a user
set's file names no repo), 502 (the hub or its storage refused or could not be reached), 507 (not
enough disk space).

Websocket event ``ltx23_aio.download``, at most every 0.25 s per file and on every change of
state: ``{"file", "folder", "repo", "done", "total", "state": "downloading" | "done" | "error" |
"cancelled", "error"?}``.
"""
from __future__ import annotations

import asyncio
import json
import threading
from typing import TYPE_CHECKING, Any, Callable

from aiohttp import web

from ..model_manifest import FILES
from ..model_store.auto import GpuFacts
from ..model_store.comfy_paths import ComfyPaths, comfy_paths
from ..model_store.errors import ModelFileError, StatusError
from ..model_store.hub import Hub
from ..model_store.jobs import DOWNLOADS, Listener
from ..model_store.sets import AUTO, load_catalog
from ..nodes.modes import MODES

if TYPE_CHECKING:
    from ..model_store.ensure import Fetch

PREFIX = "/ltx23_aio/models"
MAX_BODY = 4096
MAX_NAME = 256
ERROR_STATUS = {"offline": 409, "no_source": 422, "disk_space": 507, "not_found": 502, "access_denied": 502,
                "unreachable": 502, "changed": 502, "storage": 502, "link": 409}


class _Bad(Exception):
    def __init__(self, status: int, message: str, kind: str = "request"):
        super().__init__(message)
        self.status, self.kind = status, kind


def _error(status: int, message: str, kind: str) -> web.Response:
    return web.json_response({"error": message, "kind": kind}, status=status)


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_NAME:
        raise _Bad(400, f"'{what}' must be a non-empty string of at most {MAX_NAME} characters")
    return value


def _store():
    # Planning and downloading load with the first request, not at ComfyUI's startup.
    from ..model_store import ensure
    from . import status
    return ensure, status


class _Routes:
    def __init__(self, comfy: Callable[[], ComfyPaths]):
        self._comfy = comfy

    async def status(self, request: web.Request) -> web.Response:
        try:
            unknown = set(request.query) - {"mode", "set", "preset"}
            if unknown or any(len(request.query.getall(k)) > 1 for k in request.query):
                raise _Bad(400, "parameters: mode, set, preset (each at most once)")
            modes = [_name(request.query["mode"], "mode")] if "mode" in request.query else list(MODES)
            set_name = _name(request.query.get("set", AUTO), "set")
            preset = _name(request.query["preset"], "preset") if "preset" in request.query else None
            comfy, hub = self._comfy(), Hub.from_environment()
            status = _store()[1]
            statuses = await asyncio.to_thread(
                lambda: [status.mode_status(m, set_name, comfy=comfy, hub=hub, preset=preset) for m in modes])
        except _Bad as e:
            return _error(e.status, str(e), e.kind)
        except StatusError as e:
            return _error(404, str(e), "unknown")
        catalog = load_catalog(comfy.user_dir)
        return web.json_response({
            "offline": hub.offline, "cache_dir": str(hub.cache_dir),
            "sets": [{"name": AUTO, "label": "auto", "description": "picked by the GPU and what is present",
                      "user_defined": False}] + [
                {"name": s.name, "label": s.label, "description": s.description, "user_defined": s.user_defined}
                for s in catalog.sets.values()],
            "broken_sets": dict(catalog.broken),
            "modes": [s.to_json(hub) for s in statuses],
        })

    async def _object(self, request: web.Request) -> dict:
        if request.content_length is None or request.content_length > MAX_BODY:
            raise _Bad(413 if request.content_length else 400, f"send a JSON object of at most {MAX_BODY} bytes")
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nesting deeper than Python's stack
            raise _Bad(400, "the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise _Bad(400, "the body must be a JSON object")
        return body

    async def _body(self, request: web.Request) -> dict:
        body = await self._object(request)
        keys = set(body)
        if keys == {"file"} or ("mode" in keys and keys <= {"mode", "set", "preset"}):
            return body
        raise _Bad(400, 'send {"file": name} or {"mode": id, "set": name, "preset": name}')

    def _files(self, body: dict, comfy: ComfyPaths, hub: Hub) -> tuple[dict, str | None, str | None]:
        if "file" in body:
            name = _name(body["file"], "file")
            if name not in FILES:
                raise _Bad(404, f"'{name}' is not a file the pack knows", "unknown")
            return {"file": FILES[name]}, None, None
        status = _store()[1]
        mode = status.get_mode(_name(body["mode"], "mode"))
        preset = _name(body["preset"], "preset") if "preset" in body else None
        model_set, _ = status.choose_set(mode, _name(body.get("set", AUTO), "set"), comfy, hub, preset)
        return status.needed_files(mode, model_set, preset), mode.id, model_set.name

    async def download(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
            comfy, hub = self._comfy(), Hub.from_environment()
            files, mode, set_name = await asyncio.to_thread(self._files, body, comfy, hub)
            plan = await asyncio.to_thread(_store()[0].prepare, files, comfy=comfy, hub=hub, mode=mode,
                                           model_set=set_name)
        except _Bad as e:
            return _error(e.status, str(e), e.kind)
        except StatusError as e:
            return _error(404, str(e), "unknown")
        except ModelFileError as e:
            return _error(ERROR_STATUS.get(e.kind, 500), str(e), e.kind)
        except ValueError as e:  # a path-like name huggingface_hub refuses: a bad model set, not a crash
            return _error(422, f"{e}", "request")
        if plan.files:
            threading.Thread(target=_fetch_in_background, args=(plan, comfy), daemon=True,
                             name="ltx23_aio downloads").start()
        present = {f.name for role, f in files.items() if role in plan.paths}
        return web.json_response({"downloading": [f.name for f in plan.files.values()],
                                  "present": sorted(present)}, status=202)

    async def downloads(self, request: web.Request) -> web.Response:
        return web.json_response({"downloads": DOWNLOADS.snapshot()})

    async def cancel(self, request: web.Request) -> web.Response:
        try:
            body = await self._object(request)
            if set(body) - {"file"}:
                raise _Bad(400, 'send {"file": name} to cancel one download, or {} to cancel them all')
            name = _name(body["file"], "file") if "file" in body else None
        except _Bad as e:
            return _error(e.status, str(e), e.kind)
        return web.json_response({"cancelled": DOWNLOADS.cancel(name)})


def _fetch_in_background(plan: "Fetch", comfy: ComfyPaths) -> None:
    try:
        _store()[0].fetch(plan, comfy=comfy)
    except ModelFileError as e:
        # A failed download has told the listeners already; a file that could not be linked has not.
        if e.kind == "link":
            for f in e.files:
                DOWNLOADS.report_error(f, str(e))


def register_routes(routes: web.RouteTableDef, comfy: Callable[[], ComfyPaths],
                    send: Listener | None = None) -> Callable[[], None]:
    """Add the routes to ``routes``; ``comfy`` gives the adapter for each request, ``send(event,
    payload)`` (ComfyUI: ``PromptServer.instance.send_sync``) gets the download events. Returns
    the way to stop sending them."""
    handlers = _Routes(comfy)
    routes.get(f"{PREFIX}/status")(handlers.status)
    routes.post(f"{PREFIX}/download")(handlers.download)
    routes.get(f"{PREFIX}/downloads")(handlers.downloads)
    routes.post(f"{PREFIX}/cancel")(handlers.cancel)
    return DOWNLOADS.listen(send) if send is not None else (lambda: None)


def register_with_comfyui(gpu: Callable[[], GpuFacts | None] = lambda: None) -> None:
    """Register on the running ComfyUI's server; call once, at import time, from ``__init__.py``."""
    from server import PromptServer

    server = PromptServer.instance
    register_routes(server.routes, lambda: comfy_paths(gpu()), server.send_sync)
