"""Epoch checkpoints that survive a kill at any moment.

Keras' BackupAndRestore restores inside `fit`, too late to start the data
stream at the resumed epoch, and writes its weights and its epoch count as
two files, so a kill between them pairs new weights with an old count. Here
the epoch count and the run's settings are attributes of the weights file
itself, and a new checkpoint replaces the old one by an atomic rename.
"""

import json
import math
import os

from absl import logging
import h5py
import keras

LATEST = "latest.weights.h5"
PREVIOUS = "previous.weights.h5"
# Written in full (and synced) before it replaces LATEST.
_INCOMING = "incoming.weights.h5"
_EPOCHS = "afd_epochs_done"
_SETTINGS = "afd_run_settings"


class CheckpointMismatchError(ValueError):
    """The checkpoint was written by a run with different settings."""


class EpochCheckpoint(keras.callbacks.Callback):
    """Saves the whole model (weights, optimizer, seed state) at epoch ends.

    An epoch whose loss is not finite is not saved, so after a NaN stop the
    latest checkpoint is the last good one. The one before it is kept too.

    Args:
        directory: the folder for the checkpoint files.
        settings: a JSON-able dict of the run's settings that must not change
            on resume (e.g. batch size, steps per epoch, architecture);
            `restore` refuses a checkpoint written with other settings.

    Example:

    >>> checkpoint = EpochCheckpoint("runs/x/checkpoints", {"batch_size": 128})
    >>> first_epoch = checkpoint.restore(trainer)
    >>> trainer.fit(data, epochs=10, initial_epoch=first_epoch,
    ...             callbacks=[checkpoint])
    """

    def __init__(self, directory, settings=None):
        super().__init__()
        self.directory = directory
        self.settings = dict(settings or {})

    def _path(self, name):
        return os.path.join(self.directory, name)

    def restore(self, model):
        """Loads the newest readable checkpoint into a built, compiled model.

        Args:
            model: the model `fit` will train.

        Returns:
            The number of epochs the checkpoint had completed; 0 without one.

        Raises:
            CheckpointMismatchError: the checkpoint's run had other settings.
            OSError: checkpoints exist but none can be read.
        """
        candidates = [self._path(name) for name in (LATEST, _INCOMING, PREVIOUS)]
        existing = [path for path in candidates if os.path.exists(path)]
        if not existing:
            return 0
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        readable, errors = [], []
        for path in existing:
            try:
                with h5py.File(path, "r") as f:
                    readable.append((int(f.attrs[_EPOCHS]), path,
                                     json.loads(f.attrs[_SETTINGS])))
            except (OSError, KeyError, ValueError) as error:  # truncated
                errors.append(f"{path}: {error}")
        # The most epochs wins: a kill after the incoming file is complete
        # but before the renames leaves it one epoch ahead of LATEST.
        for epochs, path, saved in sorted(readable, key=lambda r: -r[0]):
            self._check_settings(path, saved)
            try:
                model.load_weights(path)
            except (OSError, ValueError) as error:  # damaged tensors
                errors.append(f"{path}: {error}")
                continue
            for error in errors:
                logging.warning("Skipped an unreadable checkpoint: %s", error)
            logging.info("Resuming from %s after %d epochs.", path, epochs)
            return epochs
        raise OSError("No checkpoint could be read; delete the folder "
                      f"{self.directory} to start over. Tried: {errors}")

    def _check_settings(self, path, saved):
        # A key the checkpoint lacks was not checked when it was written.
        changed = {key: (saved[key], value)
                   for key, value in self.settings.items()
                   if key in saved and saved[key] != value}
        if changed:
            details = "; ".join(f"{key}: {old!r} in the checkpoint, {new!r} now"
                                for key, (old, new) in sorted(changed.items()))
            raise CheckpointMismatchError(
                f"{path} was written by a run with other settings ({details}). "
                "Resume with the same settings, or use a new model dir.")

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            logging.warning("Epoch %d ended with loss %s; not saved.", epoch, loss)
            return
        os.makedirs(self.directory, exist_ok=True)
        incoming = self._path(_INCOMING)
        self.model.save_weights(incoming, overwrite=True)
        with h5py.File(incoming, "a") as f:
            f.attrs[_EPOCHS] = epoch + 1
            f.attrs[_SETTINGS] = json.dumps(self.settings, sort_keys=True)
        # On disk before the rename, so a power loss cannot leave it empty.
        with open(incoming, "rb") as f:
            os.fsync(f.fileno())
        if os.path.exists(self._path(LATEST)):
            os.replace(self._path(LATEST), self._path(PREVIOUS))
        os.replace(incoming, self._path(LATEST))
