"""Training killed with SIGKILL resumes to the run it would have been."""

import csv
import signal
import subprocess
import sys
import time

import keras
import numpy as np


def _args(model_dir):
    return [sys.executable, "-m", "afd_keras_tools.train",
            f"--model_dir={model_dir}", "--batch_size=32", "--epochs=3",
            "--steps_per_epoch=30", "--conditional", "--seed=4"]


def _weights(model_dir):
    return keras.saving.load_model(model_dir / "classifier.keras").get_weights()


def test_sigkill_mid_epoch_resumes_to_the_uninterrupted_weights(tmp_path):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    subprocess.run(_args(whole), capture_output=True, timeout=300, check=True)

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
