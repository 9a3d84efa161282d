"""Files already on disk — in a ComfyUI folder or the Hugging Face cache — are used without network."""
import os
import shutil

import pytest
from huggingface_hub import hf_hub_download
from ltx23_aio.model_manifest import ModelFile
from ltx23_aio.model_store.ensure import ensure_files
from ltx23_aio.model_store.errors import ModelFileError


def test_ensure_uses_a_file_in_a_comfyui_folder_without_network(comfy, comfyui, hf_env, hub_file, fake_hub):
    f = hub_file(name="here.safetensors")
    target = comfyui / "models" / "checkpoints" / "here.safetensors"
    target.parent.mkdir()
    target.write_bytes(b"mine")
    assert ensure_files({"checkpoint": f}, comfy=comfy) == {"checkpoint": str(target)}
    assert fake_hub.requests == []


def test_ensure_uses_a_folder_from_extra_model_paths(comfyui, hf_env, hub_file, fake_hub, tmp_path):
    from ltx23_aio.model_store.comfy_paths import FolderMap
    (comfyui / "extra_model_paths.yaml").write_text(f"big_disk:\n  loras: {tmp_path / 'disk2'}\n")
    (tmp_path / "disk2").mkdir()
    (tmp_path / "disk2" / "l.safetensors").write_bytes(b"lora")
    comfy = FolderMap.for_comfyui(comfyui).paths()
    f = hub_file(name="l.safetensors", folder="loras")
    assert ensure_files({"lora": f}, comfy=comfy) == {"lora": str(tmp_path / "disk2" / "l.safetensors")}
    assert fake_hub.requests == []


def test_ensure_links_a_file_from_the_hf_cache_without_network(comfy, comfyui, hf_env, hub_file, fake_hub):
    f = hub_file(name="te.safetensors", folder="text_encoders", path="split_files/te.safetensors")
    cached = hf_hub_download(f.repo, f.repo_path, cache_dir=hf_env.cache_dir, endpoint=fake_hub.hub_url)
    fake_hub.requests.clear()
    paths = ensure_files({"text_encoder": f}, comfy=comfy)
    link = comfyui / "models" / "text_encoders" / "te.safetensors"
    assert paths == {"text_encoder": str(link)}
    assert os.path.samefile(link, cached)
    assert fake_hub.requests == []


def test_ensure_finds_a_cached_file_at_an_older_revision(comfy, hf_env, hub_file, fake_hub):
    f = hub_file()
    hf_hub_download(f.repo, f.repo_path, cache_dir=hf_env.cache_dir, endpoint=fake_hub.hub_url)
    repo_dir = hf_env.cache_dir / ("models--" + f.repo.replace("/", "--"))
    (repo_dir / "refs" / "main").write_text("f" * 40)  # main moved on to a commit we never fetched
    fake_hub.requests.clear()
    path = ensure_files({"checkpoint": f}, comfy=comfy)["checkpoint"]
    assert open(path, "rb").read() == fake_hub.files[(f.repo, f.repo_path)].data
    assert fake_hub.requests == []


def test_ensure_ignores_a_cached_file_of_another_exact_size(comfy, hf_env, hub_file, fake_hub, monkeypatch):
    f = hub_file(exact=True)
    hf_hub_download(f.repo, f.repo_path, cache_dir=hf_env.cache_dir, endpoint=fake_hub.hub_url)
    other = ModelFile(f.name, f.folder, f.repo, f.path, f.size + 1, size_exact=True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelFileError) as e:
        ensure_files({"checkpoint": other}, comfy=comfy)
    assert e.value.kind == "offline"


def test_ensure_replaces_a_link_left_dangling_by_a_deleted_cache(comfy, comfyui, hf_env, hub_file):
    f = hub_file()
    link = ensure_files({"checkpoint": f}, comfy=comfy)["checkpoint"]
    shutil.rmtree(hf_env.cache_dir)
    assert os.path.islink(link) and not os.path.exists(link)
    assert ensure_files({"checkpoint": f}, comfy=comfy) == {"checkpoint": link}
    assert os.path.getsize(link) == f.size
