"""`load`: one call that finds a dataset split wherever it is and pipelines it."""

import functools
import os
import time
import warnings

from absl import logging
import tensorflow as tf

from afd_keras.data import catalog
from afd_keras.data import local_files
from afd_keras.data import network
from afd_keras.data import pipeline
from afd_keras.data import sample
from afd_keras.data import tfds_source
from afd_keras.data import validation
from afd_keras.utils import errors

DATA_DIR_ENV = "AFD_DATA_DIR"
CACHE_DIR_ENV = "AFD_CACHE_DIR"
SOURCES = ("auto", "tfds", "local", "download", "sample")


def default_cache_dir():
    """Returns `$AFD_CACHE_DIR`, else `~/.cache/afd_keras`."""
    return os.environ.get(CACHE_DIR_ENV) or os.path.join(
        os.path.expanduser("~"), ".cache", "afd_keras")


def load(name, split, *, batch_size=None, shuffle=False, augment=False,
         data_dir=None, source="auto", num_examples=None, seed=None,
         drop_remainder=False, cache_dir=None, epochs=None, first_epoch=0,
         steps_per_epoch=None):
    """Loads a dataset split as a `tf.data.Dataset` of (image, label).

    Under `source="auto"` the sources are tried in this order:

    1. TFDS data already prepared in `data_dir` or in the cache.
    2. A TFDS build from the original archives in `data_dir` (MNIST and
       Fashion-MNIST), offline and checksum-verified by TFDS itself.
    3. The local files in `data_dir` read directly (IDX archives, the
       CIFAR-10 npz).
    4. A TFDS download, only when the network answers within seconds.
    5. The sample embedded in the package, only when no data dir is set at
       all; a warning says so.

    Args:
        name: "mnist", "fashion_mnist", "cifar10", or any TFDS image
            classification dataset with `image` and `label` features.
        split: "train", "test", "validation" (a fixed, class-balanced 500
            images per class held out of "train", the same from every
            source; see `validation`) or "train_without_validation" (the
            rest of "train"). TFDS datasets take any split TFDS lists.
        batch_size: batch size, or None for single examples.
        shuffle: reshuffle every epoch.
        augment: apply the dataset's training augmentation (random crop and
            flip for CIFAR-10; MNIST-like data have none).
        data_dir: the folder holding the data: TFDS prepared folders and/or
            the local files under `<data_dir>/<dataset folder>/`. Defaults to
            `$AFD_DATA_DIR`.
        source: "auto", "tfds", "local", "download" or "sample". "auto"
            falls back to the embedded sample, with a warning, only when
            no `data_dir` is configured; "sample" asks for it (no warning).
        num_examples: keep only the first `num_examples` examples.
        seed: seeds shuffling and augmentation.
        drop_remainder: drop the last incomplete batch.
        cache_dir: where TFDS builds and downloads go. Defaults to
            `$AFD_CACHE_DIR`, else `~/.cache/afd_keras`.
        epochs: None for one epoch; or the number of epochs of a stream that
            replays exactly on resume (see `pipeline.build_pipeline`).
        first_epoch: with `epochs`, the epoch the stream starts at.
        steps_per_epoch: with `epochs`, the batches per epoch.

    Returns:
        A `tf.data.Dataset` of float32 NHWC images in [0, 1] and int32 labels.

    Raises:
        ValueError: an unknown dataset, split, source, or a bad argument.
        DataNotFoundError: no source has the data; the message says which
            files to put where.
        ChecksumError: a data file is corrupt or truncated.
        DataFormatError: a data file holds arrays of the wrong shape.

    Example:

    >>> ds = load("mnist", "test", batch_size=8, source="sample")
    >>> images, labels = next(iter(ds))
    >>> images.shape
    TensorShape([8, 28, 28, 1])
    """
    _check_args(source, batch_size, num_examples)
    data_dir = data_dir or os.environ.get(DATA_DIR_ENV) or None
    tfds_dir = os.path.join(cache_dir or default_cache_dir(), "tensorflow_datasets")
    spec = catalog.DATASETS.get(name)
    stored_split, keep_validation = split, None
    if spec is None:
        info = tfds_source.check_supported(name)
        channels = info.features["image"].shape[-1]
        augmentation = "crop_flip" if channels == 3 else "none"
    else:
        known = list(spec.splits) + list(validation.HELD_OUT_SPLITS)
        if split not in known:
            raise ValueError(
                f"Unknown split {split!r} for {name}; expected one of "
                f"{known}. Received: split={split!r}")
        stored_split, keep_validation = validation.HELD_OUT_SPLITS.get(
            split, (split, None))
        augmentation = spec.augmentation

    tried = []
    for attempt in _attempts(source, spec, data_dir):
        dataset = attempt(name=name, spec=spec, split=stored_split,
                          data_dir=data_dir, tfds_dir=tfds_dir, tried=tried)
        if dataset is not None:
            if keep_validation is not None:
                dataset = _held_out(dataset, spec, stored_split,
                                    keep_validation)
            return pipeline.build_pipeline(
                dataset, batch_size=batch_size, shuffle=shuffle,
                augmentation=augmentation if augment else "none",
                num_examples=num_examples, seed=seed,
                drop_remainder=drop_remainder, epochs=epochs,
                first_epoch=first_epoch, steps_per_epoch=steps_per_epoch)
    hint = (local_files.placement_hint(spec, data_dir and os.path.join(
        data_dir, spec.local_dir)) if spec else
            f"Prepare it with tensorflow-datasets where there is network, "
            f"then copy the folder {name}/ into data_dir or {tfds_dir}.")
    raise errors.DataNotFoundError(
        f"No source could provide {name}/{split} (source={source!r}). "
        f"Tried: {'; '.join(tried)}. {hint}")


def _held_out(dataset, spec, stored_split, keep_validation):
    """Carves the validation split, or the rest, out of a stored split."""
    complete = int(dataset.cardinality()) == spec.split_sizes[stored_split]
    dataset = validation.select(dataset, spec.validation_cutoffs,
                                keep_validation)
    if not complete:  # a partial source (the sample): size unknown
        return dataset
    held_out = validation.VALIDATION_PER_CLASS * spec.num_classes
    return dataset.apply(tf.data.experimental.assert_cardinality(
        held_out if keep_validation else
        spec.split_sizes[stored_split] - held_out))


def _check_args(source, batch_size, num_examples):
    if source not in SOURCES:
        raise ValueError(f"Unknown source; expected one of {SOURCES}. "
                         f"Received: source={source!r}")
    for arg_name, value in (("batch_size", batch_size),
                            ("num_examples", num_examples)):
        if value is not None and (isinstance(value, bool) or
                                  not isinstance(value, int) or value < 1):
            raise ValueError(f"`{arg_name}` must be a positive integer or None. "
                             f"Received: {arg_name}={value!r}")


def _attempts(source, spec, data_dir):
    """Returns the source functions to try, in order."""
    if source == "auto":
        order = [_tfds_prepared, _tfds_archives, _local, _download]
        # The sample stands in only when the user configured no data at all.
        return order + ([functools.partial(_sample, stands_in=True)]
                         if data_dir is None else [])
    return {
        "tfds": [_tfds_prepared, _tfds_archives],
        "local": [_local],
        "download": [_download],
        "sample": [functools.partial(_sample, stands_in=False)],
    }[source]


def _tfds_prepared(*, name, split, data_dir, tfds_dir, tried, **_):
    builder = tfds_source.find_prepared(name, [data_dir, tfds_dir])
    if builder is None:
        tried.append(f"TFDS prepared data in {data_dir or '(no data_dir)'} and "
                     f"{tfds_dir} (none)")
        return None
    logging.info("Loading %s/%s from TFDS data in %s.", name, split,
                 builder.data_dir)
    return tfds_source.as_supervised(builder, split)


def _local_folder(spec, data_dir):
    return os.path.join(data_dir, spec.local_dir) if data_dir else None


def _tfds_archives(*, name, spec, split, data_dir, tfds_dir, tried, **_):
    folder = _local_folder(spec, data_dir) if spec else None
    if not (spec and spec.tfds_can_build):
        tried.append(f"a TFDS build from local archives (not possible for {name})")
        return None
    missing = [path for each_split in spec.splits
               for path in local_files.missing_files(spec, each_split, folder)
               ] if folder else ["(no data_dir)"]
    if missing:
        tried.append(f"a TFDS build from archives (missing {', '.join(missing)})")
        return None
    # Our own check first: it names the bad file, where TFDS would not.
    for each_split in spec.splits:
        local_files.verify_files(spec, each_split, folder)
    start = time.time()
    builder = tfds_source.build_offline(name, folder, tfds_dir)
    logging.info("Built %s with TFDS from %s in %.1f s.", name, folder,
                 time.time() - start)
    return tfds_source.as_supervised(builder, split)


def _local(*, spec, split, data_dir, tried, **_):
    folder = _local_folder(spec, data_dir) if spec else None
    if folder is None or local_files.missing_files(spec, split, folder):
        tried.append(f"local files in {folder or '(no data_dir)'} (missing)")
        return None
    images, labels = local_files.read_split(spec, split, folder)
    logging.info("Loading %s/%s from local files in %s.", spec.name, split, folder)
    return tf.data.Dataset.from_tensor_slices((images, labels))


def _download(*, name, split, tfds_dir, tried, **_):
    start = time.time()
    if not network.is_online():
        tried.append(f"a TFDS download (no network; checked in "
                     f"{time.time() - start:.1f} s)")
        return None
    builder = tfds_source.download(name, tfds_dir)
    return tfds_source.as_supervised(builder, split)


def _sample(*, name, spec, split, tried, stands_in, **_):
    if not (spec and sample.has_sample(name, split)):
        tried.append(f"the embedded sample (has no {name}/{split})")
        return None
    # A warning only when the sample stands in for data that was not found;
    # a caller who asked for source="sample" knows what it gets.
    if stands_in:
        warnings.warn(
            f"Using the embedded sample of {name}/{split} "
            f"({sample.describe(name, split)}), not the full data. Set "
            f"{DATA_DIR_ENV} or pass data_dir= to use the full dataset.",
            stacklevel=3)
    else:
        logging.info("Loading %s/%s from the embedded sample (%s).", name,
                     split, sample.describe(name, split))
    return tf.data.Dataset.from_tensor_slices(sample.read_split(name, split))
