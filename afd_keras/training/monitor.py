"""A per-epoch PGD check that catches catastrophic overfitting as it happens.

Single-step adversarial training can collapse within one epoch: PGD
accuracy drops to near zero while FGSM accuracy soars (Wong et al. 2020,
Sec. 5). Their remedy is to measure PGD accuracy on a fixed batch after
every epoch and keep the best epoch; `RobustnessMonitor` does both.
"""

import json
import os

from absl import logging
import keras
import numpy as np
import tensorflow as tf

from afd_keras.attacks import pgd
from afd_keras.models import accuracy

BEST_WEIGHTS_FILE = "best_epoch.weights.h5"
BEST_RECORD_FILE = "best_epoch.json"


class RobustnessMonitor(keras.callbacks.Callback):
    """Logs PGD accuracy on a fixed batch each epoch; can restore the best.

    It adds `monitor_clean_accuracy` and `monitor_pgd_accuracy` to the
    epoch's logs, so a `CSVLogger` after it records the curve. With
    `restore_best`, the classifier's weights at the epoch of highest PGD
    accuracy are kept in `directory` and loaded back when training ends,
    also across a resumed run.

    Args:
        images: the fixed batch, [0, 1] NHWC (held-out data, not test data).
        labels: its int labels.
        epsilon: the L-inf budget.
        num_steps: PGD steps (step 2.5 eps / num_steps, random start).
        restore_best: keep and restore the best epoch.
        directory: where the best epoch is kept; required with
            `restore_best`.
        batch_size: images per attack call.

    Example:

    >>> monitor = RobustnessMonitor(x_val[:1000], y_val[:1000], 8 / 255,
    ...                             restore_best=True, directory="run/")
    >>> trainer.fit(train_data, epochs=15, callbacks=[monitor])
    """

    def __init__(self, images, labels, epsilon, *, num_steps=10,
                 restore_best=False, directory=None, batch_size=500):
        super().__init__()
        images = np.asarray(images, np.float32)
        labels = np.asarray(labels).reshape(-1)
        if images.ndim != 4 or len(images) != len(labels) or not len(images):
            raise ValueError(
                "RobustnessMonitor needs a non-empty NHWC batch and one label "
                f"per image. Received: images of shape {images.shape}, "
                f"{len(labels)} labels")
        if restore_best and not directory:
            raise ValueError("restore_best=True needs a directory to keep the "
                             f"best epoch in. Received: directory={directory!r}")
        self.images, self.labels = images, labels.astype(np.int32)
        self.epsilon, self.num_steps = float(epsilon), int(num_steps)
        self.restore_best, self.directory = restore_best, directory
        self.batch_size = batch_size
        self.best = self._read_best()

    def _classifier(self):
        return getattr(self.model, "classifier", self.model)

    def _read_best(self):
        path = self.directory and os.path.join(self.directory, BEST_RECORD_FILE)
        if not (self.restore_best and os.path.exists(path)):
            return None
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def measure(self):
        """Returns (clean accuracy, PGD accuracy) on the fixed batch."""
        classifier = self._classifier()
        clean = robust = 0
        for start in range(0, len(self.images), self.batch_size):
            x = tf.constant(self.images[start:start + self.batch_size])
            y = tf.constant(self.labels[start:start + self.batch_size])
            clean += accuracy.correct_predictions(classifier, x, y).sum()
            x_adv = pgd(classifier, x, y, epsilon=self.epsilon,
                        num_steps=self.num_steps, seed=start)
            robust += accuracy.correct_predictions(classifier, x_adv, y).sum()
        return (float(clean / len(self.images)),
                float(robust / len(self.images)))

    def on_epoch_end(self, epoch, logs=None):
        clean, robust = self.measure()
        if logs is not None:
            logs["monitor_clean_accuracy"] = clean
            logs["monitor_pgd_accuracy"] = robust
        if self.restore_best and (self.best is None or
                                  robust > self.best["pgd_accuracy"]):
            os.makedirs(self.directory, exist_ok=True)
            self._classifier().save_weights(
                os.path.join(self.directory, BEST_WEIGHTS_FILE))
            self.best = {"epoch": epoch + 1, "pgd_accuracy": robust,
                         "clean_accuracy": clean}
            # Written after the weights: a record always has its weights.
            with open(os.path.join(self.directory, BEST_RECORD_FILE), "w",
                      encoding="utf-8") as f:
                json.dump(self.best, f)

    def on_train_end(self, logs=None):
        self.restore()

    def restore(self, classifier=None):
        """Loads the best epoch's weights, with `restore_best`; else no-op.

        Args:
            classifier: the model to load into; defaults to the trained one.
        """
        if self.restore_best and self.best is not None:
            (classifier or self._classifier()).load_weights(
                os.path.join(self.directory, BEST_WEIGHTS_FILE))
            logging.info("Restored epoch %d (monitor PGD accuracy %.4f).",
                         self.best["epoch"], self.best["pgd_accuracy"])

