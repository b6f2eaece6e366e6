"""Tests for afd_keras.attacks.apgd: apgd (the schedule, ART agreement,
errors), then apgd_t and the targeted DLR loss.

The invariants every suite attack keeps (ball, box, dtype, eps=0, input
errors, conditional models) are in test_attack_invariants.py.
"""

import time

import keras
import numpy as np
import pytest

import afd_keras
from afd_keras import attacks
from afd_keras.attacks import losses
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


# apgd_t: targeted APGD on the targeted DLR loss (AutoAttack's APGD-T).

def test_targeted_dlr_is_the_published_formula_and_scale_invariant():
    logits = np.array([[4.0, 1.0, 3.0, 0.0, -2.0],
                       [0.5, 2.0, -1.0, 1.5, 1.0]], np.float32)
    labels, targets = np.array([0, 1]), np.array([2, 4])
    # -(z_y - z_t) / (z_(1) - (z_(3) + z_(4)) / 2)
    expected = [-(4.0 - 3.0) / (4.0 - (1.0 + 0.0) / 2),
                -(2.0 - 1.0) / (2.0 - (1.0 + 0.5) / 2)]
    loss = losses.dlr_targeted(labels, targets, logits)
    np.testing.assert_allclose(loss, expected, rtol=1e-6)
    np.testing.assert_allclose(
        losses.dlr_targeted(labels, targets, 3.0 * logits + 7.0), expected,
        rtol=1e-5)


def _targets(model, x, y, num_target_classes):
    """The top non-true classes by clean logit, as apgd_t picks them."""
    logits = np.array(model(x))
    logits[np.arange(len(y)), y] = -np.inf
    return np.argsort(-logits, axis=1)[:, :num_target_classes]


def test_stronger_than_untargeted_apgd_dlr(mnist_sample_test):
    # On a robust model, where DLR's single margin is the harder one to move.
    model = afd_keras.zoo.load("small_cnn_mnist_afd_linf0.3")
    x, y = mnist_sample_test[0][:200], mnist_sample_test[1][:200]
    untargeted = attacks.apgd(model, x, y, epsilon=0.3, num_steps=20,
                              loss="dlr")
    targeted = attacks.apgd_t(model, x, y, epsilon=0.3, num_steps=20,
                              num_target_classes=3)
    dlr_accuracy = _accuracy(model, untargeted, y)
    assert dlr_accuracy < _accuracy(model, x, y) - 0.03  # the attack bites
    assert _accuracy(model, targeted, y) <= dlr_accuracy


def test_more_target_classes_never_raise_accuracy(undefended_mnist_model,
                                                  mnist_sample_test):
    x, y = mnist_sample_test[0][:200], mnist_sample_test[1][:200]
    accuracy = [_accuracy(undefended_mnist_model, attacks.apgd_t(
        undefended_mnist_model, x, y, epsilon=0.06, num_steps=10,
        num_target_classes=k), y) for k in (1, 3)]
    # A later target attacks only the survivors of the earlier ones, with the
    # same seeds for the first target, so the first run's fooled stay fooled.
    assert accuracy[1] <= accuracy[0]
    assert accuracy[0] < _accuracy(undefended_mnist_model, x, y)


def test_misclassified_examples_are_returned_unchanged(undefended_mnist_model,
                                                       mnist_sample_test):
    x, y = mnist_sample_test[0][:64], mnist_sample_test[1][:64]
    wrong = (y + 1) % 10
    x_adv = attacks.apgd_t(undefended_mnist_model, x, wrong, epsilon=0.3,
                           num_steps=5, num_target_classes=2)
    misclassified = np.argmax(undefended_mnist_model(x), -1) != wrong
    assert misclassified.any()
    np.testing.assert_array_equal(np.asarray(x_adv)[misclassified],
                                  x[misclassified])


@pytest.mark.parametrize("kwargs,pattern", [
    ({"num_target_classes": 0},
     r"num_target_classes must be an integer >= 1. Received: num_target_classes=0"),
    ({"num_target_classes": 10},
     r"at most 9.*Received: num_target_classes=10"),
    ({"num_steps": 0}, r"num_steps must be an integer >= 1"),
    ({"num_restarts": 0}, r"num_restarts must be an integer >= 1"),
])
def test_apgd_t_bad_settings_raise(kwargs, pattern, undefended_mnist_model,
                            mnist_sample_test):
    x, y = mnist_sample_test[0][:4], mnist_sample_test[1][:4]
    with pytest.raises(ValueError, match=pattern):
        attacks.apgd_t(undefended_mnist_model, x, y, epsilon=0.1, **kwargs)


def test_fewer_than_4_classes_raise(mnist_sample_test):
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(3)])
    x, y = mnist_sample_test[0][:4], np.zeros(4, np.int64)
    with pytest.raises(ValueError, match=r"at least 4 classes. Received: a "
                                         r"model with 3 classes"):
        attacks.apgd_t(model, x, y, epsilon=0.1)


def _art_apgd_t(model, x, y, epsilon, num_steps, num_target_classes):
    """ART's targeted APGD on the DLR loss, against each top class in turn,
    on the examples no earlier target fooled (as AutoAttack runs APGD-T)."""
    # pylint: disable=import-outside-toplevel
    from art.attacks.evasion import AutoProjectedGradientDescent
    from art.estimators.classification import TensorFlowV2Classifier
    classifier = TensorFlowV2Classifier(
        model, nb_classes=10, input_shape=x.shape[1:], clip_values=(0.0, 1.0),
        loss_object=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    attack = AutoProjectedGradientDescent(
        classifier, eps=epsilon, eps_step=2 * epsilon, max_iter=num_steps,
        targeted=True, nb_random_init=1, batch_size=500,
        loss_type="difference_logits_ratio", verbose=False)
    targets = _targets(model, x, y, num_target_classes)
    x_adv = x.copy()
    for k in range(num_target_classes):
        robust = np.flatnonzero(np.argmax(model(x_adv), -1) == y)
        if not len(robust):
            break
        x_adv[robust] = attack.generate(
            x[robust], y=np.eye(10, dtype=np.float32)[targets[robust, k]])
    return x_adv


def _agreement(model, x, y, epsilon, num_steps, num_target_classes):
    start = time.time()
    ours = _accuracy(model, attacks.apgd_t(
        model, x, y, epsilon=epsilon, num_steps=num_steps,
        num_target_classes=num_target_classes), y)
    middle = time.time()
    theirs = _accuracy(model, _art_apgd_t(model, x, y, epsilon, num_steps,
                                          num_target_classes), y)
    print(f"apgd_t robust accuracy on {len(y)}: ours {ours:.4f} "
          f"({middle - start:.0f} s), ART {theirs:.4f} "
          f"({time.time() - middle:.0f} s)")
    return ours, theirs


def test_apgd_t_agrees_with_art_within_1_5_points(undefended_mnist_model,
                                           mnist_sample_test):
    x, y = mnist_sample_test[0][:300], mnist_sample_test[1][:300]
    ours, theirs = _agreement(undefended_mnist_model, x, y, epsilon=0.08,
                              num_steps=10, num_target_classes=2)
    assert 0.1 < theirs < 0.9  # mid-range, so the test can fail
    assert abs(ours - theirs) <= 0.015


@pytest.mark.slow
def test_standard_version_agrees_with_art_on_a_robust_zoo_model(
        mnist_sample_test):
    # AutoAttack's standard APGD-T: 9 targets, 100 steps, 1 restart.
    model = afd_keras.zoo.load("small_cnn_mnist_pgd_linf0.3")
    x, y = mnist_sample_test[0][:500], mnist_sample_test[1][:500]
    ours, theirs = _agreement(model, x, y, epsilon=0.3, num_steps=100,
                              num_target_classes=9)
    # Well below the clean accuracy (~99%), so a weak attack would show.
    assert theirs < _accuracy(model, x, y) - 0.03
    assert abs(ours - theirs) <= 0.015
