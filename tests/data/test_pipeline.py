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


def test_a_stream_resumed_at_an_epoch_replays_the_same_batches():
    dataset, _ = _images()

    def stream(first_epoch):
        tf.keras.utils.set_random_seed(5)  # as run.train sets it
        return _all(pipeline.build_pipeline(
            dataset, batch_size=16, shuffle=True, augmentation="crop_flip",
            seed=3, epochs=3, first_epoch=first_epoch))

    whole, resumed = stream(0), stream(1)
    assert len(whole[1]) == 3 * 64 and len(resumed[1]) == 2 * 64
    np.testing.assert_array_equal(whole[0][64:], resumed[0])
    np.testing.assert_array_equal(whole[1][64:], resumed[1])
    # Every epoch is a new permutation of all the examples.
    epochs = whole[1].reshape(3, 64)
    assert all(sorted(e) == list(range(64)) for e in epochs)
    assert epochs[0].tolist() != epochs[1].tolist()


def test_a_stream_has_steps_per_epoch_batches_and_ends_empty_when_done():
    dataset, _ = _images()
    ds = pipeline.build_pipeline(dataset, batch_size=16, shuffle=True, seed=0,
                                 epochs=2, steps_per_epoch=6)
    assert int(ds.cardinality()) == 12 and len(list(ds)) == 12
    done = pipeline.build_pipeline(dataset, batch_size=16, shuffle=True, seed=0,
                                   epochs=2, first_epoch=2)
    assert len(list(done)) == 0


def test_a_stream_needs_a_seed():
    dataset, _ = _images()
    with pytest.raises(ValueError, match="Received: seed=None"):
        pipeline.build_pipeline(dataset, batch_size=16, epochs=2)
