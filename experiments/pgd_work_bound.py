"""The most any early-stopping PGD can gain over cleverhans on a model.

A K-step PGD that drops fooled examples still runs step k+1 on every example
standing after k steps. Its passes per example are sum_{k<K} acc(k), where
acc(k) is the accuracy after k steps of the same schedule; cleverhans runs K
passes on every example. K / sum_k acc(k) is the best speed-up at equal cost
per pass.

Usage: python experiments/pgd_work_bound.py RUN_DIR [NUM_EXAMPLES] [K]
"""

import sys

import keras
import numpy as np

from afd_keras import attacks
from afd_keras import data


def main(run_dir, num_examples=1000, num_steps=20, epsilon=0.3):
    model = keras.models.load_model(f"{run_dir}/classifier.keras")
    images, labels = next(iter(data.load(
        "mnist", "test", batch_size=num_examples, source="local")))
    step_size = 2.5 * epsilon / num_steps  # the benchmark's schedule
    standing = []
    for k in range(num_steps):
        x_adv = images if k == 0 else attacks.pgd(
            model, images, labels, epsilon=epsilon, num_steps=k,
            step_size=step_size)
        predictions = np.argmax(model.predict(x_adv, verbose=0), -1)
        standing.append(float(np.mean(predictions == labels.numpy())))
    passes = sum(standing)
    print(f"{run_dir}: accuracy after k steps {[round(a, 3) for a in standing]}")
    print(f"passes per example {passes:.2f} of {num_steps}; "
          f"best speed-up over cleverhans {num_steps / passes:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1], *map(int, sys.argv[2:]))
