"""A real ComfyUI server on loopback, and a small client for it (HTTP + websocket).

Each server gets its own base directory (models, input, output, user, custom_nodes with this
pack linked in) and an in-memory database, like ComfyUI's own execution tests.
"""
from __future__ import annotations

import asyncio
import json
import os
import socket
import struct
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

PACK_ROOT = Path(__file__).resolve().parents[2]
PACK_DIR_NAME = "ltx23-aio"
BINARY_TEXT = 3  # protocol.BinaryEventTypes.TEXT: progress text shown on a node


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunResult:
    prompt_id: str
    status: str  # "success" or "error"
    executed: list[str] = field(default_factory=list)  # node ids that really ran, in order
    events: list[dict] = field(default_factory=list)
    history: dict = field(default_factory=dict)
    error: dict | None = None
    seconds: float = 0.0
    node_texts: list[tuple[str, str]] = field(default_factory=list)  # (node id, text) shown on nodes
    pack_events: list[dict] = field(default_factory=list)  # the pack's own events (downloads)

    def outputs_of(self, key: str = "images") -> list[dict]:
        found = []
        for node_out in self.history.get("outputs", {}).values():
            found += node_out.get(key, [])
        return found


class ComfyServer:
    def __init__(self, comfyui: Path, base: Path, python: str | None = None, extra_args: list[str] = (),
                 env: dict[str, str] | None = None, launcher: list[str] = (), cpu: bool = True):
        self.comfyui = comfyui
        self.base = base
        self.python = python or os.environ.get("COMFYUI_PYTHON", sys.executable)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_args = list(extra_args)
        self.env = env or {}
        self.launcher = list(launcher)  # e.g. ["taskset", "-c", "1"]
        self.cpu = cpu  # False: ComfyUI uses its GPU (tests/gpu_check.py)
        self.proc: subprocess.Popen | None = None
        self.log_path = base / "comfyui.log"

    @staticmethod
    def prepare_base(base: Path) -> None:
        for sub in ("custom_nodes", "models", "input", "output", "user"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        link = base / "custom_nodes" / PACK_DIR_NAME
        if not link.exists():
            link.symlink_to(PACK_ROOT, target_is_directory=True)

    def start(self, timeout: float = 120) -> "ComfyServer":
        self.prepare_base(self.base)
        args = [*self.launcher, self.python, "main.py", *(["--cpu"] if self.cpu else []), "--listen", "127.0.0.1",
                "--port", str(self.port),
                "--base-directory", str(self.base), "--database-url", "sqlite:///:memory:",
                "--disable-auto-launch", *self.extra_args]
        self._log = open(self.log_path, "ab")
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self.proc = subprocess.Popen(args, cwd=self.comfyui, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ComfyUI exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                if self.get("/system_stats"):
                    return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"ComfyUI did not start in {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    # --- HTTP ----------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        async def go():
            async with aiohttp.ClientSession() as s:
                async with s.request(method, self.url + path, json=body) as r:
                    text = await r.text()
                    try:
                        return r.status, json.loads(text)
                    except ValueError:
                        return r.status, text
        return asyncio.run(go())

    def get(self, path: str) -> Any:
        status, data = self.request("GET", path)
        return data if status == 200 else None

    def post_prompt(self, prompt: dict, client_id: str | None = None, extra_pnginfo: dict | None = None) -> tuple[int, Any]:
        body = {"prompt": prompt, "client_id": client_id or uuid.uuid4().hex}
        if extra_pnginfo is not None:
            body["extra_data"] = {"extra_pnginfo": extra_pnginfo}
        return self.request("POST", "/prompt", body)

    def run(self, prompt: dict, extra_pnginfo: dict | None = None, timeout: float = 300) -> RunResult:
        """Queue a prompt and follow it over the websocket until it finishes."""
        return asyncio.run(self._run(prompt, extra_pnginfo, timeout))

    async def _run(self, prompt: dict, extra_pnginfo: dict | None, timeout: float) -> RunResult:
        client_id = uuid.uuid4().hex
        async with aiohttp.ClientSession() as s:
            async with s.ws_connect(f"{self.url}/ws?clientId={client_id}") as ws:
                body = {"prompt": prompt, "client_id": client_id,
                        "extra_data": {"extra_pnginfo": extra_pnginfo or {}}}
                started = time.perf_counter()
                async with s.post(self.url + "/prompt", json=body) as r:
                    data = await r.json()
                    if r.status != 200:
                        raise AssertionError(f"prompt rejected ({r.status}): {json.dumps(data, indent=1)}")
                prompt_id = data["prompt_id"]
                result = RunResult(prompt_id, "running")
                deadline = time.monotonic() + timeout
                while result.status == "running":
                    msg = await ws.receive(timeout=max(1.0, deadline - time.monotonic()))
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        kind, = struct.unpack(">I", msg.data[:4])
                        if kind == BINARY_TEXT:
                            size, = struct.unpack(">I", msg.data[4:8])
                            node = msg.data[8:8 + size].decode()
                            result.node_texts.append((node, msg.data[8 + size:].decode()))
                        continue
                    if msg.type != aiohttp.WSMsgType.TEXT:
                        continue
                    event = json.loads(msg.data)
                    event["received"] = time.perf_counter() - started
                    payload = event.get("data", {})
                    if event["type"].startswith("ltx23_aio."):
                        result.pack_events.append(event)
                    if payload.get("prompt_id") != prompt_id:
                        continue
                    result.events.append(event)
                    if event["type"] == "executing" and payload.get("node") is not None:
                        result.executed.append(payload["node"])
                    elif event["type"] == "execution_success":
                        result.status = "success"
                    elif event["type"] == "execution_error":
                        result.status, result.error = "error", payload
                    elif event["type"] == "execution_interrupted":
                        result.status, result.error = "error", payload
                result.seconds = time.perf_counter() - started
            # The worker files the history entry just after it reports success.
            while time.monotonic() < deadline and not result.history:
                async with s.get(f"{self.url}/history/{prompt_id}") as r:
                    result.history = (await r.json()).get(prompt_id, {})
                if not result.history:
                    await asyncio.sleep(0.05)
        return result
