"""The tensorflow-datasets sources: prepared data, offline builds, downloads.

tensorflow_datasets is imported lazily: it is slow to import and only these
sources need it.
"""

import glob
import os

import filelock

from afd_keras.data import catalog
from afd_keras.utils import messages


def _tfds():
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
    return tfds


def find_prepared(name, data_dirs):
    """Returns a TFDS builder whose data are prepared in one of `data_dirs`.

    Args:
        name: the TFDS name.
        data_dirs: folders to look in, in order; None entries are skipped.

    Returns:
        The builder, or None when no folder has the dataset prepared.
    """
    for data_dir in data_dirs:
        # TFDS keeps <data_dir>/<name>/<version>/dataset_info.json; a folder
        # of raw archives with the same name is not a prepared dataset.
        if data_dir and glob.glob(os.path.join(glob.escape(data_dir), name, "*",
                                               "dataset_info.json")):
            builder = _tfds().builder(name, data_dir=data_dir)
            if builder.is_prepared():
                return builder
    return None


def build_offline(name, manual_dir, data_dir):
    """Builds a TFDS dataset from archives in `manual_dir`, without network.

    TFDS verifies each archive against its own checksum table, so this runs
    the real TFDS code on byte-identical files.

    Args:
        name: the TFDS name, e.g. "mnist".
        manual_dir: the folder holding the original archives.
        data_dir: the writable folder to prepare into.

    Returns:
        The prepared builder.
    """
    # TFDS names the extraction of a manual archive after its file name only,
    # and MNIST and Fashion-MNIST share file names: a shared download folder
    # would hand one dataset the other's images.
    return _prepare(
        name, data_dir,
        download_dir=os.path.join(data_dir, "downloads", name),
        download_config=_tfds().download.DownloadConfig(manual_dir=manual_dir))


def download(name, data_dir):
    """Downloads and prepares a TFDS dataset into `data_dir`."""
    return _prepare(name, data_dir)


def _prepare(name, data_dir, **kwargs):
    """Prepares `name` in `data_dir`, one process at a time.

    The workers of a multi-worker run share the cache and prepare at once;
    unguarded, all but the first fail to rename their build onto the
    finished one. Under the lock the others wait, then TFDS reuses the
    prepared data.
    """
    os.makedirs(data_dir, exist_ok=True)
    with filelock.FileLock(os.path.join(data_dir, f"{name}.lock")):
        builder = _tfds().builder(name, data_dir=data_dir)
        builder.download_and_prepare(**kwargs)
    return builder


def check_supported(name):
    """Checks that TFDS knows `name` as an image-classification dataset.

    Returns:
        The builder's `DatasetInfo`, read from TFDS's own metadata.

    Raises:
        ValueError: TFDS does not know the name, or the dataset lacks the
            `image` and `label` features.
    """
    tfds = _tfds()
    try:
        builder = tfds.builder(name)
    except tfds.core.registered.DatasetNotFoundError as e:
        known = list(catalog.DATASETS) + list(tfds.list_builders())
        raise ValueError(messages.unknown_name_message(
            "dataset", name, known,
            expected=(f"one of {', '.join(catalog.list_datasets())}, or a "
                      "tensorflow-datasets image classification name"))) from e
    features = builder.info.features
    if not all(key in features for key in ("image", "label")):
        raise ValueError(
            f"Dataset {name!r} has features {list(features)}; expected an image "
            "classification dataset with 'image' and 'label' features.")
    return builder.info


def as_supervised(builder, split):
    """Returns the split as a dataset of (uint8 image, label) pairs.

    Raises:
        ValueError: the split does not exist.
    """
    splits = list(builder.info.splits)
    if split not in splits:
        raise ValueError(
            f"Unknown split {split!r} for {builder.name}; expected one of "
            f"{sorted(splits)}. Received: split={split!r}")
    return builder.as_dataset(split=split, as_supervised=True,
                              shuffle_files=False)
