"""Tests for afd_keras.data.sample: real, exact, small and verified."""

import os
import shutil

import numpy as np
import pytest

from afd_keras import data
from afd_keras.data import catalog
from afd_keras.data import local_files
from afd_keras.data import sample


@pytest.mark.parametrize("name,split", sorted(sample.SAMPLE_SIZES))
def test_sample_is_first_examples_byte_for_byte(shared_data_dir, name, split):
    spec = catalog.get_spec(name)
    full_images, full_labels = local_files.read_split(
        spec, split, os.path.join(shared_data_dir, spec.local_dir))
    images, labels = sample.read_split(name, split)
    count = sample.SAMPLE_SIZES[(name, split)]
    assert images.shape[0] == count
    assert images.tobytes() == full_images[:count].tobytes()
    np.testing.assert_array_equal(labels, full_labels[:count])


def test_sample_ships_under_6_mb():
    total = sum(os.path.getsize(os.path.join(sample.SAMPLE_DIR, f))
                for f in os.listdir(sample.SAMPLE_DIR))
    assert total < 6 * 1024 * 1024


def test_sample_without_split_names_the_files_needed():
    with pytest.raises(data.DataNotFoundError, match="cifar10-arrays.npz"):
        sample.read_split("cifar10", "train")


def test_tampered_sample_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "sample"
    shutil.copytree(sample.SAMPLE_DIR, copy)
    path = copy / "mnist_test.npz"
    content = bytearray(path.read_bytes())
    content[-100] ^= 0x01
    path.write_bytes(bytes(content))
    monkeypatch.setattr(sample, "SAMPLE_DIR", str(copy))
    monkeypatch.setattr(sample, "MANIFEST_PATH", str(copy / "manifest.json"))
    with pytest.raises(data.ChecksumError, match="mnist_test.npz"):
        sample.read_split("mnist", "test")
