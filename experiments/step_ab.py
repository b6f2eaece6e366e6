"""Times training steps of several methods in interleaved rounds (A/B).

Each (method, conditional) trainer is built and warmed up, then timed in
turns, so slow spells of a shared machine hit all alike; the fastest
round counts. Used for quick A/B checks such as float32 against
mixed_bfloat16 on a given CPU (WORKSPACE_NOTES.md, "Performance").

Usage:
    python experiments/step_ab.py ARCHITECTURE PRECISION METHODS [ROUNDS]
    e.g. python experiments/step_ab.py resnet9 float32 standard,afd,afd+dial 4
"""

import sys
import time

import keras
import numpy as np

import afd_keras


def main(architecture, precision, methods, num_rounds=4, batch_size=128):
    keras.mixed_precision.set_global_policy(precision)
    shape = (28, 28, 1) if architecture == "small_cnn" else (32, 32, 3)
    rng = np.random.default_rng(0)
    images = rng.random((batch_size,) + shape, dtype=np.float32)
    labels = rng.integers(0, 10, batch_size).astype(np.int32)
    trainers = {}
    for name in methods:
        classifier = afd_keras.models.build(
            architecture, input_shape=shape, num_classes=10,
            conditional=name.endswith("+dial"))
        trainer = afd_keras.AdversarialTrainer(
            classifier, method=name.removesuffix("+dial"), epsilon=8 / 255)
        trainer.compile(optimizer=keras.optimizers.SGD(0.01))
        for _ in range(2):  # compiles the step
            trainer.train_on_batch(images, labels)
        trainers[name] = trainer
    seconds = {name: [] for name in trainers}
    for _ in range(num_rounds):
        for name, trainer in trainers.items():
            trainer.train_on_batch(images, labels)  # untimed, see step_cost
            start = time.perf_counter()
            for _ in range(2):
                trainer.train_on_batch(images, labels)
            seconds[name].append((time.perf_counter() - start) / 2)
    for name, times in seconds.items():
        print(f"{architecture} {precision} {name}: fastest "
              f"{1000 * min(times):.1f} ms/step, median "
              f"{1000 * np.median(times):.1f} ms/step")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3].split(","),
         *(int(a) for a in sys.argv[4:5]))
