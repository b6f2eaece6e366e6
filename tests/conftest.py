"""Shared fixtures: the real data folder and an isolated, offline setup."""

import os
import pathlib
import shutil

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
# Tests read the real data through this variable, as CI does.
DATA_DIR_ENV = "AFD_DATA_DIR"
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
# The tiny run that the zoo's tests publish (the `published` fixture).
TINY_ZOO_MODEL = "tiny_mnist_afd"


@pytest.fixture(scope="session")
def shared_data_dir():
    """The folder with the full datasets; skipped off CI when it is absent."""
    path = pathlib.Path(os.environ.get(DATA_DIR_ENV, DEFAULT_DATA_DIR))
    if not (path / "mnist").is_dir():
        message = (f"no full data at {path}; set {DATA_DIR_ENV} to the folder "
                   "holding mnist/, fashion-mnist/ and cifar10/")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("afd_cache")


# Session-wide, so that module- and session-scoped fixtures, which are set
# up before any function-scoped one, see the same environment as the tests.
@pytest.fixture(scope="session", autouse=True)
def isolated_environment(session_cache_dir):
    """No implicit data dir, a private cache, and no network probes."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv(DATA_DIR_ENV, raising=False)
        monkeypatch.setenv("AFD_CACHE_DIR", str(session_cache_dir))
        monkeypatch.setenv("AFD_OFFLINE", "1")
        yield


@pytest.fixture(scope="session")
def mnist_sample_test():
    """The first 1,000 MNIST test images (embedded sample), in [0, 1]."""
    from afd_keras.data import sample  # pylint: disable=import-outside-toplevel
    images, labels = sample.read_split("mnist", "test")
    return images.astype("float32") / 255.0, labels


@pytest.fixture(scope="session")
def undefended_mnist_model():
    """small_cnn trained one epoch on the embedded MNIST sample (~97%)."""
    import keras  # pylint: disable=import-outside-toplevel
    import afd_keras  # pylint: disable=import-outside-toplevel
    keras.utils.set_random_seed(0)
    train = afd_keras.data.load("mnist", "train", batch_size=128,
                                shuffle=True, source="sample", seed=0)
    model = afd_keras.models.build("small_cnn")
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(train, epochs=1, verbose=0)
    return model


@pytest.fixture(scope="session")
def small_evaluation():
    """A publishing evaluation small enough for tests; its numbers are
    meaningless, its pieces and checks are real."""
    from afd_keras.evaluation import standard  # pylint: disable=import-outside-toplevel
    return standard.EvaluationSettings(
        pgd_steps=5, pgd_examples=40, aa_lite_examples=8,
        autoattack_examples=8, sweep_examples=8, conditions=(0.0, 1.0),
        sanity_examples=8)


@pytest.fixture(scope="session")
def published(tmp_path_factory, small_evaluation):
    """A finished conditional AFD run (3 steps on the embedded sample) and
    the zoo it was published into: (run_dir, zoo_dir, card)."""
    # pylint: disable=import-outside-toplevel
    from afd_keras.training import run as run_lib
    from afd_keras.training import run_folder
    from afd_keras.zoo import publishing
    root = tmp_path_factory.mktemp("zoo_test")
    run_dir = str(root / "run")
    run_lib.train(run_folder.TrainConfig(
        model_dir=run_dir, source="sample", epochs=1, steps_per_epoch=3,
        conditional=True, seed=0, monitor_examples=16))
    zoo_dir = str(root / "zoo")
    card = publishing.publish(run_dir, zoo_dir, name=TINY_ZOO_MODEL,
                              source="sample", settings=small_evaluation,
                              verbose=0)
    return run_dir, zoo_dir, card


@pytest.fixture
def zoo_copy(published, tmp_path):
    """A private copy of the published zoo, free to damage."""
    _, zoo_dir, _ = published
    copy = tmp_path / "zoo"
    shutil.copytree(zoo_dir, copy)
    return copy
