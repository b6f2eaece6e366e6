"""Per-example losses that the attacks maximise."""

import tensorflow as tf

LOSSES = ("ce", "dlr")


def cross_entropy(labels, logits):
    """The per-example softmax cross-entropy of int `labels`."""
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)


def margin(labels, logits):
    """The true logit minus the highest other one: below 0 when fooled.

    Args:
        labels: int32 labels, shape (batch,).
        logits: shape (batch, num_classes).

    Returns:
        The per-example margin, float32, shape (batch,).
    """
    logits = tf.cast(logits, tf.float32)
    others = tf.where(tf.one_hot(labels, tf.shape(logits)[-1]) > 0,
                      tf.float32.min, logits)
    return (tf.gather(logits, labels, batch_dims=1)
            - tf.reduce_max(others, axis=-1))


def dlr(labels, logits):
    """The Difference of Logits Ratio loss (Croce & Hein 2020).

    DLR = -(z_y - max_{i != y} z_i) / (z_(1) - z_(3)), with z_(k) the k-th
    largest logit. It is invariant to shifting and scaling the logits, so a
    model cannot mask its gradients by inflating them.

    Args:
        labels: int32 labels, shape (batch,).
        logits: shape (batch, num_classes), at least 3 classes.

    Returns:
        The per-example loss, shape (batch,).
    """
    top3 = tf.math.top_k(tf.cast(logits, tf.float32), k=3).values
    return -margin(labels, logits) / (top3[:, 0] - top3[:, 2] + 1e-12)


def dlr_targeted(labels, targets, logits):
    """The targeted Difference of Logits Ratio loss (Croce & Hein 2020).

    DLR_t = -(z_y - z_t) / (z_(1) - (z_(3) + z_(4)) / 2), with z_(k) the k-th
    largest logit. Maximising it raises the target's logit `z_t` above the
    true one, `z_y`. Like DLR it is invariant to shifting and scaling the
    logits; the denominator skips z_(2), which the target may be.

    Args:
        labels: int32 true labels, shape (batch,).
        targets: int32 target classes, shape (batch,).
        logits: shape (batch, num_classes), at least 4 classes.

    Returns:
        The per-example loss, shape (batch,).
    """
    logits = tf.cast(logits, tf.float32)
    top4 = tf.math.top_k(logits, k=4).values
    margin = (tf.gather(logits, labels, batch_dims=1)
              - tf.gather(logits, targets, batch_dims=1))
    return -margin / (top4[:, 0] - 0.5 * (top4[:, 2] + top4[:, 3]) + 1e-12)


def by_name(name):
    """Returns the loss function named "ce" or "dlr"."""
    return {"ce": cross_entropy, "dlr": dlr}[name]
