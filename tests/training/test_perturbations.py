"""Tests for afd_keras.training.perturbations: the L-inf invariants."""

import numpy as np
import pytest
import tensorflow as tf

from afd_keras.training import perturbations

EPSILON = 0.3
SEED = tf.constant([1, 2], tf.int32)


def _images():
    # Include exact 0s and 1s so that clipping at the box edges is exercised.
    x = np.random.default_rng(0).random((16, 8, 8, 1)).astype("float32")
    x[:, :2] = 0.0
    x[:, -2:] = 1.0
    return tf.constant(x)


@pytest.mark.parametrize("init", perturbations.INITS)
def test_init_stays_in_ball_and_box(init):
    x = _images()
    delta = perturbations.initial_perturbation(x, EPSILON, init, SEED).numpy()
    assert np.abs(delta).max() <= EPSILON + 1e-6
    assert (x.numpy() + delta).min() >= 0.0 and (x.numpy() + delta).max() <= 1.0


def test_sign_init_is_a_vertex_where_clipping_does_not_bite():
    x = _images().numpy()
    delta = perturbations.initial_perturbation(
        tf.constant(x), EPSILON, "sign", SEED).numpy()
    interior = (x >= EPSILON) & (x <= 1.0 - EPSILON)
    assert interior.sum() > 100
    np.testing.assert_allclose(np.abs(delta[interior]), EPSILON, atol=1e-6)
    # Both signs occur, about equally often.
    assert 0.4 < (delta[interior] > 0).mean() < 0.6


def test_uniform_init_fills_the_ball():
    x = tf.fill([64, 8, 8, 1], 0.5)
    delta = perturbations.initial_perturbation(x, EPSILON, "uniform", SEED).numpy()
    assert np.abs(delta).mean() == pytest.approx(EPSILON / 2, rel=0.05)


def test_zero_init_and_zero_epsilon_give_no_perturbation():
    x = _images()
    assert not perturbations.initial_perturbation(x, EPSILON, "zero", SEED).numpy().any()
    assert not perturbations.initial_perturbation(x, 0.0, "sign", SEED).numpy().any()


@pytest.mark.parametrize("num_steps", [0, 1, 5])
def test_signed_steps_ascend_and_stay_in_ball(num_steps):
    x = _images()
    weights = tf.constant(np.random.default_rng(3).normal(size=(8, 8, 1)),
                          tf.float32)

    def loss_fn(x_adv):
        return tf.reduce_sum(x_adv * weights)

    start = perturbations.initial_perturbation(x, EPSILON, "zero", SEED)
    delta = perturbations.gradient_steps(
        x, start, loss_fn, EPSILON, 0.1, num_steps).numpy()
    assert np.abs(delta).max() <= EPSILON + 1e-6
    assert (x.numpy() + delta).min() >= 0.0 and (x.numpy() + delta).max() <= 1.0
    if num_steps == 0:
        assert not delta.any()
    else:
        assert float(loss_fn(x + delta)) > float(loss_fn(x))


def test_n_fgsm_training_perturbation_exceeds_eps_but_stays_within_3_eps_and_box():
    import afd_keras  # pylint: disable=import-outside-toplevel
    from afd_keras import models  # pylint: disable=import-outside-toplevel
    x = tf.constant(np.random.default_rng(0).random((16, 28, 28, 1)),
                    tf.float32)
    classifier = models.build("small_cnn", filters=(4, 8), dense_units=16)
    trainer = afd_keras.AdversarialTrainer(classifier, method="n_fgsm",
                                           epsilon=EPSILON, seed=0)
    x_adv, _ = trainer.training_batch(x, tf.zeros([16], tf.int32))
    delta = x_adv.numpy() - x.numpy()
    assert np.abs(delta).max() <= 3 * EPSILON + 1e-6
    assert np.abs(delta).max() > EPSILON + 0.05  # no projection onto the ball
    assert x_adv.numpy().min() >= 0.0 and x_adv.numpy().max() <= 1.0


def test_box_projection_keeps_a_scaled_init_unclipped_inside_the_box():
    x = tf.fill([4, 8, 8, 1], 0.5)
    delta = perturbations.initial_perturbation(
        x, 0.1, "sign", SEED, scale=2.0, projection="box").numpy()
    np.testing.assert_allclose(np.abs(delta), 0.2, atol=1e-6)
