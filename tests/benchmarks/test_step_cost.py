"""Recipe step costs: each recipe built at its own settings, the global
precision policy left as it was, unknown recipes refused by name."""

import keras
import pytest

from afd_keras.benchmarks import step_cost


def test_recipe_costs_follow_the_recipes_and_restore_the_policy():
    before = keras.mixed_precision.global_policy().name
    costs = step_cost.measure_recipe_costs(["mnist_fgsm_rs", "mnist_afd"],
                                           num_steps=1, num_rounds=1)
    assert [c.recipe for c in costs] == ["mnist_fgsm_rs@1", "mnist_afd@1"]
    assert costs[0].ratio_to_first == 1.0
    assert all(c.seconds_per_step > 0 and c.batch_size == 128 for c in costs)
    assert {c.precision for c in costs} == {"mixed_bfloat16"}
    assert keras.mixed_precision.global_policy().name == before
    table = step_cost.format_recipe_costs(costs)
    assert "x mnist_fgsm_rs@1" in table and "| mnist_afd@1 |" in table


def test_an_unknown_recipe_is_refused_by_name():
    with pytest.raises(ValueError, match="no_such_recipe"):
        step_cost.measure_recipe_costs(["no_such_recipe"])
