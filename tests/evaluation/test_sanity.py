"""Tests for afd_keras.evaluation.sanity: masked gradients are caught."""

import keras
import pytest
import tensorflow as tf

from afd_keras import evaluation
from afd_keras.evaluation import sanity


def _failed(checks):
    return {check["check"] for check in checks if not check["passed"]}


def test_iterative_weaker_than_single_step_is_flagged():
    parsed = {"fgsm": ("fgsm", {}), "pgd": ("pgd", {})}
    assert _failed(sanity.ordering_checks(parsed, {"fgsm": 0.2, "pgd": 0.5})) == {
        "iterative <= single-step"}
    assert not _failed(sanity.ordering_checks(parsed, {"fgsm": 0.5, "pgd": 0.2}))


def test_more_steps_raising_accuracy_is_flagged():
    parsed = {"a": ("pgd", {"num_steps": 10}),
              "b": ("pgd", {"num_steps": 40, "num_restarts": 2})}
    assert _failed(sanity.ordering_checks(parsed, {"a": 0.3, "b": 0.4})) == {
        "more steps or restarts never raise accuracy"}
    # Different step sizes are not "more effort" of the same attack.
    parsed["b"] = ("pgd", {"num_steps": 40, "step_size": 0.5})
    assert not sanity.ordering_checks(parsed, {"a": 0.3, "b": 0.4})


def test_black_box_beating_white_box_is_flagged():
    parsed = {"pgd": ("pgd", {}), "square": ("square", {})}
    assert _failed(sanity.ordering_checks(parsed, {"pgd": 0.6, "square": 0.3})) == {
        "black-box >= white-box"}


def test_an_attack_run_on_survivors_is_never_the_weaker_side():
    parsed = {"fgsm": ("fgsm", {}), "pgd": ("pgd", {"num_steps": 40}),
              "pgd10": ("pgd", {"num_steps": 10})}
    # pgd10 ran after fgsm, on its survivors: 0.2 is not what it alone left.
    after = {"pgd10": "fgsm", "pgd": "pgd10"}
    checks = sanity.ordering_checks(
        parsed, {"fgsm": 0.5, "pgd10": 0.2, "pgd": 0.19}, after=after)
    assert not _failed(checks)
    assert {c["detail"] for c in checks} == {
        "pgd10: 0.2000 vs fgsm: 0.5000", "pgd: 0.1900 vs fgsm: 0.5000"}


def test_black_box_finding_what_a_suites_white_box_missed_is_flagged():
    parsed = {"apgd": ("apgd_ce", {}), "square": ("square", {})}
    after = {"square": "apgd"}
    assert not _failed(sanity.ordering_checks(
        parsed, {"apgd": 0.6, "square": 0.598}, after=after))
    checks = sanity.ordering_checks(parsed, {"apgd": 0.6, "square": 0.55},
                                    after=after)
    assert _failed(checks) == {"black-box >= white-box"}
    assert checks[0]["detail"] == "square after apgd: 0.5500 vs 0.6000 before it"


class _MaskedGradients(keras.layers.Layer):
    """Quantises the input to 2 levels: the gradient is zero everywhere."""

    def call(self, x):
        return tf.round(x)


@pytest.fixture(scope="module", name="masked_model")
def _masked_model(undefended_mnist_model):
    inputs = keras.Input((28, 28, 1))
    return keras.Model(inputs, undefended_mnist_model(_MaskedGradients()(inputs)))


def test_a_gradient_masking_model_fails_the_checks(masked_model,
                                                   mnist_sample_test):
    images, labels = mnist_sample_test
    test = tf.data.Dataset.from_tensor_slices((images[:100], labels[:100])).batch(100)
    result = evaluation.evaluate_robustness(
        masked_model, test, 0.3, ["pgd:num_steps=10", "square:max_queries=300"],
        sanity_examples=50, verbose=0)
    failed = _failed(result.sanity_checks)
    # Zero gradients stall PGD, even where any image is allowed, while the
    # gradient-free Square attack gets through.
    assert {"black-box >= white-box",
            "accuracy ~0 at a budget reaching every image"} <= failed
    assert result.warnings and "gradient masking" in result.warnings[0]
