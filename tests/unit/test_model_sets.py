import gc
import json
import os
from pathlib import Path

import pytest
from ltx23_aio.model_manifest import BUILTIN_SETS
from ltx23_aio.model_store.sets import AUTO, USER_SETS_SUBDIR, ModelSetError, load_catalog, parse_model_set

TINY = json.loads((Path(__file__).parents[1] / "host" / "tiny_model_set.json").read_text())


def write_set(user_dir: Path, filename: str, data) -> Path:
    path = user_dir / USER_SETS_SUBDIR / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_builtin_sets_name_the_real_files():
    fp8 = BUILTIN_SETS["fp8"]
    assert fp8.files["checkpoint"].url == (
        "https://huggingface.co/Lightricks/LTX-2.3-fp8/resolve/main/ltx-2.3-22b-dev-fp8.safetensors")
    assert fp8.files["text_encoder"].url == (
        "https://huggingface.co/Comfy-Org/ltx-2/resolve/main/split_files/text_encoders/"
        "gemma_3_12B_it_fp8_scaled.safetensors")
    assert fp8.files["upscaler"].folder == "latent_upscale_models"
    assert fp8.files["upscaler"].size == 995_743_560
    assert BUILTIN_SETS["nvfp4"].files["text_encoder"].size == 9_447_702_218
    for s in BUILTIN_SETS.values():
        assert s.loaders["text_encoder"].class_type == "LTXAVTextEncoderLoader"


def test_user_set_parses_with_its_own_loaders():
    s = parse_model_set(TINY, "tiny.json")
    assert s.user_defined and s.name == "tiny"
    assert s.loaders["text_encoder"].class_type == "CLIPLoader"
    assert s.files["checkpoint"].folder == "checkpoints"
    assert s.provides["video_vae"] == ("checkpoint", 2)


def test_user_set_with_base_replaces_only_what_it_names():
    s = parse_model_set({"name": "my-finetune", "base": "fp8",
                         "files": {"checkpoint": {"name": "ft.safetensors", "folder": "checkpoints"}}}, "ft.json")
    assert s.files["checkpoint"].name == "ft.safetensors"
    assert s.files["text_encoder"] == BUILTIN_SETS["fp8"].files["text_encoder"]
    assert s.loaders == BUILTIN_SETS["fp8"].loaders


@pytest.mark.parametrize("change, words", [
    ({"name": ""}, ["\"name\" is missing"]),
    ({"name": "fp8"}, ["taken by a built-in"]),
    ({"name": AUTO}, ["taken by a built-in"]),
    ({"base": "fp16"}, ["base 'fp16' is not a built-in"]),
    ({"provides": {**TINY["provides"], "model": ["nowhere", 0]}}, ["loader 'nowhere'"]),
    ({"provides": {**TINY["provides"], "model": "checkpoint"}}, ["[loader name, output index]"]),
    ({"files": {"checkpoint": {"name": "x.safetensors"}}}, ["\"folder\""]),
    ({"files": {"checkpoint": {"name": "../x.safetensors", "folder": "checkpoints"}}}, ["inside its folder"]),
    ({"files": {"checkpoint": {"name": "x", "folder": "checkpoints", "md5": "1"}}}, ["unknown field 'md5'"]),
    *[({"files": {"checkpoint": {"name": "x.safetensors", "folder": "checkpoints", "repo": "o/r", "path": path}}},
       [f"path must be a path inside its repository, not '{path}'"])
      for path in ("../../../../tmp/evil", "a/../../b", "/etc/passwd", "C:/x", "..\\..\\x", "a//b", "")],
    ({"files": {"checkpoint": {"name": "x", "folder": "checkpoints", "repo": "../../x"}}},
     ["repo must be a Hugging Face repository id (\"owner/name\"), not '../../x'"]),
    ({"files": {"checkpoint": {"name": "x", "folder": "../../x"}}}, ["folder must be a ComfyUI model folder name"]),
    ({"files": {"checkpoint": {"name": "C:x", "folder": "checkpoints"}}}, ["inside its folder"]),
    ({"files": {"checkpoint": {"name": "x", "folder": "checkpoints", "size": -1}}}, ["size must be a number"]),
    ({"loaders": {"checkpoint": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": {"file": "ckpt"}}}}},
     ["uses file 'ckpt'"]),
])
def test_user_set_errors_name_the_file_and_problem(change, words):
    data = {**TINY, **change}
    with pytest.raises(ModelSetError) as e:
        parse_model_set(data, "/sets/mine.json")
    assert "/sets/mine.json" in str(e.value)
    for word in words:
        assert word in str(e.value)


def test_user_set_must_provide_every_output():
    data = {**TINY, "provides": {k: v for k, v in TINY["provides"].items() if k != "audio_vae"}}
    with pytest.raises(ModelSetError, match="lacks audio_vae"):
        parse_model_set(data, "x.json")


def test_catalog_lists_auto_builtins_then_user_sets(tmp_path):
    write_set(tmp_path, "tiny.json", TINY)
    catalog = load_catalog(tmp_path)
    assert catalog.names == [AUTO, *BUILTIN_SETS, "tiny"]
    assert catalog.get("tiny").source.endswith("tiny.json")


def test_catalog_keeps_good_sets_and_explains_broken_files(tmp_path):
    write_set(tmp_path, "tiny.json", TINY)
    write_set(tmp_path, "broken.json", "{not json")
    catalog = load_catalog(tmp_path)
    assert "tiny" in catalog.sets
    with pytest.raises(ModelSetError) as e:
        catalog.get("mine")
    assert "unknown model set 'mine'" in str(e.value)
    assert "broken.json" in str(e.value) and "not readable JSON" in str(e.value)


def test_catalog_rereads_a_changed_set_file(tmp_path):
    path = write_set(tmp_path, "tiny.json", TINY)
    assert load_catalog(tmp_path).get("tiny").label == TINY["label"]
    write_set(tmp_path, "tiny.json", {**TINY, "label": "renamed"})
    os.utime(path, ns=(1, 1))  # a new mtime even on coarse clocks
    assert load_catalog(tmp_path).get("tiny").label == "renamed"


def test_catalog_without_user_dir_has_builtins():
    assert load_catalog(None).names == [AUTO, *BUILTIN_SETS]


def test_catalog_reports_a_deeply_nested_set_file_as_broken(tmp_path):
    gc.collect()  # else finalizers of earlier tests' objects may run at the parser's depth, and fail there
    path = write_set(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    catalog = load_catalog(tmp_path)
    assert set(catalog.sets) == set(BUILTIN_SETS) and "not readable JSON" in catalog.broken[str(path)]


def test_a_known_file_named_without_its_source_gets_it_from_the_pack():
    from ltx23_aio.model_manifest import FILES
    from ltx23_aio.model_store.sets import parse_model_set
    old = "ltx-2.3-22b-distilled-lora-384.safetensors"
    s = parse_model_set({"name": "mine", "base": "fp8", "files": {
        "distilled_lora": {"name": old, "folder": "loras"},
        "checkpoint": {"name": "ltx-2.3-22b-dev-fp8.safetensors", "folder": "checkpoints", "size": 123}}},
        "mine.json")
    assert s.files["distilled_lora"] == FILES[old] and s.files["distilled_lora"].repo == "Lightricks/LTX-2.3"
    checkpoint = s.files["checkpoint"]  # the set's own size wins, and is exact
    assert (checkpoint.repo, checkpoint.size, checkpoint.size_exact) == ("Lightricks/LTX-2.3-fp8", 123, True)
    elsewhere = parse_model_set({"name": "other", "base": "fp8", "files": {
        "distilled_lora": {"name": old, "folder": "loras", "repo": "me/mirror"}}}, "other.json")
    assert elsewhere.files["distilled_lora"].repo == "me/mirror" and elsewhere.files["distilled_lora"].size is None
