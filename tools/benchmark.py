"""Benchmarks, each measured side by side in one run and printed as ratios.

- step_cost: the training step of each method per architecture: images per
  second and the cost ratios to `standard` and `fgsm_rs`.
- attacks: our PGD and APGD against cleverhans and ART on a trained model.

Usage:
    afd-benchmark --architectures=small_cnn,resnet9
    afd-benchmark --benchmarks=attacks --model=runs/mnist_afd --dataset=mnist
"""

from absl import flags

from afd_keras import benchmarks
from afd_keras import cli
from afd_keras import data
from afd_keras import models
from afd_keras.data import loader
from afd_keras.evaluation import report
from afd_keras.training import METHODS

_BENCHMARKS = flags.DEFINE_list(
    "benchmarks", ["step_cost"], "Which benchmarks: step_cost, attacks.")

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
_MODEL = flags.DEFINE_string(
    "model", None, "attacks: a saved .keras model or an afd-train run dir.")
_DATASET = flags.DEFINE_enum("dataset", "mnist",
                             ["mnist", "fashion_mnist", "cifar10"],
                             "attacks: the test split to attack.")
_DATA_DIR = flags.DEFINE_string("data_dir", None,
                                "Folder with the data (default $AFD_DATA_DIR).")
_SOURCE = flags.DEFINE_enum("source", "auto", list(loader.SOURCES),
                            "Where to read the test split from.")
_NUM_EXAMPLES = flags.DEFINE_integer("num_examples", 1000,
                                     "attacks: test examples.", lower_bound=1)
_EPSILON = flags.DEFINE_float("epsilon", 0.3, "attacks: the L-inf budget.",
                              lower_bound=0.0)
_ATTACK_STEPS = flags.DEFINE_integer("attack_steps", 20,
                                     "attacks: PGD and APGD steps.",
                                     lower_bound=1)

cli.register_choices_validator(_BENCHMARKS, ["step_cost", "attacks"])
cli.register_choices_validator(_ARCHITECTURES, models.list_models())
cli.register_choices_validator(_METHODS, sorted(METHODS))


def main(argv):
    del argv
    if "attacks" in _BENCHMARKS.value and not _MODEL.value:
        raise ValueError("--benchmarks=attacks needs --model (a .keras file or "
                         "an afd-train run dir).")
    if "step_cost" in _BENCHMARKS.value:
        costs = []
        for architecture in _ARCHITECTURES.value:
            costs += benchmarks.measure_step_costs(
                architecture, _METHODS.value, batch_size=_BATCH_SIZE.value,
                num_steps=_NUM_STEPS.value, num_rounds=_NUM_ROUNDS.value,
                conditional_afd=_CONDITIONAL_AFD.value)
        print(benchmarks.format_step_costs(costs))
    if "attacks" in _BENCHMARKS.value:
        test = data.load(_DATASET.value, "test", batch_size=_NUM_EXAMPLES.value,
                         data_dir=_DATA_DIR.value, source=_SOURCE.value,
                         num_examples=_NUM_EXAMPLES.value)
        x, y = next(iter(test))
        timings = benchmarks.measure_attack_throughput(
            report.load_model(_MODEL.value), x.numpy(), y.numpy(),
            _EPSILON.value, num_steps=_ATTACK_STEPS.value)
        print(benchmarks.format_attack_throughput(timings))


def run():
    cli.run(main)


if __name__ == "__main__":
    run()
