"""The validation split: a fixed, class-balanced hold-out of the training set.

Every built-in dataset holds out `VALIDATION_PER_CLASS` training images of
each class (5,000 of CIFAR-10's 50,000; 5,000 of MNIST's and
Fashion-MNIST's 60,000). Membership is decided by the image's content, not
its position, so the split is the same from every source, whatever order
the source stores the examples in (TFDS stores MNIST in its own order):

    an image of class k is in the validation split when
    fingerprint(image) <= cutoff[k],

where the fingerprint is TF's FarmHash Fingerprint64 of the uint8 pixels
(stable across platforms and releases), and cutoff[k] is the
`VALIDATION_PER_CLASS`-th smallest fingerprint of class k in the training
set. The cutoffs are derived once from the original files by
`validation_cutoffs` and stored in the catalog; a test recomputes them.

Example:

>>> val = afd_keras.data.load("cifar10", "validation", batch_size=500)
>>> fit = afd_keras.data.load("cifar10", "train_without_validation",
...                           batch_size=128, shuffle=True, augment=True)
"""

import numpy as np
import tensorflow as tf

VALIDATION_PER_CLASS = 500
# Derived split -> (the stored split it is carved from, keep the validation
# examples).
HELD_OUT_SPLITS = {
    "validation": ("train", True),
    "train_without_validation": ("train", False),
}


def fingerprints(images):
    """Fingerprint64 of each uint8 image, as int64.

    Args:
        images: a uint8 batch (N, H, W, C).

    Returns:
        An int64 tensor (N,).
    """
    flat = tf.reshape(images, [tf.shape(images)[0], -1])
    return tf.bitcast(tf.fingerprint(flat), tf.int64)


def validation_cutoffs(images, labels, num_classes,
                       per_class=VALIDATION_PER_CLASS):
    """Computes the per-class cutoffs that select `per_class` images each.

    Args:
        images: the whole uint8 training split (N, H, W, C).
        labels: its integer labels (N,).
        num_classes: the number of classes.
        per_class: validation images per class.

    Returns:
        A tuple of `num_classes` Python ints.

    Raises:
        ValueError: a class has too few images, or two of its images share
            the cutoff's fingerprint (the split would not have `per_class`).
    """
    values = fingerprints(tf.convert_to_tensor(images)).numpy()
    labels = np.asarray(labels)
    cutoffs = []
    for label in range(num_classes):
        ranked = np.sort(values[labels == label])
        if len(ranked) <= per_class or ranked[per_class - 1] == ranked[per_class]:
            raise ValueError(
                f"Class {label} cannot give exactly {per_class} validation "
                f"images. Received: {len(ranked)} images of the class")
        cutoffs.append(int(ranked[per_class - 1]))
    return tuple(cutoffs)


def select(dataset, cutoffs, keep_validation):
    """Keeps the validation examples of a training split, or the others.

    Args:
        dataset: a `tf.data.Dataset` of (uint8 image, integer label), the
            training split or part of it, from any source.
        cutoffs: the dataset's per-class cutoffs (`DatasetSpec`).
        keep_validation: True for the validation split, False for the rest.

    Returns:
        The filtered dataset, in the source's order.
    """
    cutoffs = tf.constant(cutoffs, tf.int64)

    def in_validation(image, label):
        value = fingerprints(image[tf.newaxis])[0]
        return value <= tf.gather(cutoffs, tf.cast(label, tf.int32))

    if keep_validation:
        return dataset.filter(in_validation)
    return dataset.filter(lambda image, label: tf.logical_not(
        in_validation(image, label)))
