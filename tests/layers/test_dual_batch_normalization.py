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
