"""Top-1 correctness of a classifier, the one measure training and
evaluation both report."""

import numpy as np
import tensorflow as tf


def correct_predictions(model, x, y):
    """Where the model's top-1 class is the label.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: a batch of images.
        y: int labels of shape (batch,).

    Returns:
        A bool numpy array of shape (batch,).

    Example:

    >>> correct_predictions(model, images, labels).mean()
    """
    predictions = tf.argmax(model(x, training=False), -1, output_type=tf.int32)
    return (predictions == tf.cast(y, tf.int32)).numpy()


def accuracy(model, dataset):
    """Top-1 accuracy over a dataset of (images, labels) batches.

    Each process scores the whole dataset alone, batch by batch, with no
    distribution strategy involved.

    Example:

    >>> accuracy(model, afd_keras.data.load("mnist", "test", batch_size=500))
    """
    correct = [correct_predictions(model, x, y) for x, y in dataset]
    if not correct:
        raise ValueError("Cannot score an empty dataset. Received: a dataset "
                         "with no batches.")
    return float(np.concatenate(correct).mean())
