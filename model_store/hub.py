"""Where the Hugging Face cache is, which hub to ask, and whether we may ask at all.

Read from the environment on every call: ``huggingface_hub`` fixes its own constants (``HF_HOME``,
``HF_HUB_CACHE``, ``HF_ENDPOINT``, ``HF_HUB_OFFLINE``) when it is first imported, which would make
a setting changed afterwards (by a launcher, or a test) silently ignored here. The cache path and
endpoint are then passed to ``huggingface_hub`` explicitly.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping
from urllib.parse import quote, urlsplit, urlunsplit

DEFAULT_ENDPOINT = "https://huggingface.co"
TRUE_VALUES = {"1", "ON", "YES", "TRUE"}
# Waits between attempts after a dropped connection; a download gives up (keeping its bytes for
# the next run) after this many attempts in a row that fetched nothing new.
RETRY_WAITS = (1.0, 2.0, 4.0, 8.0)
CONNECTIONS = 8  # per file, like `aria2c -x8 -s8`; LTX23_AIO_CONNECTIONS changes it (1 = one stream)
MAX_CONNECTIONS = 32
MIN_PIECE = 2 << 20  # the smallest range asked for (the last ones): the sha256 waits for the in-flight ones at the end
READ_TIMEOUT_S = 30.0  # a connection silent this long is dropped and retried


USERINFO = re.compile(r"(\w+://)[^/@\s]*@")


def _connections(env: Mapping[str, str]) -> int:
    try:
        return min(MAX_CONNECTIONS, max(1, int(env.get("LTX23_AIO_CONNECTIONS") or CONNECTIONS)))
    except ValueError:
        return CONNECTIONS


def _path(value: str) -> Path:
    return Path(os.path.expandvars(os.path.expanduser(value)))


def _cache_dir(env: Mapping[str, str]) -> Path:
    # Same precedence as huggingface_hub.constants.
    explicit = env.get("HF_HUB_CACHE") or env.get("HUGGINGFACE_HUB_CACHE")
    if explicit:
        return _path(explicit)
    home = env.get("HF_HOME") or os.path.join(
        env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "huggingface")
    return _path(home) / "hub"


@dataclass(frozen=True)
class Hub:
    cache_dir: Path
    endpoint: str = DEFAULT_ENDPOINT
    offline: bool = False
    retry_waits: tuple[float, ...] = field(default=RETRY_WAITS)
    connections: int = CONNECTIONS
    min_piece: int = MIN_PIECE
    read_timeout: float = READ_TIMEOUT_S

    @classmethod
    def from_environment(cls, **overrides) -> "Hub":
        env = os.environ
        offline = any((env.get(k) or "").upper() in TRUE_VALUES for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))
        hub = cls(_cache_dir(env), (env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/"), offline,
                  connections=_connections(env))
        return replace(hub, **overrides)

    def file_url(self, repo: str, path: str, revision: str = "main") -> str:
        """The URL requests go to; may carry credentials from HF_ENDPOINT: never show it."""
        return f"{self.endpoint}/{repo}/resolve/{quote(revision, safe='')}/{quote(path)}"

    @property
    def public_endpoint(self) -> str:
        """HF_ENDPOINT without the user:password a mirror's address may carry."""
        parts = urlsplit(self.endpoint)
        if not (parts.username or parts.password):
            return self.endpoint
        host = parts.hostname or ""
        netloc = f"[{host}]" if ":" in host else host
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    def public_url(self, repo: str, path: str, revision: str = "main") -> str:
        """``file_url`` as shown in messages, the status route and the command line."""
        return self.public(self.file_url(repo, path, revision))

    def public(self, text: str) -> str:
        """``text`` with the credentials of HF_ENDPOINT taken out, also where a library quoted the
        address its own way (any ``user:password@`` of any URL in it)."""
        text = text.replace(self.endpoint, self.public_endpoint)
        return USERINFO.sub(r"\1", text)
