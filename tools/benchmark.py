"""Benchmarks, each measured side by side in one run and printed as ratios.

- step_cost: the training step per method and architecture: images/s,
  GFLOP/s against the measured matmul peak, ratios to standard and fgsm_rs.
- scaling: step time against the batch size and the attack steps K, and
  (with --model) evaluation time against the number of examples.
- precision: mixed_bfloat16 against float32 on a short MNIST run.
- pipeline: the input pipeline's throughput against training's.
- attacks: our PGD and APGD against cleverhans and ART (needs --model).
- memory: peak resident memory of training at batch 128 and 512.

With --results, writes the Markdown (and the step-cost plot beside it).

Usage:
    afd-benchmark --architectures=small_cnn,resnet9
    afd-benchmark --benchmarks=attacks --model=runs/mnist_afd --dataset=mnist
    # benchmarks/RESULTS.md (about an hour on 2 CPU cores):
    afd-benchmark --benchmarks=all --model=RUN --data_dir=../shared/data \\
        --results=benchmarks/RESULTS.md
"""

import os
import sys

from absl import flags

from afd_keras import benchmarks
from afd_keras import cli
from afd_keras import data
from afd_keras import models
from afd_keras import zoo
from afd_keras.benchmarks import results
from afd_keras.data import loader
from afd_keras.training import METHODS

_BENCHMARKS = flags.DEFINE_list(
    "benchmarks", ["step_cost"],
    f"Which benchmarks: all, or some of {', '.join(benchmarks.BENCHMARKS)}.")
_ARCHITECTURES = flags.DEFINE_list(
    "architectures", ["small_cnn", "resnet9"],
    f"Comma-separated architectures, from {', '.join(models.list_architectures())}.")
_METHODS = flags.DEFINE_list(
    "methods", ["standard", "fgsm_rs", "afd"],
    f"Comma-separated training methods, from {', '.join(sorted(METHODS))}.")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 128, "Images per step.",
                                   lower_bound=1)
_NUM_STEPS = flags.DEFINE_integer("num_steps", 20, "Steps per timed round.",
                                  lower_bound=1)
_NUM_ROUNDS = flags.DEFINE_integer("num_rounds", 3, "Timed rounds per method.",
                                   lower_bound=1)
_CONDITIONAL_METHODS = flags.DEFINE_list(
    "conditional_methods", ["afd"], "Methods also timed with the condition "
    "dial (ConditionalScaling), as extra rows; empty for none.")
_QUICK = flags.DEFINE_boolean("quick", False,
                              "Tiny settings: a smoke run of every benchmark.")
_MODEL = flags.DEFINE_string(
    "model", None, "attacks, scaling: a saved .keras model, an afd-train "
    "run dir, or a zoo model name.")
_DATASET = flags.DEFINE_enum("dataset", "mnist", data.list_datasets(),
                             "attacks: the test split to attack.")
_DATA_DIR = flags.DEFINE_string("data_dir", None,
                                "Folder with the data (default $AFD_DATA_DIR).")
_SOURCE = flags.DEFINE_enum("source", "auto", list(loader.SOURCES),
                            "Where to read the data from.")
_NUM_EXAMPLES = flags.DEFINE_integer("num_examples", 1000,
                                     "attacks: test examples.", lower_bound=1)
_EPSILON = flags.DEFINE_float("epsilon", 0.3, "attacks: the L-inf budget.",
                              lower_bound=0.0)
_ATTACK_STEPS = flags.DEFINE_integer("attack_steps", 20,
                                     "attacks: PGD and APGD steps.",
                                     lower_bound=1)
_SUITE_EXAMPLES = flags.DEFINE_integer(
    "suite_examples", 200, "attacks: test images for the suites (autoattack, "
    "aa_lite, ART's AutoAttack).", lower_bound=1)
_PRECISION_EPOCHS = flags.DEFINE_integer(
    "precision_epochs", 3, "precision: MNIST training epochs per precision.",
    lower_bound=1)
_RESULTS = flags.DEFINE_string(
    "results", None, "Write the results here (Markdown), with the step-cost "
    "plot step_cost.png beside it.")
_UPDATE = flags.DEFINE_boolean(
    "update", False, "Replace only this run's sections (and its target rows) "
    "in an existing --results file, each quoting this command; keep the "
    "others.")

cli.register_choices_validator(_BENCHMARKS, ("all",) + benchmarks.BENCHMARKS)
cli.register_choices_validator(_ARCHITECTURES, models.list_architectures())
cli.register_choices_validator(_METHODS, sorted(METHODS))
cli.register_choices_validator(_CONDITIONAL_METHODS, sorted(METHODS))


def main(argv):
    del argv
    names = (benchmarks.BENCHMARKS if "all" in _BENCHMARKS.value
             else _BENCHMARKS.value)
    if "attacks" in names and not _MODEL.value:
        raise ValueError("--benchmarks=attacks needs --model (a .keras file, "
                         "an afd-train run dir or a zoo model name).")
    options = benchmarks.BenchmarkOptions(
        architectures=tuple(_ARCHITECTURES.value),
        methods=tuple(_METHODS.value), batch_size=_BATCH_SIZE.value,
        num_steps=_NUM_STEPS.value, num_rounds=_NUM_ROUNDS.value,
        conditional_methods=tuple(_CONDITIONAL_METHODS.value),
        quick=_QUICK.value,
        model=zoo.load_model(_MODEL.value) if _MODEL.value else None,
        dataset=_DATASET.value, data_dir=_DATA_DIR.value,
        source=_SOURCE.value, num_examples=_NUM_EXAMPLES.value,
        epsilon=_EPSILON.value, attack_steps=_ATTACK_STEPS.value,
        suite_examples=_SUITE_EXAMPLES.value,
        precision_epochs=_PRECISION_EPOCHS.value,
        plot_path=_RESULTS.value and os.path.join(
            os.path.dirname(os.path.abspath(_RESULTS.value)), "step_cost.png"))
    sections, _ = benchmarks.run_benchmarks(names, options)
    for title, body in sections:
        print(f"## {title}\n\n{body}\n")
    if _RESULTS.value:
        results.write_results(_RESULTS.value, "afd-benchmark " + " ".join(
            sys.argv[1:]), sections, update=_UPDATE.value)
        print(f"Wrote {_RESULTS.value}")


def run():
    cli.run(main)


if __name__ == "__main__":
    run()
