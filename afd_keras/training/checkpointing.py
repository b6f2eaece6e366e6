"""Epoch checkpoints that survive a kill at any moment.

Keras' BackupAndRestore restores inside `fit`, too late to start the data
stream at the resumed epoch, and writes its weights and its epoch count as
two files, so a kill between them pairs new weights with an old count. Here
the optimizer's step counter, saved in the same file as the weights, is the
count, and a new checkpoint only replaces the old one by an atomic rename.
"""

import math
import os

from absl import logging
import keras

LATEST = "latest.weights.h5"
PREVIOUS = "previous.weights.h5"
# Written in full before it replaces LATEST.
_INCOMING = "incoming.weights.h5"


class EpochCheckpoint(keras.callbacks.Callback):
    """Saves the whole model (weights, optimizer, seed state) at epoch ends.

    An epoch whose loss is not finite is not saved, so after a NaN stop the
    latest checkpoint is the last good one. The one before it is kept too.

    Args:
        directory: the folder for the checkpoint files.

    Example:

    >>> checkpoint = EpochCheckpoint("runs/x/checkpoints")
    >>> steps_done = checkpoint.restore(trainer)
    >>> first_epoch = steps_done // steps_per_epoch
    >>> trainer.fit(data, epochs=10, initial_epoch=first_epoch,
    ...             steps_per_epoch=steps_per_epoch, callbacks=[checkpoint])
    """

    def __init__(self, directory):
        super().__init__()
        self.directory = directory

    def _path(self, name):
        return os.path.join(self.directory, name)

    def restore(self, model):
        """Loads the newest readable checkpoint into a built, compiled model.

        Args:
            model: the model `fit` will train.

        Returns:
            The optimizer steps the checkpoint had done; 0 without one.

        Raises:
            OSError: checkpoints exist but none can be read.
        """
        candidates = [self._path(name) for name in (LATEST, _INCOMING, PREVIOUS)]
        existing = [path for path in candidates if os.path.exists(path)]
        if not existing:
            return 0
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        errors = []
        for path in existing:
            try:
                model.load_weights(path)
            except (OSError, ValueError) as error:  # truncated or corrupt
                errors.append(f"{path}: {error}")
                logging.warning("Skipping unreadable checkpoint %s: %s", path,
                                error)
                continue
            steps = int(model.optimizer.iterations.numpy())
            logging.info("Resuming from %s after %d steps.", path, steps)
            return steps
        raise OSError("No checkpoint could be read; delete the folder "
                      f"{self.directory} to start over. Tried: {errors}")

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            logging.warning("Epoch %d ended with loss %s; not saved.", epoch, loss)
            return
        os.makedirs(self.directory, exist_ok=True)
        self.model.save_weights(self._path(_INCOMING), overwrite=True)
        if os.path.exists(self._path(LATEST)):
            os.replace(self._path(LATEST), self._path(PREVIOUS))
        os.replace(self._path(_INCOMING), self._path(LATEST))
