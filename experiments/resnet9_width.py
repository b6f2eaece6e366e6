"""Achieved GFLOP/s of resnet9's AFD step against its width.

Why resnet9 reaches a lower share of the matmul peak than preact_resnet18:
its default widths (36, 72, 144, 288) are not multiples of 16, the AVX-512
vector width in float32. Times the AFD step (batch 128, synthetic data) at
several `base_filters`, in interleaved rounds (the fastest round counts),
and prints GFLOP/s per width.

Usage: python experiments/resnet9_width.py [WIDTH ...]   (default 32 36 48)
"""

import sys

import keras
import numpy as np
import tensorflow as tf

from afd_keras import models
from afd_keras.benchmarks import flops
from afd_keras.benchmarks import peak
from afd_keras.benchmarks import step_cost
from afd_keras.training import AdversarialTrainer


def main(widths):
    rng = np.random.default_rng(0)
    data = tf.data.Dataset.from_tensors((
        rng.random((128, 32, 32, 3), dtype=np.float32),
        rng.integers(0, 10, 128).astype(np.int32))).repeat()
    timed, work = {}, {}
    for width in widths:
        keras.utils.set_random_seed(0)
        classifier = models.build("resnet9", base_filters=width)
        trainer = AdversarialTrainer(classifier, method="afd", seed=0)
        trainer.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9))
        trainer.fit(data, epochs=1, steps_per_epoch=2, verbose=0)
        timed[width] = (trainer, data)
        work[width] = (flops.step_flops_ratio("afd", 1) *
                       flops.forward_flops(classifier) * 128)
    seconds = step_cost.fastest_step_seconds(timed, num_steps=5, num_rounds=3)
    matmul = peak.matmul_peak_gflops()
    print(f"float32 matmul peak: {matmul:.0f} GFLOP/s")
    print("| base_filters | parameters | ms/step | GFLOP/s | % of peak |")
    print("|---|---|---|---|---|")
    for width in widths:
        gflops = work[width] / seconds[width] / 1e9
        print(f"| {width} | {timed[width][0].classifier.count_params():,} | "
              f"{1000 * seconds[width]:.0f} | {gflops:.1f} | "
              f"{100 * gflops / matmul:.0f}% |")


if __name__ == "__main__":
    main([int(w) for w in sys.argv[1:]] or [32, 36, 48])
