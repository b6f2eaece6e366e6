"""Turns (uint8 image, label) datasets into fast training pipelines.

The order is the tf.data guide's: decode and normalise once, cache, then
shuffle, augment, batch and prefetch, so later epochs only do the random work.
"""

import tensorflow as tf

AUGMENTATIONS = ("none", "crop_flip")
_CROP_PADDING = 4
# The largest split we hold (60,000) fits; larger TFDS sets shuffle in windows.
_MAX_SHUFFLE_BUFFER = 60000


def _to_float(image, label):
    return tf.cast(image, tf.float32) / 255.0, tf.cast(label, tf.int32)


def _crop_flip(seed, image, label):
    crop_seed, flip_seed = tf.unstack(
        tf.random.experimental.stateless_split(seed, num=2))
    shape = tf.shape(image)
    padded = tf.pad(image, [[_CROP_PADDING, _CROP_PADDING]] * 2 + [[0, 0]])
    image = tf.image.stateless_random_crop(padded, shape, seed=crop_seed)
    image = tf.image.stateless_random_flip_left_right(image, seed=flip_seed)
    return image, label


def build_pipeline(dataset, *, batch_size=None, shuffle=False,
                   augmentation="none", num_examples=None, seed=None,
                   drop_remainder=False):
    """Normalises, caches, shuffles, augments, batches and prefetches.

    Args:
        dataset: a `tf.data.Dataset` of (uint8 image, integer label).
        batch_size: the batch size, or None for single examples.
        shuffle: reshuffle the examples every epoch.
        augmentation: "none", or "crop_flip" (a random crop after zero
            padding of 4 pixels, then a random horizontal flip).
        num_examples: keep only the first `num_examples` examples.
        seed: seeds shuffling and augmentation; None draws from TF's global
            seed, which `keras.utils.set_random_seed` sets.
        drop_remainder: drop the last incomplete batch.

    Returns:
        A `tf.data.Dataset` of (float32 images in [0, 1], int32 labels).
    """
    if augmentation not in AUGMENTATIONS:
        raise ValueError(f"Unknown augmentation; expected one of {AUGMENTATIONS}. "
                         f"Received: augmentation={augmentation!r}")
    if num_examples is not None:
        dataset = dataset.take(num_examples)
    dataset = dataset.map(_to_float, num_parallel_calls=tf.data.AUTOTUNE).cache()
    if shuffle:
        size = int(dataset.cardinality())
        buffer = size if 0 < size <= _MAX_SHUFFLE_BUFFER else _MAX_SHUFFLE_BUFFER
        dataset = dataset.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if augmentation == "crop_flip":
        seeds = tf.data.Dataset.random(
            seed=seed, rerandomize_each_iteration=True).batch(2)
        dataset = tf.data.Dataset.zip(seeds, dataset).map(
            lambda s, example: _crop_flip(s, *example),
            num_parallel_calls=tf.data.AUTOTUNE)
    if batch_size is not None:
        dataset = dataset.batch(batch_size, drop_remainder=drop_remainder,
                                num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
