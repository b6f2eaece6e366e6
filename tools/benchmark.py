"""Benchmarks the training step of each method, side by side.

Prints images per second and the cost ratios to `standard` and `fgsm_rs`
per architecture, measured in one run.

Usage:
    afd-benchmark --architectures=small_cnn,resnet9
"""

from absl import flags

from afd_keras import benchmarks
from afd_keras import cli
from afd_keras import models
from afd_keras.training import METHODS

_ARCHITECTURES = flags.DEFINE_list(
    "architectures", ["small_cnn", "resnet9"],
    f"Comma-separated architectures, from {', '.join(models.list_models())}.")
_METHODS = flags.DEFINE_list(
    "methods", ["standard", "fgsm_rs", "afd"],
    f"Comma-separated training methods, from {', '.join(sorted(METHODS))}.")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 128, "Images per step.",
                                   lower_bound=1)
_NUM_STEPS = flags.DEFINE_integer("num_steps", 20, "Steps per timed round.",
                                  lower_bound=1)
_NUM_ROUNDS = flags.DEFINE_integer("num_rounds", 3, "Timed rounds per method.",
                                   lower_bound=1)
_CONDITIONAL_AFD = flags.DEFINE_boolean(
    "conditional_afd", False, "Benchmark AFD with ConditionalScaling.")


cli.register_choices_validator(_ARCHITECTURES, models.list_models())
cli.register_choices_validator(_METHODS, sorted(METHODS))


def main(argv):
    del argv
    costs = []
    for architecture in _ARCHITECTURES.value:
        costs += benchmarks.measure_step_costs(
            architecture, _METHODS.value, batch_size=_BATCH_SIZE.value,
            num_steps=_NUM_STEPS.value, num_rounds=_NUM_ROUNDS.value,
            conditional_afd=_CONDITIONAL_AFD.value)
    print(benchmarks.format_step_costs(costs))


def run():
    cli.run(main)


if __name__ == "__main__":
    run()
