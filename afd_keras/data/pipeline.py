"""Turns (uint8 image, label) datasets into fast training pipelines.

The order is the tf.data guide's: decode and normalise once, cache, then
shuffle, augment, batch and prefetch, so later epochs only do the random work.
"""

import functools

import tensorflow as tf

AUGMENTATIONS = ("none", "crop_flip")
_CROP_PADDING = 4
# The largest split we hold (60,000) fits; larger TFDS sets shuffle in windows.
_MAX_SHUFFLE_BUFFER = 60000
# Epoch e of seed s uses the tf.data seed s * stride + e.
_EPOCH_SEED_STRIDE = 1_000_003


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
                   drop_remainder=False, epochs=None, first_epoch=0,
                   steps_per_epoch=None):
    """Normalises, caches, shuffles, augments, batches and prefetches.

    With `epochs`, the dataset holds the epochs `first_epoch .. epochs - 1`
    back to back, and each epoch's order and augmentation depend only on
    `seed`, the epoch's index and TF's global seed (tf.data combines the
    two; `keras.utils.set_random_seed` sets it). A run resumed at epoch e,
    under the same global seed, thus sees exactly the batches an
    uninterrupted run sees from epoch e on.

    Args:
        dataset: a `tf.data.Dataset` of (uint8 image, integer label).
        batch_size: the batch size, or None for single examples.
        shuffle: reshuffle the examples every epoch.
        augmentation: "none", or "crop_flip" (a random crop after zero
            padding of 4 pixels, then a random horizontal flip).
        num_examples: keep only the first `num_examples` examples.
        seed: seeds shuffling and augmentation; None draws from TF's global
            seed, which `keras.utils.set_random_seed` sets. Required with
            `epochs`.
        drop_remainder: drop the last incomplete batch.
        epochs: None for one epoch, reshuffled at every iteration; or the
            number of epochs of a replayable multi-epoch stream.
        first_epoch: with `epochs`, the epoch the stream starts at.
        steps_per_epoch: with `epochs`, the batches per epoch (each epoch's
            order is repeated if it has fewer).

    Returns:
        A `tf.data.Dataset` of (float32 images in [0, 1], int32 labels).

    Example:

    >>> # Epochs 3 and 4 of a 5-epoch run, as an uninterrupted run sees them:
    >>> raw = tf.data.Dataset.from_tensor_slices((uint8_images, labels))
    >>> ds = build_pipeline(raw, batch_size=128, shuffle=True, seed=0,
    ...                     epochs=5, first_epoch=3)
    """
    if augmentation not in AUGMENTATIONS:
        raise ValueError(f"Unknown augmentation; expected one of {AUGMENTATIONS}. "
                         f"Received: augmentation={augmentation!r}")
    if epochs is not None and (seed is None or batch_size is None
                               or not 0 <= first_epoch <= epochs):
        raise ValueError(
            "A replayable stream needs a seed, a batch size and "
            "0 <= first_epoch <= epochs. Received: "
            f"seed={seed!r}, batch_size={batch_size!r}, "
            f"first_epoch={first_epoch!r}, epochs={epochs!r}")
    if num_examples is not None:
        dataset = dataset.take(num_examples)
    dataset = dataset.map(_to_float, num_parallel_calls=tf.data.AUTOTUNE).cache()
    size = int(dataset.cardinality())
    buffer = size if 0 < size <= _MAX_SHUFFLE_BUFFER else _MAX_SHUFFLE_BUFFER

    def one_epoch(epoch_seed, reshuffle):
        examples = dataset
        if shuffle:
            examples = examples.shuffle(buffer, seed=epoch_seed,
                                        reshuffle_each_iteration=reshuffle)
        if augmentation == "crop_flip":
            seeds = tf.data.Dataset.random(
                seed=epoch_seed, rerandomize_each_iteration=reshuffle).batch(2)
            examples = tf.data.Dataset.zip(seeds, examples).map(
                lambda s, example: _crop_flip(s, *example),
                num_parallel_calls=tf.data.AUTOTUNE)
        if batch_size is not None:
            examples = examples.batch(batch_size, drop_remainder=drop_remainder,
                                      num_parallel_calls=tf.data.AUTOTUNE)
        return examples

    if epochs is None:
        return one_epoch(seed, reshuffle=True).prefetch(tf.data.AUTOTUNE)

    def replayable_epoch(epoch):
        examples = one_epoch(seed * _EPOCH_SEED_STRIDE + epoch, reshuffle=False)
        # A quick run's "epoch" may outlast the data: repeat this epoch's order.
        return examples if steps_per_epoch is None else examples.repeat().take(
            steps_per_epoch)

    # Python seeds per epoch (tf.data rejects tensor seeds under a global
    # seed); the epochs share one cache.
    remaining = [replayable_epoch(epoch) for epoch in range(first_epoch, epochs)]
    stream = (functools.reduce(tf.data.Dataset.concatenate, remaining)
              if remaining else replayable_epoch(first_epoch).take(0))
    return stream.prefetch(tf.data.AUTOTUNE)
