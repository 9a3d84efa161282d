"""Ask the hub about one file (a HEAD request through huggingface_hub): where its bytes are, their
size, ETag and commit — and turn the hub's refusals into messages that say what to do.

huggingface_hub sends the token from the environment (or its login file) and follows only
redirects that stay on the hub, so the CDN location it reports is fetched without the token.
"""
from __future__ import annotations

import importlib
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from huggingface_hub import get_hf_file_metadata
from huggingface_hub.errors import HfHubHTTPError

from ..model_manifest import ModelFile
from . import errors
from .hub import Hub

SHA256 = re.compile(r"[0-9a-f]{64}")
ETAG_TIMEOUT_S = 10
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


def _transport_errors() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [OSError]  # requests' errors (huggingface_hub 0.x) are OSErrors
    for module in ("httpx2", "httpx"):  # huggingface_hub 2.x, 1.x
        try:
            found.append(importlib.import_module(module).TransportError)
        except (ImportError, AttributeError):
            pass
    return tuple(found)


TRANSPORT_ERRORS = _transport_errors()


@dataclass(frozen=True)
class RemoteFile:
    url: str  # the hub's /resolve/ URL
    location: str  # where the bytes are served (a CDN, or the hub itself)
    etag: str
    commit: str
    size: int
    sha256: str | None  # expected: from the model set, else the hub's LFS ETag

    @property
    def same_origin(self) -> bool:
        a, b = urlsplit(self.url), urlsplit(self.location)
        return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def _status(error: HfHubHTTPError) -> int | None:
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None)


def _metadata(f: ModelFile, hub: Hub):
    # Retried like the transfer: one 503 from a busy hub must not fail a run.
    url = hub.file_url(f.repo, f.repo_path)
    tries = len(hub.retry_waits) + 1
    for attempt in range(tries):
        try:
            return get_hf_file_metadata(url, timeout=ETAG_TIMEOUT_S, endpoint=hub.endpoint)
        except HfHubHTTPError as e:
            status = _status(e)
            if status in (401, 403):
                raise errors.access_denied(f, hub, status) from None
            if status == 404:
                raise errors.not_found(f, hub, status) from None
            if status not in RETRY_STATUS or attempt == tries - 1:
                raise errors.hub_error(f, hub, status, attempt + 1) from None
        except TRANSPORT_ERRORS as e:
            if attempt == tries - 1:
                raise errors.unreachable([f], hub, e) from None
        time.sleep(hub.retry_waits[attempt])


def remote_file(f: ModelFile, hub: Hub) -> RemoteFile:
    """The hub's answer for ``f`` at revision main; ModelFileError when it has none for us."""
    url = hub.file_url(f.repo, f.repo_path)
    meta = _metadata(f, hub)
    if not meta.commit_hash or not meta.etag:
        raise errors.unreachable([f], hub, ValueError(
            "the answer lacks X-Repo-Commit or ETag, so it is not a Hugging Face hub; check HF_ENDPOINT"))

    etag_sha = meta.etag if SHA256.fullmatch(meta.etag) else None
    if f.sha256 and etag_sha and f.sha256.lower() != etag_sha:
        raise errors.changed_upstream(f, "sha256", etag_sha, f.sha256.lower())
    if f.size_exact and f.size is not None and meta.size is not None and meta.size != f.size:
        raise errors.changed_upstream(f, "size", f"{meta.size:,} bytes", f"{f.size:,} bytes")
    size = meta.size if meta.size is not None else (f.size if f.size_exact else None)
    if size is None:
        raise errors.no_size(f, hub)
    return RemoteFile(url, meta.location, meta.etag, meta.commit_hash, size, (f.sha256 or "").lower() or etag_sha)
