"""mixed_bfloat16 against float32: training speed and what it costs."""

import dataclasses
import os
import tempfile

import keras
import numpy as np

from afd_keras import attacks
from afd_keras import data
from afd_keras.training import run
from afd_keras.training import run_folder


@dataclasses.dataclass
class PrecisionRun:
    """A short training run at one precision, and its accuracy."""

    precision: str
    images_per_second: float
    clean_accuracy: float
    pgd_accuracy: float


def _accuracies(model, test, epsilon, num_steps):
    clean, robust, count = 0, 0, 0
    for images, labels in test:
        adversarial = attacks.pgd(model, images, labels, epsilon=epsilon,
                                  num_steps=num_steps)
        clean += int(np.sum(np.argmax(model(images), -1) == labels.numpy()))
        robust += int(np.sum(np.argmax(model(adversarial), -1) == labels.numpy()))
        count += len(labels)
    return clean / count, robust / count


def compare_precisions(*, dataset="mnist", epsilon=0.3, method="afd",
                       epochs=1, steps_per_epoch=None, num_examples=1000,
                       num_attack_steps=20, data_dir=None, source="auto",
                       precisions=("float32", "mixed_bfloat16")):
    """Trains small_cnn once per precision and evaluates each the same way.

    Args:
        dataset: the dataset.
        epsilon: the training and evaluation budget.
        method: the training method.
        epochs: training epochs.
        steps_per_epoch: steps per epoch (None: the whole training set).
        num_examples: first test examples evaluated.
        num_attack_steps: PGD steps (step 2.5 eps / K, random start).
        data_dir: the data folder.
        source: where to read the data from.
        precisions: Keras mixed-precision policies to compare.

    Returns:
        A list of `PrecisionRun`, one per precision, in order.

    Example:

    >>> runs = compare_precisions(data_dir="../shared/data")
    """
    test = data.load(dataset, "test", batch_size=500, data_dir=data_dir,
                     source=source, num_examples=num_examples)
    results = []
    try:
        for precision in precisions:
            with tempfile.TemporaryDirectory() as model_dir:
                summary = run.train(run_folder.TrainConfig(
                    model_dir=model_dir, dataset=dataset, data_dir=data_dir,
                    source=source, method=method, epsilon=epsilon,
                    epochs=epochs, steps_per_epoch=steps_per_epoch,
                    optimizer="adam", learning_rate=5e-3, schedule="cyclic",
                    precision=precision))
                model = keras.saving.load_model(
                    os.path.join(model_dir, run_folder.CLASSIFIER_FILE))
            clean, robust = _accuracies(model, test, epsilon, num_attack_steps)
            results.append(PrecisionRun(precision, summary["images_per_second"],
                                        clean, robust))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    return results
