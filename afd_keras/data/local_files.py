"""Reads dataset splits from local files: gzipped IDX archives or an npz.

Files are checked against their published sha256 before they are parsed, so a
corrupt or truncated file is reported as such and never half-read.
"""

import gzip
import os
import zlib

import numpy as np

from afd_keras.utils import checksums
from afd_keras.utils import errors

# IDX: big-endian magic (0, 0, dtype code, number of dims) then one uint32 per
# dim. 0x08 is unsigned byte, the only type these datasets use.
_IDX_UINT8 = 0x08


def missing_files(spec, split, folder):
    """Returns the paths `split` needs under `folder` that do not exist."""
    paths = [os.path.join(folder, f.name) for f in spec.files[split]]
    return [p for p in paths if not os.path.isfile(p)]


def verify_files(spec, split, folder):
    """Checks every file of `split` in `folder` against its published sha256.

    Raises:
        ChecksumError: a file is corrupt or truncated.
    """
    for data_file in spec.files[split]:
        checksums.verify(os.path.join(folder, data_file.name),
                         data_file.sha256, data_file.size)


def read_split(spec, split, folder):
    """Reads one split of a dataset from its local files.

    Args:
        spec: the dataset's `DatasetSpec`.
        split: "train" or "test".
        folder: the folder that holds the dataset's files (not the data dir).

    Returns:
        (images, labels): uint8 NHWC images and int32 labels, in the original
        order of the archives.

    Raises:
        DataNotFoundError: a file is missing.
        ChecksumError: a file differs from the published one.
        DataFormatError: the arrays have the wrong shape or values.
    """
    missing = missing_files(spec, split, folder)
    if missing:
        raise errors.DataNotFoundError(
            f"Missing {spec.name} files: {', '.join(missing)}. "
            f"{placement_hint(spec, folder)}")
    verify_files(spec, split, folder)
    if spec.local_format == "idx":
        image_file, label_file = spec.files[split]
        images = read_idx(os.path.join(folder, image_file.name))[..., None]
        labels = read_idx(os.path.join(folder, label_file.name))
    else:
        images, labels = _read_npz(os.path.join(folder, spec.files[split][0].name),
                                   split)
    check_arrays(spec, split, images, labels, spec.split_sizes[split])
    return images, labels.astype(np.int32)


def read_idx(path):
    """Parses a gzipped IDX file of unsigned bytes into a numpy array.

    Args:
        path: a `.gz` IDX file.

    Returns:
        A uint8 array with the shape the IDX header declares.

    Raises:
        DataFormatError: the file is not a gzipped uint8 IDX file, or its
            payload does not match its header.
    """
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as e:
        raise errors.DataFormatError(
            f"{path} is not a readable gzip file ({e}); expected a gzipped "
            "IDX archive.") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != _IDX_UINT8:
        raise errors.DataFormatError(
            f"{path} has header {raw[:4].hex()}, expected an IDX uint8 magic "
            "0000 08 NN.")
    num_dims = raw[3]
    header_bytes = 4 + 4 * num_dims
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", num_dims, 4))
    payload = len(raw) - header_bytes
    if payload != int(np.prod(shape)):
        raise errors.DataFormatError(
            f"{path} holds {payload} bytes of data, but its header declares "
            f"shape {shape} ({int(np.prod(shape))} bytes).")
    return np.frombuffer(raw, np.uint8, offset=header_bytes).reshape(shape)


def _read_npz(path, split):
    keys = (f"x_{split}", f"y_{split}")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            absent = [k for k in keys if k not in arrays.files]
            if absent:
                raise errors.DataFormatError(
                    f"{path} lacks the arrays {absent}; expected keys "
                    f"{list(keys)}, found {arrays.files}.")
            return arrays[keys[0]], arrays[keys[1]]
    except (OSError, ValueError, zlib.error) as e:
        if isinstance(e, errors.DataFormatError):
            raise
        raise errors.DataFormatError(f"{path} is not a readable npz: {e}") from e


def check_arrays(spec, split, images, labels, expected_count=None):
    """Checks decoded arrays against the dataset's spec.

    Raises:
        DataFormatError: a shape, dtype, count or label value is wrong.
    """
    where = f"{spec.name}/{split}"
    if images.dtype != np.uint8 or images.shape[1:] != spec.image_shape:
        raise errors.DataFormatError(
            f"{where} images have shape {images.shape} and dtype "
            f"{images.dtype}; expected (N, {', '.join(map(str, spec.image_shape))}) "
            "uint8.")
    if labels.shape != (images.shape[0],):
        raise errors.DataFormatError(
            f"{where} labels have shape {labels.shape}; expected "
            f"({images.shape[0]},) to match the images.")
    if expected_count is not None and images.shape[0] != expected_count:
        raise errors.DataFormatError(
            f"{where} has {images.shape[0]} examples; expected {expected_count}.")
    if labels.size and (labels.min() < 0 or labels.max() >= spec.num_classes):
        raise errors.DataFormatError(
            f"{where} labels range over [{labels.min()}, {labels.max()}]; "
            f"expected [0, {spec.num_classes - 1}].")


def placement_hint(spec, folder=None):
    """Says exactly which files to put where for a dataset."""
    folder = folder or os.path.join("$AFD_DATA_DIR", spec.local_dir)
    listing = "; ".join(
        f"{f.name} (sha256 {f.sha256})"
        for f in dict.fromkeys(f for files in spec.files.values() for f in files))
    return (f"Put the original files in {folder}/: {listing}. Then pass "
            "data_dir=<the folder above it> or set AFD_DATA_DIR.")
