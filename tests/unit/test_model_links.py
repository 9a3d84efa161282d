"""Making a cached file visible in ComfyUI's model folder: symlink, else hardlink, else register."""
import errno
import os
import tempfile
from pathlib import Path

import pytest
from ltx23_aio.model_store.links import expose


def cached_file(root: Path, data: bytes = b"weights") -> Path:
    path = root / "hub" / "models--o--r" / "snapshots" / "c" / "split" / "m.safetensors"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    return path


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] if folder.exists() else []


def refuse_symlinks(monkeypatch):
    # What Windows without developer mode does; the one platform behaviour stubbed here.
    def symlink(*args, **kwargs):
        raise OSError(errno.EPERM, "A required privilege is not held by the client")
    monkeypatch.setattr(os, "symlink", symlink)


def test_expose_symlinks_the_file_into_the_first_folder(comfy, comfyui, tmp_path):
    cached = cached_file(tmp_path)
    exposed = expose("text_encoders", "m.safetensors", str(cached), comfy)
    target = comfyui / "models" / "text_encoders" / "m.safetensors"
    assert (exposed.path, exposed.how) == (str(target), "symlink")
    assert os.readlink(target) == str(cached)
    assert leftovers(target.parent) == []


def test_expose_replaces_a_dangling_link(comfy, comfyui, tmp_path):
    target = comfyui / "models" / "checkpoints" / "m.safetensors"
    target.parent.mkdir()
    os.symlink(tmp_path / "deleted-cache" / "m.safetensors", target)
    cached = cached_file(tmp_path)
    expose("checkpoints", "m.safetensors", str(cached), comfy)
    assert target.read_bytes() == b"weights"


def test_expose_hardlinks_where_symlinks_are_refused(comfy, comfyui, tmp_path, monkeypatch):
    cached = cached_file(tmp_path)
    refuse_symlinks(monkeypatch)
    exposed = expose("checkpoints", "m.safetensors", str(cached), comfy)
    assert exposed.how == "hardlink" and "symlink refused" in exposed.note
    assert os.path.samefile(exposed.path, cached)
    assert os.stat(cached).st_nlink == 2  # one file on disk, two names: no copy


@pytest.mark.skipif(not os.path.isdir("/dev/shm") or os.stat("/dev/shm").st_dev == os.stat(tempfile.gettempdir()).st_dev,
                    reason="needs /dev/shm on another volume than the temporary folder")
def test_expose_registers_the_snapshot_folder_across_volumes(comfy, comfyui, monkeypatch):
    refuse_symlinks(monkeypatch)
    with tempfile.TemporaryDirectory(dir="/dev/shm") as other_volume:
        cached = cached_file(Path(other_volume))
        exposed = expose("checkpoints", "m.safetensors", str(cached), comfy)
        assert exposed.how == "registered" and "hardlink refused" in exposed.note
        assert comfy.find("checkpoints", "m.safetensors") == str(cached)
        assert not (comfyui / "models" / "checkpoints" / "m.safetensors").exists()
        assert leftovers(comfyui / "models" / "checkpoints") == []
