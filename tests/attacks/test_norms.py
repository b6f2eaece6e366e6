"""Tests for afd_keras.attacks.norms: the ball and box invariants."""

import numpy as np
import pytest
import tensorflow as tf

from afd_keras.attacks import norms

SEED = tf.constant([5, 6], tf.int32)


def _images():
    x = np.random.default_rng(0).random((8, 6, 6, 2)).astype("float32")
    x[:, 0] = 0.0
    x[:, -1] = 1.0
    return tf.constant(x)


def _size(delta, norm):
    flat = delta.numpy().reshape(len(delta), -1)
    return np.abs(flat).max(1) if norm == "linf" else np.linalg.norm(flat, axis=1)


@pytest.mark.parametrize("norm,epsilon", [("linf", 0.1), ("l2", 0.5)])
def test_projection_lands_in_ball_and_box(norm, epsilon):
    x = _images()
    big = tf.random.stateless_normal(tf.shape(x), SEED) * 5.0
    delta = norms.project(x, big, epsilon, norm)
    assert (_size(delta, norm) <= epsilon + 1e-6).all()
    assert float(tf.reduce_min(x + delta)) >= 0.0
    assert float(tf.reduce_max(x + delta)) <= 1.0


@pytest.mark.parametrize("norm,epsilon", [("linf", 0.1), ("l2", 0.5)])
def test_random_start_lies_in_ball_and_box(norm, epsilon):
    x = _images()
    delta = norms.random_start(x, epsilon, norm, SEED)
    assert (_size(delta, norm) <= epsilon + 1e-6).all()
    assert float(tf.reduce_min(x + delta)) >= 0.0
    assert float(tf.reduce_max(x + delta)) <= 1.0
    assert float(tf.reduce_max(tf.abs(delta))) > 0.0


@pytest.mark.parametrize("norm", norms.NORMS)
def test_steepest_ascent_has_the_step_length(norm):
    gradient = tf.random.stateless_normal([4, 6, 6, 2], SEED)
    step = norms.steepest_ascent(gradient, 0.2, norm)
    np.testing.assert_allclose(_size(step, norm), 0.2, rtol=1e-5)
