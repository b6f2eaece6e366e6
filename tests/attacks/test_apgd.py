"""Tests for afd_keras.attacks.apgd: the schedule, ART agreement, errors."""

import keras
import numpy as np
import pytest

from afd_keras import attacks
from afd_keras.attacks.apgd import checkpoint_windows


def _accuracy(model, x, y):
    return float(np.mean(np.argmax(model(x), axis=-1) == y))


@pytest.mark.parametrize("num_steps", [1, 10, 100, 250])
def test_checkpoints_shrink_from_22_to_6_percent(num_steps):
    windows = checkpoint_windows(num_steps)
    assert len(windows) == num_steps
    lengths = [w for w in windows if w]
    assert lengths[0] == max(int(0.22 * num_steps), 1)
    assert all(a >= b for a, b in zip(lengths, lengths[1:]))
    assert min(lengths) >= max(int(0.06 * num_steps), 1)
    # Each window ends where its checkpoint is.
    ends = np.flatnonzero(windows)
    assert list(np.diff(ends)) == lengths[1:]


@pytest.mark.parametrize("loss,art_loss", [("ce", "cross_entropy"),
                                           ("dlr", "difference_logits_ratio")])
def test_agrees_with_art_within_1_5_points(loss, art_loss, undefended_mnist_model,
                                           mnist_sample_test):
    # pylint: disable=import-outside-toplevel
    from art.attacks.evasion import AutoProjectedGradientDescent
    from art.estimators.classification import TensorFlowV2Classifier
    x, y = mnist_sample_test[0][:500], mnist_sample_test[1][:500]
    epsilon = 0.08
    ours = attacks.apgd(undefended_mnist_model, x, y, epsilon=epsilon,
                        num_steps=10, loss=loss)
    classifier = TensorFlowV2Classifier(
        undefended_mnist_model, nb_classes=10, input_shape=(28, 28, 1),
        clip_values=(0.0, 1.0),
        loss_object=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    theirs = AutoProjectedGradientDescent(
        classifier, eps=epsilon, eps_step=2 * epsilon, max_iter=10,
        nb_random_init=1, batch_size=500, loss_type=art_loss,
        verbose=False).generate(x, y=y)
    theirs_accuracy = _accuracy(undefended_mnist_model, theirs, y)
    assert 0.1 < theirs_accuracy < 0.95  # mid-range, so the test can fail
    assert abs(_accuracy(undefended_mnist_model, ours, y) - theirs_accuracy) <= 0.015


def test_at_least_as_strong_as_pgd(undefended_mnist_model, mnist_sample_test):
    x, y = mnist_sample_test[0][:300], mnist_sample_test[1][:300]
    pgd = attacks.pgd(undefended_mnist_model, x, y, epsilon=0.08, num_steps=20)
    apgd = attacks.apgd(undefended_mnist_model, x, y, epsilon=0.08, num_steps=20)
    assert (_accuracy(undefended_mnist_model, apgd, y) <=
            _accuracy(undefended_mnist_model, pgd, y) + 0.01)


def test_targeted_reaches_the_target(undefended_mnist_model, mnist_sample_test):
    x, y = mnist_sample_test[0][:100], mnist_sample_test[1][:100]
    target = (y + 1) % 10
    x_adv = attacks.apgd(undefended_mnist_model, x, target, epsilon=0.3,
                         num_steps=20, targeted=True)
    assert np.mean(np.argmax(undefended_mnist_model(x_adv), -1) == target) > 0.8


@pytest.mark.parametrize("kwargs,pattern", [
    ({"loss": "hinge"}, r"Unknown APGD loss.*Received: loss='hinge'"),
    ({"loss": "dlr", "targeted": True}, r"Targeted APGD uses the cross-entropy"),
    ({"num_steps": 0}, r"num_steps must be an integer >= 1"),
])
def test_bad_settings_raise(kwargs, pattern, undefended_mnist_model,
                            mnist_sample_test):
    x, y = mnist_sample_test[0][:4], mnist_sample_test[1][:4]
    with pytest.raises(ValueError, match=pattern):
        attacks.apgd(undefended_mnist_model, x, y, epsilon=0.1, **kwargs)
