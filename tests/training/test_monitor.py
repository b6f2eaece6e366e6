"""Tests for the catastrophic-overfitting monitor and its best-epoch restore."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import afd_keras
from afd_keras import models
from afd_keras.data import sample
from afd_keras.training import monitor as monitor_lib


def _data():
    images, labels = sample.read_split("mnist", "test")
    return images[:128].astype("float32") / 255.0, labels[:128]


class _ScriptedMonitor(monitor_lib.RobustnessMonitor):
    """Reports a fixed PGD curve, so the best epoch is known in advance."""

    def __init__(self, curve, **kwargs):
        super().__init__(*_data(), 0.3, **kwargs)
        self.curve = list(curve)

    def measure(self):
        return 0.5, self.curve.pop(0)


def _trainer():
    keras.utils.set_random_seed(0)
    classifier = models.build("small_cnn", filters=(4, 8), dense_units=16)
    trainer = afd_keras.AdversarialTrainer(classifier, method="fgsm_rs",
                                           epsilon=0.3, seed=0)
    trainer.compile(optimizer=keras.optimizers.Adam(3e-3))
    return trainer


def _fit(trainer, monitor, epochs, initial_epoch=0):
    images, labels = _data()
    weights = []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda *_: weights.append(
        [w.numpy().copy() for w in trainer.classifier.weights]))
    trainer.fit(tf.data.Dataset.from_tensor_slices((images, labels)).batch(32),
                epochs=epochs, initial_epoch=initial_epoch,
                callbacks=[monitor, record], verbose=0)
    return weights


def test_restores_the_epoch_of_best_pgd_accuracy(tmp_path):
    trainer = _trainer()
    monitor = _ScriptedMonitor([0.2, 0.6, 0.1], restore_best=True,
                               directory=str(tmp_path))
    weights = _fit(trainer, monitor, epochs=3)
    final = [w.numpy() for w in trainer.classifier.weights]
    assert not np.allclose(weights[1][0], weights[2][0])
    for got, want in zip(final, weights[1]):
        np.testing.assert_array_equal(got, want)
    assert json.loads((tmp_path / "best_epoch.json").read_text())["epoch"] == 2


def test_a_resumed_run_keeps_the_best_epoch_of_before(tmp_path):
    trainer = _trainer()
    first = _fit(trainer, _ScriptedMonitor([0.7], restore_best=True,
                                           directory=str(tmp_path)), epochs=1)
    # A new process: the monitor reads the record; worse epochs do not win.
    _fit(trainer, _ScriptedMonitor([0.3, 0.5], restore_best=True,
                                   directory=str(tmp_path)),
         epochs=3, initial_epoch=1)
    for got, want in zip(trainer.classifier.weights, first[0]):
        np.testing.assert_array_equal(got.numpy(), want)


def test_without_restore_the_last_epoch_stays_and_logs_get_the_curve():
    trainer = _trainer()
    monitor = _ScriptedMonitor([0.9, 0.1])
    history = trainer.fit(tf.data.Dataset.from_tensor_slices(_data()).batch(32),
                          epochs=2, callbacks=[monitor], verbose=0)
    assert history.history["monitor_pgd_accuracy"] == [0.9, 0.1]


def test_measures_real_pgd_accuracy_below_clean(undefended_mnist_model):
    monitor = monitor_lib.RobustnessMonitor(*_data(), 0.3, num_steps=5)
    monitor.set_model(undefended_mnist_model)
    clean, robust = monitor.measure()
    assert 0.9 <= clean <= 1.0
    assert 0.0 <= robust < 0.2


def test_bad_arguments_say_what_was_received():
    with pytest.raises(ValueError, match="Received: images of shape"):
        monitor_lib.RobustnessMonitor(np.zeros((3, 8, 8)), [0, 1, 2], 0.3)
    with pytest.raises(ValueError, match="needs a directory"):
        monitor_lib.RobustnessMonitor(*_data(), 0.3, restore_best=True)
