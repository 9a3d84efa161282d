"""Where the Hugging Face cache is, which hub to ask, and whether we may ask at all.

Read from the environment on every call: ``huggingface_hub`` fixes its own constants (``HF_HOME``,
``HF_HUB_CACHE``, ``HF_ENDPOINT``, ``HF_HUB_OFFLINE``) when it is first imported, which would make
a setting changed afterwards (by a launcher, or a test) silently ignored here. The cache path and
endpoint are then passed to ``huggingface_hub`` explicitly.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping
from urllib.parse import quote

DEFAULT_ENDPOINT = "https://huggingface.co"
TRUE_VALUES = {"1", "ON", "YES", "TRUE"}
# Waits between attempts after a dropped connection; a download gives up (keeping its bytes for
# the next run) after this many attempts in a row that fetched nothing new.
RETRY_WAITS = (1.0, 2.0, 4.0, 8.0)


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

    @classmethod
    def from_environment(cls, **overrides) -> "Hub":
        env = os.environ
        offline = any((env.get(k) or "").upper() in TRUE_VALUES for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))
        hub = cls(_cache_dir(env), (env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/"), offline)
        return replace(hub, **overrides)

    def file_url(self, repo: str, path: str, revision: str = "main") -> str:
        return f"{self.endpoint}/{repo}/resolve/{quote(revision, safe='')}/{quote(path)}"
