"""The small real sample that ships inside the package.

It holds the first N examples of the original archives, byte for byte, so the
quick start and the fast tests run offline with no data dir. Its files are
verified against `sample/manifest.json` before use.
"""

import json
import os

import numpy as np

from afd_keras.data import catalog
from afd_keras.data import local_files
from afd_keras.utils import checksums
from afd_keras.utils import errors

SAMPLE_DIR = os.path.join(os.path.dirname(__file__), "sample")
MANIFEST_PATH = os.path.join(SAMPLE_DIR, "manifest.json")

# (dataset, split) -> number of leading examples kept. Sized to stay under
# 6 MB in total, compressed.
SAMPLE_SIZES = {
    ("mnist", "train"): 10000,
    ("mnist", "test"): 1000,
    ("fashion_mnist", "test"): 1000,
    ("cifar10", "test"): 1000,
}


def _file_name(name, split):
    return f"{name}_{split}.npz"


def has_sample(name, split):
    """Returns True when the package ships a sample of `name`/`split`."""
    return (name, split) in SAMPLE_SIZES


def describe(name, split):
    """Returns e.g. '1,000 of 10,000 examples' for a sampled split."""
    total = catalog.get_spec(name).split_sizes[split]
    return f"{SAMPLE_SIZES[(name, split)]:,} of {total:,} examples"


def read_split(name, split):
    """Reads the embedded sample of one split.

    Args:
        name: a dataset name with a sample, e.g. "mnist".
        split: "train" or "test".

    Returns:
        (images, labels): uint8 NHWC images and int32 labels.

    Raises:
        DataNotFoundError: the package ships no sample of that split.
        ChecksumError: the sample file was altered after installation.
    """
    if not has_sample(name, split):
        available = ", ".join(f"{n}/{s}" for n, s in SAMPLE_SIZES)
        raise errors.DataNotFoundError(
            f"The embedded sample has no {name}/{split}; it holds {available}. "
            f"{local_files.placement_hint(catalog.get_spec(name))}")
    file_name = _file_name(name, split)
    with open(MANIFEST_PATH, encoding="utf-8") as f:
        entry = json.load(f)["files"][file_name]
    path = os.path.join(SAMPLE_DIR, file_name)
    checksums.verify(path, entry["sha256"], entry["size"])
    with np.load(path, allow_pickle=False) as arrays:
        images, labels = arrays["images"], arrays["labels"]
    spec = catalog.get_spec(name)
    local_files.check_arrays(spec, split, images, labels,
                             SAMPLE_SIZES[(name, split)])
    return images, labels.astype(np.int32)


def write_sample(data_dir, out_dir=SAMPLE_DIR):
    """Writes the embedded sample and its manifest from the full data.

    Used once by maintainers (`tools/make_sample.py`); the result is committed.

    Args:
        data_dir: the folder holding the full datasets' local files.
        out_dir: where to write the npz files and `manifest.json`.

    Returns:
        The manifest, as a dict.
    """
    os.makedirs(out_dir, exist_ok=True)
    manifest = {"description": "First N examples of the original archives.",
                "files": {}}
    for (name, split), count in SAMPLE_SIZES.items():
        spec = catalog.get_spec(name)
        images, labels = local_files.read_split(
            spec, split, os.path.join(data_dir, spec.local_dir))
        file_name = _file_name(name, split)
        path = os.path.join(out_dir, file_name)
        # Labels keep the archives' uint8 so the sample is byte-identical.
        np.savez_compressed(path, images=images[:count],
                            labels=labels[:count].astype(np.uint8))
        manifest["files"][file_name] = {
            "dataset": name, "split": split, "num_examples": count,
            "of": spec.split_sizes[split], "license": spec.license,
            "sha256": checksums.sha256_of(path),
            "size": os.path.getsize(path),
        }
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return manifest
