"""Tests for afd_keras.data.pipeline on synthetic uint8 data."""

import numpy as np
import pytest
import tensorflow as tf

from afd_keras.data import pipeline


def _images(count=64, size=32, channels=3):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (count, size, size, channels), dtype=np.uint8)
    return tf.data.Dataset.from_tensor_slices((images, np.arange(count))), images


def _all(dataset):
    images, labels = zip(*[(x.numpy(), y.numpy()) for x, y in dataset])
    return np.concatenate(images), np.concatenate(labels)


def test_output_is_float_in_unit_range_and_int_labels():
    dataset, raw = _images()
    images, labels = _all(pipeline.build_pipeline(dataset, batch_size=16))
    assert images.dtype == np.float32 and labels.dtype == np.int32
    assert images.min() >= 0.0 and images.max() <= 1.0
    np.testing.assert_allclose(images, raw / 255.0, atol=1e-7)


def test_seeded_shuffle_is_a_reproducible_permutation():
    dataset, _ = _images()
    first = _all(pipeline.build_pipeline(dataset, batch_size=16, shuffle=True,
                                         seed=3))[1]
    second = _all(pipeline.build_pipeline(dataset, batch_size=16, shuffle=True,
                                          seed=3))[1]
    assert sorted(first) == list(range(64))
    assert first.tolist() != list(range(64))
    np.testing.assert_array_equal(first, second)


def test_reshuffles_every_epoch():
    dataset, _ = _images()
    ds = pipeline.build_pipeline(dataset, batch_size=64, shuffle=True, seed=1)
    assert _all(ds)[1].tolist() != _all(ds)[1].tolist()


def test_crop_flip_keeps_shape_and_range_and_moves_pixels():
    dataset, raw = _images()
    ds = pipeline.build_pipeline(dataset, batch_size=64,
                                 augmentation="crop_flip", seed=0)
    images, labels = _all(ds)
    assert images.shape == raw.shape
    assert images.min() >= 0.0 and images.max() <= 1.0
    np.testing.assert_array_equal(labels, np.arange(64))
    changed = [not np.allclose(images[i], raw[i] / 255.0) for i in range(64)]
    # 81 crop offsets x 2 flips: nearly every image moves.
    assert sum(changed) > 56
    # Padding is zeros, so a shifted crop shows black borders somewhere.
    assert (images == 0.0).any()
    again, _ = _all(pipeline.build_pipeline(dataset, batch_size=64,
                                            augmentation="crop_flip", seed=0))
    np.testing.assert_array_equal(images, again)


def test_num_examples_and_drop_remainder():
    dataset, _ = _images()
    ds = pipeline.build_pipeline(dataset, batch_size=16, num_examples=40,
                                 drop_remainder=True)
    assert [int(x.shape[0]) for x, _ in ds] == [16, 16]


def test_unknown_augmentation_is_rejected():
    dataset, _ = _images()
    with pytest.raises(ValueError, match="Received: augmentation='rotate'"):
        pipeline.build_pipeline(dataset, augmentation="rotate")
