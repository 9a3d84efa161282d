"""The model folders as ComfyUI computes them, for the command line that does not import ComfyUI."""
import os

import pytest
from ltx23_aio.model_store.comfy_paths import ExtraPathsError, FolderMap


def test_folder_map_follows_comfyui_default_order(comfyui):
    folders = FolderMap.for_comfyui(comfyui)
    models = comfyui / "models"
    assert folders.model_dirs("text_encoders") == [str(models / "text_encoders"), str(models / "clip")]
    assert folders.model_dirs("diffusion_models") == [str(models / "unet"), str(models / "diffusion_models")]
    assert folders.model_dirs("clip") == folders.model_dirs("text_encoders")  # ComfyUI's legacy name


def test_folder_map_reads_extra_model_paths_yaml(comfyui, tmp_path):
    (comfyui / "extra_model_paths.yaml").write_text(
        "shared:\n"
        "  base_path: ../shared\n"
        "  checkpoints: |\n"
        "    ckpts\n"
        "    more_ckpts\n"
        "first:\n"
        f"  base_path: {tmp_path / 'fast'}\n"
        "  is_default: true\n"
        "  loras: loras\n")
    folders = FolderMap.for_comfyui(comfyui)
    assert folders.model_dirs("checkpoints") == [
        str(comfyui / "models" / "checkpoints"), str(tmp_path / "shared" / "ckpts"), str(tmp_path / "shared" / "more_ckpts")]
    assert folders.model_dirs("loras")[0] == str(tmp_path / "fast" / "loras")


def test_folder_map_find_skips_dangling_links(comfyui, tmp_path):
    folders = FolderMap.for_comfyui(comfyui)
    first, second = (comfyui / "models" / "text_encoders"), (comfyui / "models" / "clip")
    first.mkdir()
    second.mkdir()
    os.symlink(tmp_path / "gone.safetensors", first / "te.safetensors")
    (second / "te.safetensors").write_bytes(b"x")
    assert folders.find("text_encoders", "te.safetensors") == str(second / "te.safetensors")


def test_folder_map_rejects_a_malformed_extra_model_paths_yaml(comfyui):
    (comfyui / "extra_model_paths.yaml").write_text("a:\n  checkpoints: [1, 2]\n")
    with pytest.raises(ExtraPathsError, match="a.checkpoints"):
        FolderMap.for_comfyui(comfyui)
