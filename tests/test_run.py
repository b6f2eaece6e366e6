"""Tests for afd_keras.training.run pieces that the tool tests cannot reach."""

import keras
import numpy as np

from afd_keras.training import run


def _model():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_backup_skips_epochs_with_nan_loss(tmp_path):
    model = _model()
    backup = run.FiniteBackupAndRestore(str(tmp_path / "backup"))
    backup.set_model(model)
    backup.on_epoch_end(0, {"loss": 0.5})
    good = model.get_weights()
    model.set_weights([np.full_like(w, np.nan) for w in good])
    backup.on_epoch_end(1, {"loss": float("nan")})
    restored = _model()
    restored.load_weights(tmp_path / "backup" / "latest.weights.h5")
    for saved, expected in zip(restored.get_weights(), good):
        np.testing.assert_array_equal(saved, expected)
