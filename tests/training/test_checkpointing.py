"""Tests for afd_keras.training.checkpointing."""

import keras
import numpy as np
import pytest

from afd_keras.training import checkpointing


def _model():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _train_one_step(model):
    model.fit(np.ones((4, 2)), np.zeros((4, 1)), batch_size=4, verbose=0)


def _saved_epoch(model, checkpoint, epoch, loss=0.5):
    _train_one_step(model)
    checkpoint.set_model(model)
    checkpoint.on_epoch_end(epoch, {"loss": loss})
    return model.get_weights()


def _two_saved_epochs(directory):
    """A checkpoint folder after two epochs; their weights, oldest first."""
    checkpoint = checkpointing.EpochCheckpoint(str(directory))
    model = _model()
    return checkpoint, [_saved_epoch(model, checkpoint, e) for e in (0, 1)]


def _assert_restores(checkpoint, epochs, weights):
    """A fresh model restores `epochs` completed epochs and `weights`."""
    fresh = _model()
    assert checkpoint.restore(fresh) == epochs
    for got, want in zip(fresh.get_weights(), weights):
        np.testing.assert_array_equal(got, want)


def test_restore_returns_the_epochs_done_and_the_weights(tmp_path):
    checkpoint, (_, expected) = _two_saved_epochs(tmp_path)
    _assert_restores(checkpoint, 2, expected)


def test_without_checkpoints_restore_starts_at_zero(tmp_path):
    assert checkpointing.EpochCheckpoint(str(tmp_path / "none")).restore(
        _model()) == 0


def test_nan_epoch_is_not_saved_and_the_last_good_one_is_kept(tmp_path):
    checkpoint = checkpointing.EpochCheckpoint(str(tmp_path))
    model = _model()
    good = _saved_epoch(model, checkpoint, 0)
    model.set_weights([np.full_like(w, np.nan) for w in good])
    checkpoint.on_epoch_end(1, {"loss": float("nan")})
    _assert_restores(checkpoint, 1, good)


def test_truncated_latest_falls_back_to_the_previous_checkpoint(tmp_path):
    checkpoint, (first, _) = _two_saved_epochs(tmp_path)
    latest = tmp_path / checkpointing.LATEST
    latest.write_bytes(latest.read_bytes()[:100])
    _assert_restores(checkpoint, 1, first)


def test_a_kill_between_the_renames_resumes_from_the_incoming_file(tmp_path):
    checkpoint, (_, expected) = _two_saved_epochs(tmp_path)
    # The state after "latest -> previous" and before "incoming -> latest".
    (tmp_path / checkpointing.LATEST).rename(tmp_path / "incoming.weights.h5")
    _assert_restores(checkpoint, 2, expected)


def test_a_complete_incoming_file_newer_than_latest_wins(tmp_path):
    checkpoint, (_, expected) = _two_saved_epochs(tmp_path)
    # The state after the incoming file is written, before either rename.
    (tmp_path / checkpointing.LATEST).rename(tmp_path / "incoming.weights.h5")
    (tmp_path / checkpointing.PREVIOUS).rename(tmp_path / checkpointing.LATEST)
    _assert_restores(checkpoint, 2, expected)


def test_damaged_tensors_fall_back_to_the_previous_checkpoint(tmp_path):
    import h5py  # pylint: disable=import-outside-toplevel
    checkpoint, (first, _) = _two_saved_epochs(tmp_path)
    with h5py.File(tmp_path / checkpointing.LATEST, "a") as f:
        del f["layers"]  # its epoch count and settings are still readable
    _assert_restores(checkpoint, 1, first)


def test_a_checkpoint_of_other_settings_is_refused(tmp_path):
    model = _model()
    _saved_epoch(model, checkpointing.EpochCheckpoint(
        str(tmp_path), {"batch_size": 128, "steps_per_epoch": 10}), 0)
    with pytest.raises(checkpointing.CheckpointMismatchError,
                       match="batch_size: 128 in the checkpoint, 64 now"):
        checkpointing.EpochCheckpoint(
            str(tmp_path), {"batch_size": 64, "steps_per_epoch": 10}).restore(
                _model())


def test_the_epoch_count_does_not_depend_on_optimizer_steps(tmp_path):
    # Under mixed_float16, steps with non-finite gradients are skipped and
    # do not advance the optimizer's counter.
    checkpoint = checkpointing.EpochCheckpoint(str(tmp_path))
    model = _model()
    _saved_epoch(model, checkpoint, 0)
    model.optimizer.iterations.assign(0)
    _saved_epoch(model, checkpoint, 1)
    assert checkpoint.restore(_model()) == 2


def test_unreadable_checkpoints_give_a_clear_error(tmp_path):
    (tmp_path / checkpointing.LATEST).write_bytes(b"not hdf5")
    with pytest.raises(OSError, match="No checkpoint could be read"):
        checkpointing.EpochCheckpoint(str(tmp_path)).restore(_model())


def test_the_trainers_seed_stream_is_saved_and_restored(tmp_path):
    from afd_keras import models  # pylint: disable=import-outside-toplevel
    from afd_keras.training.adversarial_trainer import (  # pylint: disable=import-outside-toplevel
        AdversarialTrainer)

    def trainer():
        model = AdversarialTrainer(models.build("small_cnn"), epsilon=0.3,
                                   seed=4)
        model.compile(optimizer="sgd")
        return model

    trained = trainer()
    images = np.random.default_rng(0).uniform(size=(8, 28, 28, 1))
    trained.fit(images, np.zeros(8, np.int32), batch_size=4, verbose=0)
    checkpoint = checkpointing.EpochCheckpoint(str(tmp_path))
    checkpoint.set_model(trained)
    checkpoint.on_epoch_end(0, {"loss": 1.0})
    restored = trainer()
    checkpoint.restore(restored)
    np.testing.assert_array_equal(restored.seed_generator.state.numpy(),
                                  trained.seed_generator.state.numpy())
    assert not np.array_equal(restored.seed_generator.state.numpy(),
                              trainer().seed_generator.state.numpy())
