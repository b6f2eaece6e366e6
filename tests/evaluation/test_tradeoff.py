"""Tests for afd_keras.evaluation.tradeoff: the dial sweep and its report."""

import pytest
import tensorflow as tf

import afd_keras
from afd_keras.evaluation import tradeoff


def _test(mnist_sample_test, count=40):
    images, labels = mnist_sample_test
    return tf.data.Dataset.from_tensor_slices((images[:count], labels[:count])).batch(20)


def test_sweep_evaluates_each_condition_and_restores_the_dial(mnist_sample_test):
    model = afd_keras.models.build("small_cnn", conditional=True)
    model.set_condition(0.3)
    sweep = tradeoff.sweep_condition(model, _test(mnist_sample_test), 0.1,
                                     [0.0, 1.0], ["fgsm"], sanity_examples=0,
                                     verbose=0)
    assert list(sweep) == [0.0, 1.0]
    assert all(r.num_examples == 40 for r in sweep.values())
    assert float(model.condition.numpy()) == pytest.approx(0.3)
    assert tradeoff.to_markdown(sweep).count("| this model |") == 2


def test_sweep_refuses_a_model_without_a_dial(undefended_mnist_model,
                                              mnist_sample_test):
    with pytest.raises(ValueError, match="needs a conditional model"):
        tradeoff.sweep_condition(undefended_mnist_model, _test(mnist_sample_test),
                                 0.1, [0.0], ["fgsm"])
