"""Tests for afd_keras.models: shapes, normalisation, serialization, errors."""

import keras
import numpy as np
import pytest

from afd_keras import models


def _model(**kwargs):
    keras.utils.set_random_seed(0)
    return models.build("small_cnn", input_shape=(28, 28, 1), num_classes=10,
                        **kwargs)


def test_outputs_unbounded_logits_for_unit_range_input():
    model = _model()
    images = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    logits = model(images)
    assert logits.shape == (4, 10)
    # Logits, not probabilities: rows need not sum to 1.
    assert not np.allclose(np.sum(logits, axis=1), 1.0)


def test_normalises_inside_with_dataset_statistics():
    model = _model(mean=(0.5,), std=(0.25,))
    normalize = keras.Model(model.input, model.get_layer("normalize").output)
    out = normalize(np.full((1, 28, 28, 1), 0.75, np.float32))
    np.testing.assert_allclose(out, 1.0, atol=1e-6)


def test_keras_file_round_trip(tmp_path):
    model = _model()
    images = np.random.default_rng(1).random((3, 28, 28, 1), dtype=np.float32)
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(restored(images), model(images), atol=1e-6)


def test_config_round_trip():
    model = _model(filters=(8, 16), dense_units=32)
    clone = keras.Model.from_config(model.get_config())
    assert clone.count_params() == model.count_params()


def test_unknown_architecture_suggests_names():
    with pytest.raises(ValueError, match=r"Did you mean 'small_cnn'"):
        models.build("smal_cnn")


@pytest.mark.parametrize("kwargs,pattern", [
    (dict(input_shape=(28, 28)), r"Received: input_shape=\(28, 28\)"),
    (dict(num_classes=1), r"Received: num_classes=1"),
    (dict(mean=(0.1, 0.2)), r"one value per channel \(1\)"),
    (dict(std=(0.0,)), r"std > 0"),
    (dict(filters=(32,)), r"Received: filters=\(32,\)"),
    (dict(dense_units=0), r"Received: dense_units=0"),
])
def test_bad_arguments_raise_clear_errors(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        models.build("small_cnn", **kwargs)
