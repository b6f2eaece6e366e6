"""Tests for afd_keras.data.local_files: counts, order, and every error case."""

import dataclasses
import gzip
import hashlib
import os
import shutil

import numpy as np
import pytest

from afd_keras import data
from afd_keras.data import catalog
from afd_keras.data import local_files

MNIST_TEST_HISTOGRAM = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def _read(shared_data_dir, name, split):
    spec = catalog.get_spec(name)
    return local_files.read_split(spec, split,
                                  os.path.join(shared_data_dir, spec.local_dir))


def test_mnist_counts_and_test_histogram(shared_data_dir):
    x_train, y_train = _read(shared_data_dir, "mnist", "train")
    x_test, y_test = _read(shared_data_dir, "mnist", "test")
    assert (len(x_train), len(y_train)) == (60000, 60000)
    assert (len(x_test), len(y_test)) == (10000, 10000)
    assert x_test.shape == (10000, 28, 28, 1) and x_test.dtype == np.uint8
    assert np.bincount(y_test, minlength=10).tolist() == MNIST_TEST_HISTOGRAM


def test_fashion_mnist_counts(shared_data_dir):
    x_train, _ = _read(shared_data_dir, "fashion_mnist", "train")
    _, y_test = _read(shared_data_dir, "fashion_mnist", "test")
    assert len(x_train) == 60000
    assert np.bincount(y_test).tolist() == [1000] * 10


def test_cifar10_class_counts_and_first_label(shared_data_dir):
    x_train, y_train = _read(shared_data_dir, "cifar10", "train")
    x_test, y_test = _read(shared_data_dir, "cifar10", "test")
    assert x_train.shape == (50000, 32, 32, 3)
    assert np.bincount(y_train).tolist() == [5000] * 10
    assert x_test.shape == (10000, 32, 32, 3)
    assert y_test[0] == 3


def _copy_mnist(shared_data_dir, tmp_path):
    folder = tmp_path / "mnist"
    shutil.copytree(shared_data_dir / "mnist", folder)
    for path in folder.iterdir():
        path.chmod(0o644)
    return folder


def test_missing_file_names_what_to_put_where(tmp_path):
    spec = catalog.get_spec("mnist")
    with pytest.raises(data.DataNotFoundError) as error:
        local_files.read_split(spec, "test", str(tmp_path))
    message = str(error.value)
    assert "t10k-images-idx3-ubyte.gz" in message
    assert spec.files["test"][0].sha256 in message
    assert str(tmp_path) in message


def test_flipped_byte_is_a_checksum_error(shared_data_dir, tmp_path):
    folder = _copy_mnist(shared_data_dir, tmp_path)
    path = folder / "t10k-labels-idx1-ubyte.gz"
    content = bytearray(path.read_bytes())
    content[100] ^= 0xFF
    path.write_bytes(bytes(content))
    with pytest.raises(data.ChecksumError, match="expected f7ae60f9"):
        local_files.read_split(catalog.get_spec("mnist"), "test", str(folder))


def test_truncated_file_is_reported_as_truncated(shared_data_dir, tmp_path):
    folder = _copy_mnist(shared_data_dir, tmp_path)
    path = folder / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(data.ChecksumError, match="truncated"):
        local_files.read_split(catalog.get_spec("mnist"), "test", str(folder))


def _write_idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + np.array(
        array.shape, ">u4").tobytes()
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def _spec_for(folder, split_sizes):
    """An MNIST spec whose checksums match the files written in `folder`."""
    spec = catalog.get_spec("mnist")

    def published(data_file):
        path = folder / data_file.name
        return dataclasses.replace(
            data_file, sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            size=path.stat().st_size)

    return dataclasses.replace(
        spec, split_sizes=split_sizes,
        files={"test": tuple(published(f) for f in spec.files["test"])})


def test_wrong_image_shape_is_a_format_error(tmp_path):
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((5, 27, 27)))
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(5))
    spec = _spec_for(tmp_path, {"test": 5})
    with pytest.raises(data.DataFormatError,
                       match=r"shape \(5, 27, 27, 1\).*expected \(N, 28, 28, 1\)"):
        local_files.read_split(spec, "test", str(tmp_path))


def test_label_count_mismatch_is_a_format_error(tmp_path):
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((5, 28, 28)))
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(4))
    spec = _spec_for(tmp_path, {"test": 5})
    with pytest.raises(data.DataFormatError, match=r"labels have shape \(4,\)"):
        local_files.read_split(spec, "test", str(tmp_path))


def test_idx_payload_shorter_than_header_is_a_format_error(tmp_path):
    path = tmp_path / "bad.gz"
    with gzip.open(path, "wb") as f:
        f.write(bytes([0, 0, 8, 1]) + np.array([10], ">u4").tobytes() + b"\0" * 3)
    with pytest.raises(data.DataFormatError, match="declares shape"):
        local_files.read_idx(str(path))


def test_not_gzip_is_a_format_error(tmp_path):
    path = tmp_path / "plain.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(data.DataFormatError, match="not a readable gzip"):
        local_files.read_idx(str(path))


def test_out_of_range_label_is_a_format_error():
    spec = catalog.get_spec("mnist")
    with pytest.raises(data.DataFormatError, match=r"expected \[0, 9\]"):
        local_files.check_arrays(spec, "test", np.zeros((2, 28, 28, 1), np.uint8),
                                 np.array([0, 12]))
