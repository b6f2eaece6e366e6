"""Tests for afd_keras.training.mixing."""

import numpy as np
import pytest
import tensorflow as tf

from afd_keras.training import mixing

SEED = tf.constant([3, 4], tf.int32)


def test_beta_samples_lie_in_unit_interval_with_symmetric_mean():
    samples = mixing.beta_sample([20000], 1.0, SEED).numpy()
    assert samples.min() >= 0.0 and samples.max() <= 1.0
    assert samples.mean() == pytest.approx(0.5, abs=0.01)
    # Beta(1, 1) is uniform: variance 1/12.
    assert samples.var() == pytest.approx(1 / 12, rel=0.05)


def test_mixed_one_hot_labels_sum_to_one():
    labels = tf.one_hot(np.arange(8) % 3, 3)
    images = tf.random.stateless_uniform([8, 4, 4, 1], SEED)
    _, permutation, lam = mixing.mixup(images, 0.5, SEED)
    mixed_labels = mixing.mix(labels, permutation, lam).numpy()
    np.testing.assert_allclose(mixed_labels.sum(axis=1), 1.0, atol=1e-6)


def test_lambda_one_gives_back_the_batch():
    images = tf.random.stateless_uniform([8, 4, 4, 1], SEED)
    permutation = tf.constant([7, 6, 5, 4, 3, 2, 1, 0])
    mixed = mixing.mix(images, permutation, tf.ones([8]))
    np.testing.assert_array_equal(mixed.numpy(), images.numpy())


def test_mixup_is_a_convex_combination_of_two_examples():
    images = tf.random.stateless_uniform([8, 4, 4, 1], SEED)
    mixed, permutation, lam = mixing.mixup(images, 1.0, SEED)
    assert sorted(permutation.numpy().tolist()) == list(range(8))
    expected = (lam.numpy()[:, None, None, None] * images.numpy() +
                (1 - lam.numpy()[:, None, None, None]) *
                images.numpy()[permutation.numpy()])
    np.testing.assert_allclose(mixed.numpy(), expected, atol=1e-6)
