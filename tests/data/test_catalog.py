"""Tests for afd_keras.data.catalog against the real data."""

import os

import numpy as np
import pytest

from afd_keras.data import catalog
from afd_keras.data import local_files


def test_unknown_name_suggests_closest():
    with pytest.raises(ValueError, match=r"Did you mean 'mnist'.*Received: dataset='mnst'"):
        catalog.get_spec("mnst")


def test_list_datasets():
    assert catalog.list_datasets() == ["cifar10", "fashion_mnist", "mnist"]


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_normalisation_statistics_match_training_data(shared_data_dir, name):
    spec = catalog.get_spec(name)
    images, _ = local_files.read_split(
        spec, "train", os.path.join(shared_data_dir, spec.local_dir))
    pixels = images.astype(np.float64) / 255.0
    np.testing.assert_allclose(pixels.mean(axis=(0, 1, 2)), spec.mean, atol=1e-3)
    np.testing.assert_allclose(pixels.std(axis=(0, 1, 2)), spec.std, atol=1e-3)
