"""Times training steps of several methods side by side in one precision.

A thin wrapper over `afd_keras.benchmarks.step_cost`, which times the
methods in interleaved rounds (the fastest round counts), with the global
precision policy set first. Used for quick A/B checks such as float32
against mixed_bfloat16 on a given CPU (WORKSPACE_NOTES.md, "Performance").

Usage:
    python experiments/step_ab.py ARCHITECTURE PRECISION METHODS [ROUNDS]
    e.g. python experiments/step_ab.py resnet9 float32 standard,afd,afd+dial 4
"""

import sys

import keras

from afd_keras.benchmarks import step_cost


def main(architecture, precision, methods, num_rounds=4):
    keras.mixed_precision.set_global_policy(precision)
    plain = [m for m in methods if not m.endswith("+dial")]
    dial = [m.removesuffix("+dial") for m in methods if m.endswith("+dial")]
    costs = step_cost.measure_step_costs(
        architecture, plain, num_steps=2, num_rounds=num_rounds,
        conditional_methods=dial)
    print(f"{architecture}, {precision}:")
    print(step_cost.format_step_costs(costs))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3].split(","),
         *(int(a) for a in sys.argv[4:5]))
