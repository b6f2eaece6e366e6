"""Argument checks shared by the attacks: clear errors before any work."""

import numpy as np
import tensorflow as tf

from afd_keras.attacks import norms


def check_images(x):
    """Returns `x` as a float32 NHWC tensor, checked to lie in [0, 1].

    Raises:
        ValueError: wrong rank, or values outside [0, 1].
    """
    x = tf.convert_to_tensor(x, tf.float32)
    if x.shape.rank != 4:
        raise ValueError("Attacks expect a batch of NHWC images. "
                         f"Received: shape={tuple(x.shape)}")
    low, high = float(tf.reduce_min(x)), float(tf.reduce_max(x))
    if low < 0.0 or high > 1.0:
        raise ValueError("Attacks expect images in [0, 1]. Received: values "
                         f"in [{low:g}, {high:g}]")
    return x


def labels_or_predictions(model, x, y):
    """Returns int32 labels of shape (batch,), the model's own when y is None.

    Using the predictions when no labels are given avoids label leaking
    (Kurakin et al. 2017).

    Raises:
        ValueError: the labels do not match the batch.
    """
    if y is None:
        return tf.argmax(model(x, training=False), axis=-1, output_type=tf.int32)
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (x.shape[0],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"Labels must be {x.shape[0]} integers, one per image. Received: "
            f"shape={y.shape}, dtype={y.dtype}")
    return tf.convert_to_tensor(y, tf.int32)


def check_settings(epsilon, norm, num_steps=1, step_size=0.0, num_restarts=1):
    """Checks the attack settings.

    Raises:
        ValueError: naming the bad setting and the value received.
    """
    checks = [
        (epsilon >= 0, f"epsilon must be >= 0. Received: epsilon={epsilon!r}"),
        (norm in norms.NORMS,
         f"Unknown norm; expected one of {norms.NORMS}. Received: norm={norm!r}"),
        (isinstance(num_steps, int) and num_steps >= 1,
         f"num_steps must be an integer >= 1. Received: num_steps={num_steps!r}"),
        (step_size >= 0, f"step_size must be >= 0. Received: step_size={step_size!r}"),
        (isinstance(num_restarts, int) and num_restarts >= 1,
         f"num_restarts must be an integer >= 1. Received: num_restarts={num_restarts!r}"),
    ]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)


def check_attack_inputs(model, x, y, epsilon, norm, num_steps=1, step_size=0.0,
                        num_restarts=1):
    """Every attack's checks in order: images, settings, then labels.

    Returns:
        (x, y): float32 images and int32 labels (the model's predictions
        when `y` is None).

    Raises:
        ValueError: as `check_images`, `check_settings` and
            `labels_or_predictions`.
    """
    x = check_images(x)
    check_settings(epsilon, norm, num_steps, step_size, num_restarts)
    return x, labels_or_predictions(model, x, y)
