"""Benchmarks, each measured side by side in one run and printed as ratios.

- step_cost: the training step per method and architecture: images/s,
  GFLOP/s against the measured matmul peak, ratios to standard and fgsm_rs.
- recipe_cost: the training step of zoo recipes (--recipes, e.g. the
  CIFAR-10 comparison's), each at its own settings, ratios to the first.
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

import dataclasses
import os
import sys

from absl import flags

from afd_keras import benchmarks
from afd_keras import cli
from afd_keras import zoo
from afd_keras.benchmarks import results

_BENCHMARKS = flags.DEFINE_list(
    "benchmarks", ["step_cost"],
    f"Which benchmarks: all, or some of {', '.join(benchmarks.BENCHMARKS)}.")
_OPTIONS = cli.define_flags(benchmarks.BenchmarkOptions)
_MODEL = flags.DEFINE_string(
    "model", None, "attacks, scaling: a saved .keras model, an afd-train "
    "run dir, or a zoo model name.")
_RESULTS = flags.DEFINE_string(
    "results", None, "Write the results here (Markdown), with the step-cost "
    "plot step_cost.png beside it.")
_UPDATE = flags.DEFINE_boolean(
    "update", False, "Replace only this run's sections (and its target rows) "
    "in an existing --results file, each quoting this command; keep the "
    "others.")

cli.register_choices_validator(_BENCHMARKS, ("all",) + benchmarks.BENCHMARKS)


def main(argv):
    del argv
    names = (benchmarks.BENCHMARKS if "all" in _BENCHMARKS.value
             else _BENCHMARKS.value)
    if "attacks" in names and not _MODEL.value:
        raise ValueError("--benchmarks=attacks needs --model (a .keras file, "
                         "an afd-train run dir or a zoo model name).")
    options = dataclasses.replace(
        cli.settings_from_flags(benchmarks.BenchmarkOptions, _OPTIONS),
        model=zoo.load_model(_MODEL.value) if _MODEL.value else None,
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
