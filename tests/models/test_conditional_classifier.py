"""Tests for afd_keras.models.ConditionalClassifier, the condition dial."""

import keras
import numpy as np
import pytest

from afd_keras import models


@pytest.fixture(name="model")
def _model():
    keras.utils.set_random_seed(0)
    model = models.build("small_cnn", conditional=True)
    # Non-zero modulation so that the condition changes the logits.
    for layer in model.network.layers:
        if hasattr(layer, "output_kernel"):
            layer.output_kernel.assign(np.random.default_rng(0).normal(
                size=layer.output_kernel.shape).astype("float32"))
            layer.hidden_bias.assign(np.ones(layer.hidden_bias.shape, "float32"))
    return model


def _images(count=3):
    return np.random.default_rng(2).random((count, 28, 28, 1), dtype=np.float32)


def test_images_alone_use_the_dial(model):
    images = _images()
    model.set_condition(0.25)
    np.testing.assert_allclose(
        model(images), model(images, condition=np.full(3, 0.25, "float32")),
        atol=1e-6)
    model.set_condition(1.0)
    assert not np.allclose(model(images),
                           model(images, condition=np.full(3, 0.25, "float32")))


def test_condition_is_per_example(model):
    images = np.repeat(_images(1), 2, axis=0)
    logits = np.asarray(model(images, condition=np.array([0.0, 1.0], "float32")))
    assert not np.allclose(logits[0], logits[1])


def test_dial_survives_saving(model, tmp_path):
    model.set_condition(0.4)
    model.save(tmp_path / "m.keras")
    restored = keras.saving.load_model(tmp_path / "m.keras")
    assert float(restored.condition) == pytest.approx(0.4)
    np.testing.assert_allclose(restored(_images()), model(_images()), atol=1e-5)


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_dial_out_of_range_is_rejected(model, value):
    with pytest.raises(ValueError, match=f"Received: {value}"):
        model.set_condition(value)
