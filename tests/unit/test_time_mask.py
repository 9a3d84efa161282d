"""The noise mask by time (nodes/time_mask.py): which latent steps a time range regenerates."""
import pytest
import torch
from ltx23_aio.nodes.time_mask import audio_spans, in_range, noise_mask, video_spans


def test_video_latent_frames_cover_the_causal_vae_spans():
    # 17 frames at 8 fps: latent frame 0 holds frame 0, then frames 1-8 and 9-16.
    assert video_spans(3, 8.0) == [(0.0, 0.125), (0.125, 1.125), (1.125, 2.125)]


def test_audio_latent_steps_cover_equal_spans():
    assert audio_spans(3, 25.0) == [(0.0, 0.04), (0.04, 0.08), (0.08, 0.12)]


@pytest.mark.parametrize("start, end, expected", [
    (0.5, 1.0, [0, 1, 0]),  # inside frames 1-8 only
    (1.0, 1.5, [0, 1, 1]),  # overlaps both
    (0.0, 0.1, [1, 0, 0]),  # the first frame alone
    (1.125, 9.0, [0, 0, 1]),  # starts exactly where frame 2 starts: frame 1 ends there, so it is kept
    (3.0, 4.0, [0, 0, 0]),  # past the end
    (1.0, 1.0, [0, 0, 0]),  # empty: everything kept
])
def test_steps_overlapping_the_range_are_regenerated(start, end, expected):
    assert in_range(video_spans(3, 8.0), start, end).tolist() == expected


def test_video_mask_has_the_shape_core_ltxv_nodes_use():
    samples = torch.zeros(1, 128, 3, 4, 4)
    mask = noise_mask(samples, torch.tensor([0.0, 1.0, 0.0]))
    assert mask.shape == (1, 1, 3, 1, 1) and mask[0, 0, :, 0, 0].tolist() == [0, 1, 0]


def test_audio_mask_is_per_step_and_per_batch_item():
    samples = torch.zeros(2, 8, 5, 16)
    mask = noise_mask(samples, torch.tensor([0.0, 0.0, 1.0, 1.0, 0.0]))
    assert mask.shape == (2, 1, 5, 1)
    assert mask[1, 0, :, 0].tolist() == [0, 0, 1, 1, 0]
