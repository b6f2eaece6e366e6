"""Tests for afd_keras.layers.ConditionalScaling."""

import keras
import numpy as np
import pytest

from afd_keras.layers import ConditionalScaling


def _features(shape=(4, 5, 5, 3)):
    return np.random.default_rng(0).normal(size=shape).astype("float32")


@pytest.mark.parametrize("shape", [(4, 5, 5, 3), (4, 7)])
def test_identity_at_init(shape):
    layer = ConditionalScaling(hidden_units=8)
    features = _features(shape)
    condition = np.array([0.0, 0.3, 0.7, 1.0], "float32")
    np.testing.assert_allclose(layer([features, condition]), features, atol=0)


def test_modulates_per_example_and_channel_once_trained():
    layer = ConditionalScaling(hidden_units=8)
    features = _features()
    condition = np.array([[0.0], [1.0], [1.0], [0.0]], "float32")
    layer.build([features.shape, condition.shape])
    layer.hidden_bias.assign(np.ones(8, "float32"))
    layer.output_kernel.assign(
        np.random.default_rng(1).normal(size=(8, 6)).astype("float32"))
    out = np.asarray(layer([features, condition]))
    assert not np.allclose(out, features)
    # One gamma/beta per example and channel: the ratio is constant in space.
    ratio = (out[0] - out[0, 0, 0]) / (features[0] - features[0, 0, 0] + 1e-12)
    assert np.allclose(ratio[1:, 1:], ratio[1, 1], rtol=1e-3, atol=1e-3)


def test_config_round_trip_and_registration():
    layer = ConditionalScaling(hidden_units=5, name="film")
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(layer))
    assert isinstance(restored, ConditionalScaling)
    assert restored.get_config() == layer.get_config()


def test_saved_in_a_model_round_trip(tmp_path):
    features_in = keras.Input((4, 4, 2))
    condition_in = keras.Input(())
    layer = ConditionalScaling(hidden_units=4)
    model = keras.Model([features_in, condition_in], layer([features_in, condition_in]))
    layer.output_kernel.assign(np.full((4, 4), 0.5, "float32"))
    layer.hidden_bias.assign(np.ones(4, "float32"))
    features = _features((2, 4, 4, 2))
    condition = np.array([0.2, 0.9], "float32")
    model.save(tmp_path / "m.keras")
    restored = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(restored([features, condition]),
                               model([features, condition]), atol=1e-6)


@pytest.mark.parametrize("hidden_units", [0, -3, 2.5])
def test_bad_hidden_units_are_rejected(hidden_units):
    with pytest.raises(ValueError, match=f"Received: hidden_units={hidden_units}"):
        ConditionalScaling(hidden_units=hidden_units)


def test_needs_features_and_condition():
    with pytest.raises(ValueError, match=r"\[features, condition\]"):
        ConditionalScaling()(_features())
