"""Tests for afd_keras.attacks.fgsm, cross-checked against cleverhans."""

import numpy as np
import pytest
from cleverhans.tf2.attacks.fast_gradient_method import fast_gradient_method

from afd_keras import attacks


@pytest.mark.parametrize("norm,cleverhans_norm,epsilon", [
    ("linf", np.inf, 0.3), ("l2", 2, 2.0)])
def test_equals_cleverhans_fast_gradient_method(
        undefended_mnist_model, mnist_sample_test, norm, cleverhans_norm, epsilon):
    images, labels = mnist_sample_test
    x, y = images[:200], labels[:200]
    ours = attacks.fgsm(undefended_mnist_model, x, y, epsilon=epsilon, norm=norm)
    theirs = fast_gradient_method(undefended_mnist_model, x, epsilon,
                                  cleverhans_norm, clip_min=0.0, clip_max=1.0,
                                  y=y)
    assert np.abs(np.asarray(ours) - np.asarray(theirs)).max() <= 1e-5


def test_without_labels_uses_the_predictions(undefended_mnist_model,
                                             mnist_sample_test):
    x = mnist_sample_test[0][:50]
    predictions = np.argmax(undefended_mnist_model(x), axis=-1)
    np.testing.assert_array_equal(
        attacks.fgsm(undefended_mnist_model, x, epsilon=0.1),
        attacks.fgsm(undefended_mnist_model, x, predictions, epsilon=0.1))


def test_zero_epsilon_returns_x(undefended_mnist_model, mnist_sample_test):
    x = mnist_sample_test[0][:20]
    np.testing.assert_array_equal(
        attacks.fgsm(undefended_mnist_model, x, epsilon=0.0), x)
