"""Tests for afd_keras.data.load: sources, their order, and clear errors."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

from afd_keras import data
from afd_keras.data import sample
from afd_keras.data import tfds_source

MNIST_TEST_HISTOGRAM = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def _labels(dataset):
    return np.concatenate([y.numpy() for _, y in dataset])


def test_default_load_without_data_uses_the_sample_with_a_warning():
    with pytest.warns(UserWarning, match=r"embedded sample of mnist/test \(1,000 of 10,000"):
        dataset = data.load("mnist", "test", batch_size=8)
    images, labels = next(iter(dataset))
    assert images.shape == (8, 28, 28, 1)
    assert images.dtype == np.float32 and labels.dtype == np.int32
    assert 0.0 <= float(np.min(images)) and float(np.max(images)) <= 1.0


def test_no_sample_fallback_when_a_data_dir_is_given(tmp_path):
    with pytest.raises(data.DataNotFoundError) as error:
        data.load("mnist", "test", data_dir=str(tmp_path))
    message = str(error.value)
    assert "t10k-images-idx3-ubyte.gz" in message
    assert str(tmp_path / "mnist") in message
    assert "no network" in message


def test_missing_data_offline_fails_fast_and_says_what_to_do():
    start = __import__("time").time()
    with pytest.raises(data.DataNotFoundError, match="cifar10-arrays.npz"):
        data.load("cifar10", "train")
    assert __import__("time").time() - start < 10


def test_local_source_reads_full_data_with_augmentation(shared_data_dir):
    dataset = data.load("cifar10", "test", source="local",
                        data_dir=str(shared_data_dir), batch_size=1000,
                        augment=True, seed=0)
    labels = _labels(dataset)
    assert len(labels) == 10000 and labels[0] == 3


def test_env_var_points_at_the_data(shared_data_dir, monkeypatch):
    monkeypatch.setenv(data.DATA_DIR_ENV, str(shared_data_dir))
    with warnings.catch_warnings():
        # The sample must not be used.
        warnings.filterwarnings("error", "Using the embedded sample")
        labels = _labels(data.load("cifar10", "test", batch_size=2000))
    assert len(labels) == 10000


def test_tfds_builds_mnist_offline_from_archives(shared_data_dir, monkeypatch,
                                                tmp_path):
    calls = []
    build = tfds_source.build_offline
    monkeypatch.setattr(tfds_source, "build_offline",
                        lambda *a: calls.append(a) or build(*a))
    # A private cache: a build in the session's would change what later
    # tests in this process load by default.
    dataset = data.load("mnist", "test", source="tfds", cache_dir=str(tmp_path),
                        data_dir=str(shared_data_dir), batch_size=1000)
    assert np.bincount(_labels(dataset)).tolist() == MNIST_TEST_HISTOGRAM
    # auto now finds the prepared data first and builds nothing again.
    train = data.load("mnist", "train", data_dir=str(shared_data_dir),
                      cache_dir=str(tmp_path), batch_size=5000)
    assert len(_labels(train)) == 60000
    assert len(calls) == 1


def test_processes_sharing_a_cache_build_it_in_turn(shared_data_dir, tmp_path):
    # As the workers of a multi-worker run do: all start at once on an
    # empty cache.
    script = ("import sys; from afd_keras import data; "
              "dataset = data.load('mnist', 'test', source='tfds', "
              "data_dir=sys.argv[1], cache_dir=sys.argv[2], batch_size=5000); "
              "print(sum(int(y.shape[0]) for _, y in dataset))")
    processes = [subprocess.Popen(
        [sys.executable, "-c", script, str(shared_data_dir), str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr[-2000:]
        assert stdout.split()[-1] == "10000"


@pytest.mark.parametrize("kwargs,pattern", [
    (dict(name="mnst", split="test"), r"Did you mean 'mnist'"),
    (dict(name="mnist", split="dev"), r"Unknown split 'dev'"),
    (dict(name="mnist", split="test", source="web"), r"Received: source='web'"),
    (dict(name="mnist", split="test", batch_size=0), r"Received: batch_size=0"),
    (dict(name="mnist", split="test", num_examples=-5), r"num_examples=-5"),
    (dict(name="not_a_dataset_anywhere", split="test"), r"Unknown dataset"),
])
def test_bad_arguments_raise_clear_errors(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        data.load(**kwargs)


def test_tfds_dataset_without_image_label_features_is_refused():
    with pytest.raises(ValueError, match="'image' and 'label'"):
        data.load("glue", "train")


def test_other_tfds_dataset_offline_says_how_to_prepare_it():
    with pytest.raises(data.DataNotFoundError, match="Prepare it with tensorflow-datasets"):
        data.load("svhn_cropped", "test")


def test_sample_source_for_every_sampled_split():
    for (name, split), count in sample.SAMPLE_SIZES.items():
        with warnings.catch_warnings():
            # Asked for: no warning.
            warnings.filterwarnings("error", "Using the embedded sample")
            labels = _labels(data.load(name, split, source="sample",
                                       batch_size=5000))
        assert len(labels) == count


@pytest.fixture(scope="module")
def build_cache(tmp_path_factory):
    """One cache for both builds below, apart from the session's."""
    return str(tmp_path_factory.mktemp("tfds_builds"))


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_tfds_builds_hold_the_same_images_as_the_archives(name, shared_data_dir,
                                                          build_cache):
    # MNIST and Fashion-MNIST archives share file names; each TFDS build in
    # one cache must still hold its own images (in its own order).
    def totals(source):
        dataset = data.load(name, "test", source=source, cache_dir=build_cache,
                            data_dir=str(shared_data_dir), batch_size=5000)
        images = np.concatenate([x.numpy() for x, _ in dataset])
        return images.sum(dtype=np.float64), np.bincount(_labels(dataset)).tolist()
    assert totals("tfds") == totals("local")
