"""The Hugging Face cache layout: nothing a repository path says can put a file outside it."""
import pytest
from ltx23_aio.model_manifest import ModelFile
from ltx23_aio.model_store.cache import add_to_cache, find_cached, repo_dir, snapshot_path
from ltx23_aio.model_store.download import fetch_into_cache
from ltx23_aio.model_store.errors import ModelFileError
from ltx23_aio.model_store.remote import RemoteFile

COMMIT = "c0ffee" + "0" * 34
ETAG = "a" * 64


@pytest.mark.parametrize("path", ["../../../../outside.safetensors", "a/../../../../outside", "/etc/passwd",
                                  "C:/x", "a//b", "", "..\\..\\x"])
def test_cache_refuses_a_path_that_leaves_the_snapshot(tmp_path, path):
    with pytest.raises(ValueError, match="is not a path inside a repository"):
        snapshot_path(tmp_path / "hub", "o/r", COMMIT, path)
    blob = repo_dir(tmp_path / "hub", "o/r") / "blobs" / ETAG
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"x")
    with pytest.raises(ValueError):
        add_to_cache(tmp_path / "hub", "o/r", path, ETAG, COMMIT)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_symlink()) == []
    assert find_cached(tmp_path / "hub", "o/r", path) is None


def test_cache_places_a_nested_path_inside_the_snapshot(tmp_path):
    blob = repo_dir(tmp_path / "hub", "o/r") / "blobs" / ETAG
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"x")
    pointer = add_to_cache(tmp_path / "hub", "o/r", "split_files/loras/x.safetensors", ETAG, COMMIT)
    assert pointer == str(repo_dir(tmp_path / "hub", "o/r") / "snapshots" / COMMIT / "split_files" / "loras" /
                          "x.safetensors")
    assert find_cached(tmp_path / "hub", "o/r", "split_files/loras/x.safetensors") == pointer


def test_a_download_whose_path_would_leave_the_cache_writes_nothing(comfy, comfyui, hf_env, fake_hub, tmp_path):
    # Model sets refuse such a path when they are read; this is the check underneath, for any caller.
    f = ModelFile("x.safetensors", "checkpoints", "o/r", "../../../../escaped.safetensors", 10)
    remote = RemoteFile(f"{fake_hub.hub_url}/o/r/resolve/main/x", f"{fake_hub.cdn_url}/o/r/blobs/x", ETAG, COMMIT, 10,
                        None)
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(ModelFileError) as e:
        fetch_into_cache(f, hf_env, remote, lambda done, total: None)
    assert str(e.value) == ("x.safetensors cannot be downloaded: its path in o/r, '../../../../escaped.safetensors', "
                            "would put it outside the Hugging Face cache. Nothing was written; correct the model "
                            "set's \"path\".")
    assert sorted(tmp_path.rglob("*")) == before and fake_hub.requests == []
