"""afd-train's runs: killed with SIGKILL, one resumes to the run it would
have been; a finished one reports without training; other settings are
refused."""

import csv
import dataclasses
import json
import shutil
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

import afd_keras  # noqa: F401  registers the classes the saved model names


def _args(model_dir, epochs=3):
    return [sys.executable, "-m", "afd_keras_tools.train",
            f"--model_dir={model_dir}", "--batch_size=32", f"--epochs={epochs}",
            "--steps_per_epoch=30", "--conditional", "--seed=4",
            "--source=sample"]


def _weights(model_dir):
    return keras.saving.load_model(model_dir / "classifier.keras").get_weights()


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A run trained to the end without interruption (shared: each run of
    the tool costs tens of seconds of TF start-up)."""
    model_dir = tmp_path_factory.mktemp("uninterrupted")
    subprocess.run(_args(model_dir), capture_output=True, timeout=300,
                   check=True)
    return model_dir


def test_a_finished_run_has_its_summary_and_reruns_without_training(
        finished_run):
    summary = json.loads((finished_run / "summary.json").read_text())
    assert summary["epochs_completed"] == 3
    assert summary["config"]["method"] == "afd"
    assert 0.0 <= summary["clean_test_accuracy"] <= 1.0
    assert summary["train_seconds"] > 0 and summary["images_per_second"] > 0
    rerun = subprocess.run(_args(finished_run), capture_output=True,
                           text=True, timeout=300, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert "Epoch" not in rerun.stdout
    assert "clean test accuracy" in rerun.stdout


def test_more_epochs_extend_a_finished_run(finished_run, tmp_path):
    extended = tmp_path / "extended"
    shutil.copytree(finished_run, extended)
    result = subprocess.run(_args(extended, epochs=4), capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "Epoch 4/4" in result.stdout and "Epoch 3/4" not in result.stdout
    summary = json.loads((extended / "summary.json").read_text())
    assert summary["epochs_completed"] == 4


def test_resuming_with_settings_that_change_the_batches_is_refused(
        finished_run):
    changed = subprocess.run(_args(finished_run, epochs=4) + ["--seed=1"],
                             capture_output=True, text=True, timeout=300,
                             check=False)
    assert changed.returncode == 2
    assert "seed: 4 in the checkpoint, 1 now" in changed.stderr
    assert "Traceback" not in changed.stderr


def test_sigkill_mid_epoch_resumes_to_the_uninterrupted_weights(
        finished_run, tmp_path):
    whole, killed = finished_run, tmp_path / "killed"

    process = subprocess.Popen(_args(killed), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    checkpoint = killed / "checkpoints" / "latest.weights.h5"
    deadline = time.time() + 240
    while not checkpoint.exists() and time.time() < deadline:
        time.sleep(0.05)
    # The first epoch is saved; the second is under way.
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert checkpoint.exists(), "no epoch finished before the deadline"
    assert not (killed / "classifier.keras").exists(), "killed too late"

    rerun = subprocess.run(_args(killed), capture_output=True, text=True,
                           timeout=300, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert "Epoch 1/3" not in rerun.stdout
    with open(killed / "log.csv", encoding="utf-8") as f:
        assert [int(row["epoch"]) for row in csv.DictReader(f)] == [0, 1, 2]
    # Same batches, augmentations, perturbations and optimizer state: the
    # resumed run ends where the uninterrupted one does.
    for resumed, uninterrupted in zip(_weights(killed), _weights(whole)):
        np.testing.assert_allclose(resumed, uninterrupted, rtol=0, atol=1e-6)


def test_a_scheduled_run_cannot_be_extended_under_its_schedule(tmp_path):
    # One cycle over 1 epoch would become one over 2, under the epoch done.
    from afd_keras.training import checkpointing  # pylint: disable=import-outside-toplevel
    from afd_keras.training import run as run_lib  # pylint: disable=import-outside-toplevel
    from afd_keras.training import run_folder  # pylint: disable=import-outside-toplevel
    config = run_folder.TrainConfig(
        model_dir=str(tmp_path), source="sample", epochs=1, steps_per_epoch=2,
        batch_size=16, schedule="cyclic", method="standard", seed=0)
    run_lib.train(config)
    with pytest.raises(checkpointing.CheckpointMismatchError,
                       match="epochs: 1 in the checkpoint, 2 now"):
        run_lib.train(dataclasses.replace(config, epochs=2))


def test_unreadable_checkpoints_are_a_one_line_error(tmp_path):
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "latest.weights.h5").write_bytes(b"not hdf5")
    result = subprocess.run(_args(tmp_path), capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 2
    assert "No checkpoint could be read" in result.stderr
    assert "Traceback" not in result.stderr
