"""The quick-start job: train a small model offline and report its accuracy."""

import time

import keras

from afd_keras import data
from afd_keras import models


def run(dataset="mnist", *, epochs=3, batch_size=128, seed=0, verbose=2):
    """Trains `small_cnn` on the embedded sample and measures test accuracy.

    Uses only the sample inside the package, so it runs offline anywhere.
    The test images are the sample's test split, never seen in training.

    Args:
        dataset: a dataset whose sample has a train and a test split.
        epochs: training epochs.
        batch_size: the training batch size.
        seed: seeds weights, shuffling and Keras.
        verbose: the Keras verbosity of `fit`.

    Returns:
        A dict with `test_accuracy`, `num_train`, `num_test` and
        `seconds`.

    Example:

    >>> result = run(epochs=1)
    >>> 0.0 <= result["test_accuracy"] <= 1.0
    True
    """
    start = time.time()
    keras.utils.set_random_seed(seed)
    spec = data.get_spec(dataset)
    train = data.load(dataset, "train", batch_size=batch_size, shuffle=True,
                      source="sample", seed=seed)
    test = data.load(dataset, "test", batch_size=500, source="sample")
    model = models.build("small_cnn", input_shape=spec.image_shape,
                         num_classes=spec.num_classes, mean=spec.mean,
                         std=spec.std)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(
                      from_logits=True),
                  metrics=["accuracy"])
    # The dataset shuffles itself; fit's own shuffle would only warn.
    model.fit(train, epochs=epochs, shuffle=False, verbose=verbose)
    _, accuracy = model.evaluate(test, verbose=0)
    return {
        "test_accuracy": float(accuracy),
        "num_train": data.sample.SAMPLE_SIZES[(dataset, "train")],
        "num_test": data.sample.SAMPLE_SIZES[(dataset, "test")],
        "seconds": time.time() - start,
    }
