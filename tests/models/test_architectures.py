"""Tests for afd_keras.models: shapes, normalisation, serialization, errors."""

import keras
import numpy as np
import pytest

from afd_keras import models

# Narrow variants keep the tests fast; the structure is the full one.
TINY = {
    "small_cnn": dict(input_shape=(28, 28, 1), filters=(4, 8), dense_units=16),
    "preact_resnet18": dict(stage_filters=(4, 8, 8, 8)),
    "wide_resnet": dict(depth=10, width=1),
    "resnet9": dict(base_filters=4),
}


def _model(name="small_cnn", conditional=False, **kwargs):
    keras.utils.set_random_seed(0)
    return models.build(name, conditional=conditional, **{**TINY[name], **kwargs})


def _input_shape(name):
    return TINY[name].get("input_shape", (32, 32, 3))


def test_list_architectures():
    assert models.list_architectures() == ["preact_resnet18", "resnet9", "small_cnn",
                                    "wide_resnet"]


@pytest.mark.parametrize("conditional", [False, True])
@pytest.mark.parametrize("name", sorted(TINY))
def test_outputs_logits_and_round_trips(name, conditional, tmp_path):
    model = _model(name, conditional)
    images = np.random.default_rng(1).random((3,) + _input_shape(name),
                                             dtype=np.float32)
    logits = np.asarray(model(images))
    assert logits.shape == (3, 10)
    # Logits, not probabilities: rows need not sum to 1.
    assert not np.allclose(logits.sum(axis=1), 1.0)
    model.save(tmp_path / "model.keras")
    restored = keras.saving.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(restored(images), logits, atol=1e-5)
    assert type(restored) is type(model)


@pytest.mark.parametrize("name", sorted(TINY))
def test_conditional_model_starts_as_the_plain_model(name):
    conditional = _model(name, conditional=True)
    images = np.random.default_rng(1).random((2,) + _input_shape(name),
                                             dtype=np.float32)
    # ConditionalScaling is the identity at init, whatever the condition.
    np.testing.assert_allclose(
        conditional(images, condition=np.zeros(2, "float32")),
        conditional(images, condition=np.ones(2, "float32")), atol=1e-6)


def test_normalises_inside_with_dataset_statistics():
    model = _model(mean=(0.5,), std=(0.25,))
    normalize = keras.Model(model.input, model.get_layer("normalize").output)
    out = normalize(np.full((1, 28, 28, 1), 0.75, np.float32))
    np.testing.assert_allclose(out, 1.0, atol=1e-6)


def test_config_round_trip():
    model = _model(filters=(8, 16), dense_units=32)
    clone = keras.Model.from_config(model.get_config())
    assert clone.count_params() == model.count_params()


def test_full_size_parameter_counts():
    assert models.build("resnet9").count_params() == 2085094
    assert models.build("preact_resnet18").count_params() == 11179978


def test_unknown_architecture_suggests_names():
    with pytest.raises(ValueError, match=r"Did you mean 'small_cnn'"):
        models.build("smal_cnn")


@pytest.mark.parametrize("name,kwargs,pattern", [
    ("small_cnn", dict(input_shape=(28, 28)), r"Received: input_shape=\(28, 28\)"),
    ("small_cnn", dict(num_classes=1), r"Received: num_classes=1"),
    ("small_cnn", dict(mean=(0.1, 0.2)), r"one value per channel \(1\)"),
    ("small_cnn", dict(std=(0.0,)), r"std > 0"),
    ("small_cnn", dict(filters=(32,)), r"Received: filters=\(32,\)"),
    ("small_cnn", dict(dense_units=0), r"Received: dense_units=0"),
    ("wide_resnet", dict(depth=12), r"6n \+ 4.*Received: depth=12"),
    ("wide_resnet", dict(width=0), r"Received: width=0"),
    ("resnet9", dict(base_filters=-1), r"Received: base_filters=-1"),
    ("resnet9", dict(dual_batch_norm=True), r"needs `conditional=True`"),
    ("preact_resnet18", dict(stage_filters=(64, 0, 1, 1)), r"Received: stage_filters"),
])
def test_bad_arguments_raise_clear_errors(name, kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        models.build(name, **kwargs)


def test_unknown_builder_arguments_are_rejected_by_name():
    with pytest.raises(ValueError, match=r"Received: \['depth'\]"):
        models.build("small_cnn", depth=16)
