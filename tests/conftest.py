"""Shared fixtures: the real data folder and an isolated, offline setup."""

import os
import pathlib

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
# Tests read the real data through this variable, as CI does.
DATA_DIR_ENV = "AFD_DATA_DIR"
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"


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


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, session_cache_dir):
    """No implicit data dir, a private cache, and no network probes."""
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    monkeypatch.setenv("AFD_CACHE_DIR", str(session_cache_dir))
    monkeypatch.setenv("AFD_OFFLINE", "1")
