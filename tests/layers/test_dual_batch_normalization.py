"""Tests for afd_keras.layers.DualBatchNormalization: each set of
statistics sees only its own examples."""

import keras
import numpy as np
import pytest

from afd_keras.layers import DualBatchNormalization

_CONDITION = np.array([0.0, 0.0, 0.4, 1.0, 1.0], "float32")


def _features():
    rng = np.random.default_rng(0)
    # Clean and adversarial features with different statistics.
    features = rng.normal(size=(5, 4, 4, 3)).astype("float32")
    features[2:] = 3.0 * features[2:] + 2.0
    return features


def test_each_example_is_normalised_with_its_own_sets_batch_moments():
    features = _features()
    out = np.asarray(DualBatchNormalization()([features, _CONDITION],
                                              training=True))
    clean, adversarial = _CONDITION == 0, _CONDITION != 0
    for rows in (clean, adversarial):
        expected = keras.layers.BatchNormalization()(features[rows],
                                                     training=True)
        np.testing.assert_allclose(out[rows], expected, atol=1e-4)


def test_each_sets_moving_statistics_follow_only_its_examples():
    features = _features()
    layer = DualBatchNormalization()
    layer([features, _CONDITION], training=True)
    momentum = layer.clean_norm.momentum
    for norm, rows in ((layer.clean_norm, _CONDITION == 0),
                       (layer.adversarial_norm, _CONDITION != 0)):
        np.testing.assert_allclose(
            norm.moving_mean.numpy(),
            (1 - momentum) * features[rows].mean(axis=(0, 1, 2)), atol=1e-5)


@pytest.mark.parametrize("condition", [0.0, 1.0])
def test_a_set_without_examples_keeps_its_moving_statistics(condition):
    # E.g. the attack at condition 1: the clean set sees no example.
    features = _features()
    layer = DualBatchNormalization()
    layer.build([features.shape, (5,)])
    idle = layer.adversarial_norm if condition == 0 else layer.clean_norm
    for _ in range(3):
        layer([features, np.full(5, condition, "float32")], training=True)
    np.testing.assert_array_equal(idle.moving_mean.numpy(), np.zeros(3))
    np.testing.assert_array_equal(idle.moving_variance.numpy(), np.ones(3))


def test_moving_variance_follows_the_sets_batch_variance():
    features = _features()
    layer = DualBatchNormalization()
    layer([features, _CONDITION], training=True)
    momentum = layer.adversarial_norm.momentum
    rows = _CONDITION != 0
    np.testing.assert_allclose(
        layer.adversarial_norm.moving_variance.numpy(),
        momentum + (1 - momentum) * features[rows].var(axis=(0, 1, 2)),
        rtol=1e-4)


def test_mixed_precision_keeps_float32_statistics():
    features = _features()
    layer = DualBatchNormalization(dtype="mixed_bfloat16")
    out = layer([features, _CONDITION], training=True)
    assert out.dtype == "bfloat16"
    assert layer.clean_norm.moving_mean.dtype == "float32"
    np.testing.assert_allclose(
        np.asarray(out, "float32")[_CONDITION == 0],
        keras.layers.BatchNormalization()(features[_CONDITION == 0],
                                          training=True), atol=0.05)


def test_inference_uses_the_clean_set_only_at_condition_zero():
    features = _features()
    layer = DualBatchNormalization()
    layer.build([features.shape, _CONDITION.shape])
    layer.adversarial_norm.beta.assign(np.full(3, 5.0, "float32"))
    out = np.asarray(layer([features, _CONDITION], training=False))
    clean = _CONDITION == 0
    np.testing.assert_allclose(
        out[clean], layer.clean_norm(features[clean], training=False), atol=1e-5)
    np.testing.assert_allclose(
        out[~clean], layer.adversarial_norm(features[~clean], training=False),
        atol=1e-5)


def test_config_round_trip_and_saved_model(tmp_path):
    features = _features()
    inputs = [keras.Input((4, 4, 3)), keras.Input(())]
    model = keras.Model(inputs, DualBatchNormalization(name="dual")(inputs))
    model([features, _CONDITION], training=True)
    model.save(tmp_path / "dual.keras")
    restored = keras.saving.load_model(tmp_path / "dual.keras")
    np.testing.assert_allclose(restored([features, _CONDITION]),
                               model([features, _CONDITION]), atol=1e-6)
    assert restored.get_layer("dual").get_config()["synchronized"] is False


@pytest.mark.parametrize("kwargs,inputs,pattern", [
    (dict(synchronized="yes"), None, r"Received: synchronized='yes'"),
    ({}, [(5, 4, 4, 3)], "expects inputs \\[features, condition\\]"),
    ({}, [(5, 4, 4, 3), (5, 2)], "condition must have shape \\(batch,\\)"),
])
def test_bad_arguments_are_clear_errors(kwargs, inputs, pattern):
    with pytest.raises(ValueError, match=pattern):
        DualBatchNormalization(**kwargs).build(inputs)
