"""The most any early-stopping PGD can gain over cleverhans on a model.

A K-step PGD that drops fooled examples still runs step k+1 on every example
standing after k steps. Its passes per example are sum_{k<K} acc(k), where
acc(k) is the accuracy after k steps of the same schedule; cleverhans runs K
passes on every example. K / sum_k acc(k) is the best speed-up at equal cost
per pass.

Usage: python experiments/pgd_work_bound.py MODEL [NUM_EXAMPLES] [K]
(MODEL: a run dir, a zoo name or a .keras file; its dataset and budget are
the model's own, read as afd-evaluate reads them.)
"""

import sys

import numpy as np

from afd_keras import attacks
from afd_keras import data
from afd_keras import zoo
from afd_keras.attacks.pgd import madry_step_size


def main(run_dir, num_examples=1000, num_steps=20):
    model = zoo.load_model(run_dir)
    dataset, _, epsilon = zoo.threat_setting(run_dir)
    images, labels = next(iter(data.load(
        dataset, "test", batch_size=num_examples)))
    step_size = madry_step_size(epsilon, num_steps)  # the benchmark's schedule
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
