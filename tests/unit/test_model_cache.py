"""The Hugging Face cache layout: nothing a repository path says can put a file outside it."""
import pytest
from ltx23_aio.model_store.cache import add_to_cache, find_cached, repo_dir, snapshot_path

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
