"""Ask the hub about one file (a HEAD request through huggingface_hub): where its bytes are, their
size, ETag and commit — and turn the hub's refusals into messages that say what to do.

huggingface_hub sends the token from the environment (or its login file) and follows only
redirects that stay on the hub, so the CDN location it reports is fetched without the token.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from huggingface_hub import get_hf_file_metadata
from huggingface_hub.errors import HfHubHTTPError

from ..model_manifest import ModelFile
from . import errors
from .hub import Hub

SHA256 = re.compile(r"[0-9a-f]{64}")
ETAG_TIMEOUT_S = 10


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
    size: int | None
    sha256: str | None  # expected: from the model set, else the hub's LFS ETag

    @property
    def same_origin(self) -> bool:
        a, b = urlsplit(self.url), urlsplit(self.location)
        return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def _status(error: HfHubHTTPError) -> int | None:
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None)


def remote_file(f: ModelFile, hub: Hub) -> RemoteFile:
    """The hub's answer for ``f`` at revision main; ModelFileError when it has none for us."""
    url = hub.file_url(f.repo, f.repo_path)
    try:
        meta = get_hf_file_metadata(url, timeout=ETAG_TIMEOUT_S, endpoint=hub.endpoint)
    except HfHubHTTPError as e:
        status = _status(e)
        if status in (401, 403):
            raise errors.access_denied(f, url, status, hub) from None
        if status == 404:
            raise errors.not_found(f, url, status) from None
        raise errors.hub_error(f, url, status, e) from None
    except TRANSPORT_ERRORS as e:
        raise errors.unreachable([f], hub, e) from None
    if not meta.commit_hash or not meta.etag:
        raise errors.unreachable([f], hub, ValueError(
            "the answer lacks X-Repo-Commit or ETag, so it is not a Hugging Face hub; check HF_ENDPOINT"))

    etag_sha = meta.etag if SHA256.fullmatch(meta.etag) else None
    if f.sha256 and etag_sha and f.sha256.lower() != etag_sha:
        raise errors.changed_upstream(f, "sha256", etag_sha, f.sha256.lower())
    if f.size_exact and f.size is not None and meta.size is not None and meta.size != f.size:
        raise errors.changed_upstream(f, "size", f"{meta.size:,} bytes", f"{f.size:,} bytes")
    return RemoteFile(url, meta.location, meta.etag, meta.commit_hash,
                      meta.size if meta.size is not None else (f.size if f.size_exact else None),
                      (f.sha256 or "").lower() or etag_sha)
