"""How fast `afd_keras.data` delivers training batches on its own."""

import time

from afd_keras import data


def measure_pipeline_throughput(dataset, *, batch_size=128, num_batches=200,
                                data_dir=None, source="auto", seed=0):
    """Images per second of the training pipeline alone (shuffle, augment).

    The first pass fills the cache; the timed pass is a later epoch, as in
    training.

    Args:
        dataset: a dataset name for `afd_keras.data.load`.
        batch_size: images per batch.
        num_batches: batches timed.
        data_dir: the data folder.
        source: where to read the data from.
        seed: the shuffle and augmentation seed.

    Returns:
        Images per second.

    Example:

    >>> measure_pipeline_throughput("cifar10", data_dir="../shared/data")
    """
    stream = data.load(dataset, "train", batch_size=batch_size, shuffle=True,
                       augment=True, data_dir=data_dir, source=source,
                       seed=seed, drop_remainder=True, epochs=2)
    per_epoch = int(stream.cardinality()) // 2
    iterator = iter(stream)
    for _ in range(per_epoch):  # epoch 0 fills the cache
        next(iterator)
    count = min(num_batches, per_epoch)
    start = time.perf_counter()
    for _ in range(count):
        next(iterator)
    return count * batch_size / (time.perf_counter() - start)
