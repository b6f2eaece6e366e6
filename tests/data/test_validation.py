"""Tests for the validation split held out of the training set."""

import numpy as np
import pytest
import tensorflow as tf

from afd_keras import data
from afd_keras.data import catalog
from afd_keras.data import local_files
from afd_keras.data import validation


def _fingerprints_and_labels(dataset):
    values, labels = [], []
    for image, label in dataset.batch(5000):
        values.append(validation.fingerprints(
            tf.cast(tf.round(image * 255.0), tf.uint8)).numpy())
        labels.append(label.numpy())
    return np.concatenate(values), np.concatenate(labels)


@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_validation_and_rest_partition_train_class_balanced(name, shared_data_dir):
    spec = catalog.get_spec(name)
    load = lambda split: data.load(name, split, data_dir=str(shared_data_dir),
                                   source="local")
    held_out, held_labels = _fingerprints_and_labels(load("validation"))
    rest, _ = _fingerprints_and_labels(load("train_without_validation"))
    full, _ = _fingerprints_and_labels(load("train"))
    per_class = validation.VALIDATION_PER_CLASS
    assert np.bincount(held_labels).tolist() == [per_class] * spec.num_classes
    assert not set(held_out) & set(rest)
    assert sorted(np.concatenate([held_out, rest])) == sorted(full)
    assert len(rest) == spec.split_sizes["train"] - per_class * spec.num_classes
    # Known sizes, so that a run can count its steps per epoch.
    assert int(load("validation").cardinality()) == len(held_out)


def test_validation_is_the_same_from_tfds_and_local_files(shared_data_dir,
                                                          tmp_path):
    # TFDS stores MNIST in another order; membership must not depend on it.
    splits = {}
    for source in ("local", "tfds"):
        values, _ = _fingerprints_and_labels(data.load(
            "mnist", "validation", data_dir=str(shared_data_dir),
            source=source, cache_dir=str(tmp_path)))
        splits[source] = set(values.tolist())
    assert len(splits["local"]) == 5000
    assert splits["local"] == splits["tfds"]


def test_sample_validation_is_part_of_the_full_validation(shared_data_dir):
    sample_values, _ = _fingerprints_and_labels(
        data.load("mnist", "validation", source="sample"))
    full_values, _ = _fingerprints_and_labels(data.load(
        "mnist", "validation", data_dir=str(shared_data_dir), source="local"))
    assert 0 < len(sample_values) < len(full_values)
    assert set(sample_values) <= set(full_values)


@pytest.mark.parametrize("name", catalog.list_datasets())
def test_catalog_cutoffs_are_those_of_the_original_files(name, shared_data_dir):
    spec = catalog.get_spec(name)
    images, labels = local_files.read_split(
        spec, "train", str(shared_data_dir / spec.local_dir))
    assert validation.validation_cutoffs(
        images, labels, spec.num_classes) == spec.validation_cutoffs


def test_cutoffs_refuse_a_class_too_small_to_split():
    images = np.arange(12 * 4, dtype=np.uint8).reshape(12, 2, 2, 1)
    with pytest.raises(ValueError, match="Class 1 cannot give exactly 5"):
        validation.validation_cutoffs(images, np.array([0] * 8 + [1] * 4), 2,
                                      per_class=5)


def test_unknown_split_names_the_validation_splits():
    with pytest.raises(ValueError, match="train_without_validation"):
        data.load("mnist", "valid", source="sample")
