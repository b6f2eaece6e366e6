"""Recipe step costs: each recipe's step built at the recipe's own
settings, the global precision policy left as it was, unknown recipes
refused by name."""

import keras
import pytest

from afd_keras.benchmarks import step_cost
from afd_keras.training import recipes

# One float32 and one mixed_bfloat16 recipe, so the policy must switch.
_RECIPES = ("fashion_mnist_fgsm_rs", "mnist_afd")


def test_each_recipe_is_built_at_its_settings_and_the_policy_restored(
        monkeypatch):
    built = []
    warmed_up = step_cost._warmed_up

    def recording(classifier, batch_size, seed, optimizer=None, **kwargs):
        trainer, data = warmed_up(classifier, batch_size, seed, optimizer,
                                  **kwargs)
        built.append((classifier.dtype_policy.name, trainer, optimizer,
                      next(iter(data))[0].shape[0]))
        return trainer, data

    monkeypatch.setattr(step_cost, "_warmed_up", recording)
    keras.mixed_precision.set_global_policy("float32")
    costs = step_cost.measure_recipe_costs(_RECIPES, num_steps=1,
                                           num_rounds=1, seed=3)
    assert keras.mixed_precision.global_policy().name == "float32"
    configs = [recipes.train_config(name) for name in _RECIPES]
    assert [c.recipe for c in costs] == [c.recipe for c in configs]
    for (policy, trainer, optimizer, batch), config in zip(built, configs):
        assert policy == config.precision
        assert batch == config.batch_size
        assert trainer.method == config.method and trainer.seed == 3
        assert type(optimizer).__name__.lower() == config.optimizer
        assert float(optimizer.weight_decay or 0) == config.weight_decay
    assert {policy for policy, *_ in built} == {"float32", "mixed_bfloat16"}
    assert all(c.seconds_per_step > 0 for c in costs)
    table = step_cost.format_recipe_costs(costs)
    assert all(f"| {c.recipe} |" in table for c in costs)
    assert f"x {costs[0].recipe}" in table


def test_an_unknown_recipe_is_refused_by_name():
    with pytest.raises(ValueError, match="no_such_recipe"):
        step_cost.measure_recipe_costs(["no_such_recipe"])
