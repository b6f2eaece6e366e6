"""Tests for afd_keras.evaluation.pass_bound: pass counts and the bound."""

import numpy as np
import pytest

from afd_keras import attacks
from afd_keras import evaluation
from afd_keras.evaluation import pass_bound


def test_counts_one_forward_and_backward_per_step_and_image(
        undefended_mnist_model, mnist_sample_test):
    x, y = mnist_sample_test[0][:8], mnist_sample_test[1][:8]
    counted = pass_bound.PassCounter(undefended_mnist_model)
    # No random start and a zero budget: nothing is fooled, so no example
    # leaves the batch early and every step passes all 8 images.
    attacks.pgd(counted, x, y, epsilon=0.0, num_steps=5, random_start=False)
    counts = counted.counts()
    assert counts["backward"] == 5 * 8
    # Each step's gradient needs a forward pass; the rest only check.
    assert counts["forward"] >= counts["backward"]
    np.testing.assert_allclose(
        counted(x), undefended_mnist_model(x, training=False), atol=1e-6)


def test_the_bound_adds_up_the_passes_it_counted():
    per_image = {"forward": 0.001, "forward_backward": 0.003}
    cost = pass_bound.attack_cost(2.0, {"forward": 700, "backward": 500},
                                  per_image)
    # 200 forward-only passes and 500 with a gradient.
    assert cost["bound_seconds"] == pytest.approx(0.2 + 1.5)
    assert cost["bound_ratio"] == pytest.approx(1.7 / 2.0)


def test_an_evaluation_reports_each_attacks_cost(undefended_mnist_model,
                                                 mnist_sample_test):
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    x, y = mnist_sample_test[0][:64], mnist_sample_test[1][:64]
    test = tf.data.Dataset.from_tensor_slices((x, y)).batch(64)
    result = evaluation.evaluate_robustness(
        undefended_mnist_model, test, 0.1,
        ["fgsm", "pgd:num_steps=4,random_start=0"], sanity_examples=0,
        measure_pass_bound=True, verbose=0)
    fgsm, pgd = result.attack_costs.values()
    correct = round(result.clean_accuracy * 64)
    assert fgsm["backward_passes"] == correct
    # PGD drops fooled examples, so it passes at most 4 steps of them all.
    assert correct <= pgd["backward_passes"] <= 4 * correct
    for cost in (fgsm, pgd):
        assert 0 < cost["bound_seconds"] and 0 < cost["bound_ratio"] < 5
    assert "bound / seconds" in result.to_markdown()


def test_a_deleted_model_takes_its_counter_and_attack_graphs_with_it(
        mnist_sample_test):
    import gc  # pylint: disable=import-outside-toplevel
    import weakref  # pylint: disable=import-outside-toplevel

    from afd_keras import models  # pylint: disable=import-outside-toplevel
    model = models.build("small_cnn", filters=(4, 4), dense_units=8)
    x, y = mnist_sample_test[0][:4], mnist_sample_test[1][:4]
    counter = pass_bound.counter_for(model)
    attacks.pgd(counter, x, y, epsilon=0.1, num_steps=2)
    assert pass_bound.counter_for(model) is counter  # one per model
    counter_ref = weakref.ref(counter)
    del model, counter
    gc.collect()
    assert counter_ref() is None
