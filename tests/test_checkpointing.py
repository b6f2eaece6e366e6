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


def test_restore_returns_the_steps_done_and_the_weights(tmp_path):
    checkpoint = checkpointing.EpochCheckpoint(str(tmp_path))
    model = _model()
    _saved_epoch(model, checkpoint, 0)
    expected = _saved_epoch(model, checkpoint, 1)
    fresh = _model()
    assert checkpoint.restore(fresh) == 2
    for got, want in zip(fresh.get_weights(), expected):
        np.testing.assert_array_equal(got, want)


def test_without_checkpoints_restore_starts_at_zero(tmp_path):
    assert checkpointing.EpochCheckpoint(str(tmp_path / "none")).restore(
        _model()) == 0


def test_nan_epoch_is_not_saved_and_the_last_good_one_is_kept(tmp_path):
    checkpoint = checkpointing.EpochCheckpoint(str(tmp_path))
    model = _model()
    good = _saved_epoch(model, checkpoint, 0)
    model.set_weights([np.full_like(w, np.nan) for w in good])
    checkpoint.on_epoch_end(1, {"loss": float("nan")})
    fresh = _model()
    assert checkpoint.restore(fresh) == 1
    for got, want in zip(fresh.get_weights(), good):
        np.testing.assert_array_equal(got, want)


def test_truncated_latest_falls_back_to_the_previous_checkpoint(tmp_path):
    checkpoint = checkpointing.EpochCheckpoint(str(tmp_path))
    model = _model()
    first = _saved_epoch(model, checkpoint, 0)
    _saved_epoch(model, checkpoint, 1)
    latest = tmp_path / checkpointing.LATEST
    latest.write_bytes(latest.read_bytes()[:100])
    fresh = _model()
    assert checkpoint.restore(fresh) == 1
    for got, want in zip(fresh.get_weights(), first):
        np.testing.assert_array_equal(got, want)


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
