import pytest
from ltx23_aio.model_store.auto import GpuFacts, pick_model_set


@pytest.mark.parametrize("gpu, expected, words", [
    (None, "fp8", "no CUDA GPU"),
    (GpuFacts("RTX 4090", 24, (8, 9)), "fp8", "fp8 matmuls natively"),
    (GpuFacts("RTX 3090", 24, (8, 6)), "fp8", "computed in bf16"),
    (GpuFacts("RTX 5090", 32, (12, 0)), "nvfp4", "Blackwell"),
    (GpuFacts("RTX 5080", 16, (12, 0)), "nvfp4", "Blackwell"),
    (GpuFacts("H100", 80, (9, 0)), "bf16", "48 GB+"),
    (GpuFacts("RTX 6000 Ada", 48, (8, 9)), "bf16", "48 GB+"),
    (GpuFacts("B200", 180, (10, 0)), "bf16", "48 GB+"),
])
def test_pick_by_memory_and_compute(gpu, expected, words):
    pick = pick_model_set(gpu)
    assert pick.name == expected
    assert words in pick.reason


def test_a_present_lesser_set_wins_over_a_missing_better_one():
    pick = pick_model_set(GpuFacts("RTX 5090", 32, (12, 0)), lambda name: name == "fp8")
    assert pick.name == "fp8"
    assert "nvfp4's are not" in pick.reason


def test_a_present_set_that_does_not_suit_the_gpu_is_not_picked():
    # bf16 does not fit 24 GB even when its files are on disk
    assert pick_model_set(GpuFacts("RTX 4090", 24, (8, 9)), lambda name: name == "bf16").name == "fp8"
