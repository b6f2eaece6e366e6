"""Tests for afd_keras.attacks.pgd: invariants, strength, cleverhans agreement."""

import numpy as np
import pytest
from cleverhans.tf2.attacks.projected_gradient_descent import (
    projected_gradient_descent)

from afd_keras import attacks


def _accuracy(model, x, y):
    return float(np.mean(np.argmax(model(x), axis=-1) == y))


def test_more_steps_and_restarts_never_help_the_model(undefended_mnist_model,
                                                      mnist_sample_test):
    x, y = mnist_sample_test[0][:300], mnist_sample_test[1][:300]
    weak = attacks.pgd(undefended_mnist_model, x, y, epsilon=0.08, num_steps=2)
    strong = attacks.pgd(undefended_mnist_model, x, y, epsilon=0.08,
                         num_steps=20, num_restarts=3)
    assert (_accuracy(undefended_mnist_model, strong, y) <=
            _accuracy(undefended_mnist_model, weak, y))


def test_targeted_attack_reaches_the_target(undefended_mnist_model,
                                            mnist_sample_test):
    x, y = mnist_sample_test[0][:100], mnist_sample_test[1][:100]
    target = (y + 1) % 10
    x_adv = attacks.pgd(undefended_mnist_model, x, target, epsilon=0.3,
                        num_steps=40, step_size=0.025, targeted=True)
    hits = np.argmax(undefended_mnist_model(x_adv), axis=-1) == target
    assert hits.mean() > 0.8


def test_agrees_with_cleverhans_within_one_point(undefended_mnist_model,
                                                 mnist_sample_test):
    x, y = mnist_sample_test[0][:1000], mnist_sample_test[1][:1000]
    settings = dict(epsilon=0.06, num_steps=10, step_size=0.015)
    ours = attacks.pgd(undefended_mnist_model, x, y, **settings)
    theirs = projected_gradient_descent(
        undefended_mnist_model, x, settings["epsilon"], settings["step_size"],
        settings["num_steps"], np.inf, clip_min=0.0, clip_max=1.0, y=y,
        rand_init=True, sanity_checks=False)
    ours_accuracy = _accuracy(undefended_mnist_model, ours, y)
    theirs_accuracy = _accuracy(undefended_mnist_model, theirs, y)
    # Mid-range, so that the comparison means something.
    assert 0.1 < theirs_accuracy < 0.9
    assert abs(ours_accuracy - theirs_accuracy) <= 0.01


@pytest.mark.parametrize("kwargs,pattern", [
    (dict(epsilon=-0.1), r"Received: epsilon=-0.1"),
    (dict(epsilon=0.1, num_steps=0), r"Received: num_steps=0"),
    (dict(epsilon=0.1, norm="l3"), r"Received: norm='l3'"),
    (dict(epsilon=0.1, num_restarts=0), r"Received: num_restarts=0"),
])
def test_bad_settings_raise_clear_errors(undefended_mnist_model,
                                         mnist_sample_test, kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        attacks.pgd(undefended_mnist_model, mnist_sample_test[0][:4], **kwargs)


def test_images_outside_unit_range_are_rejected(undefended_mnist_model):
    with pytest.raises(ValueError, match=r"in \[0, 1\]. Received: values in \[255, 255\]"):
        attacks.pgd(undefended_mnist_model, np.full((2, 28, 28, 1), 255.0),
                    epsilon=0.1)


def test_label_shape_mismatch_is_rejected(undefended_mnist_model, mnist_sample_test):
    with pytest.raises(ValueError, match=r"Labels must be 4 integers.*shape=\(3,\)"):
        attacks.pgd(undefended_mnist_model, mnist_sample_test[0][:4],
                    np.array([1, 2, 3]), epsilon=0.1)
