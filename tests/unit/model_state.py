"""What a download left behind, in the Hugging Face cache and in ComfyUI's model folders: what the
fault tests assert after each case."""
from __future__ import annotations

import json
from pathlib import Path

from huggingface_hub import try_to_load_from_cache
from ltx23_aio.model_manifest import ModelFile
from ltx23_aio.model_store import ranges
from ltx23_aio.model_store.cache import QUARANTINE_DIR, repo_dir


def linked(comfyui: Path) -> list[Path]:
    return [p for p in (comfyui / "models").rglob("*") if p.is_symlink() or p.is_file()]


def partials(f: ModelFile, cache_dir) -> list[Path]:
    blobs = repo_dir(cache_dir, f.repo) / "blobs"
    return sorted(blobs.glob("*.ltx23aio-partial")) if blobs.exists() else []


def kept(f: ModelFile, cache_dir) -> int:
    """Bytes of ``f`` recorded as fetched in its partial download (0: none)."""
    found = partials(f, cache_dir)
    assert len(found) <= 1, found
    if not found or not ranges.sidecar_path(found[0]).exists():
        return 0
    size = json.loads(ranges.sidecar_path(found[0]).read_text())["size"]
    return ranges.load(found[0], size).total


def state(f: ModelFile, cache_dir, comfyui: Path) -> dict:
    """The cached file (or None), the bytes kept for a resume, the quarantined copies, and what
    ComfyUI's model folders hold."""
    cached = try_to_load_from_cache(f.repo, f.repo_path, cache_dir=str(cache_dir))
    quarantine = repo_dir(cache_dir, f.repo) / QUARANTINE_DIR
    return {
        "cached": cached if isinstance(cached, str) else None,
        "kept": kept(f, cache_dir),
        "quarantined": sorted(p.name.rsplit(".", 1)[0] for p in quarantine.iterdir()) if quarantine.exists() else [],
        "models": [str(p.relative_to(comfyui / "models")) for p in linked(comfyui)],
    }


def failed_state(kept_bytes: int = 0) -> dict:
    """A download that failed: nothing cached or linked, ``kept_bytes`` kept for a resume."""
    return {"cached": None, "kept": kept_bytes, "quarantined": [], "models": []}
