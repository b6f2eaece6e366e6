"""A complete, resumable training run: data, model, fit, checkpoints, summary."""

import csv
import dataclasses
import json
import math
import os
import sys
import time

from absl import logging
import keras
import tensorflow as tf

from afd_keras import data
from afd_keras import models
from afd_keras.models import accuracy
from afd_keras.training import checkpointing
from afd_keras.training import distribution
from afd_keras.training import monitor as monitor_lib
from afd_keras.training import run_folder
from afd_keras.training import schedules
from afd_keras.training import settings
from afd_keras.training.adversarial_trainer import AdversarialTrainer
from afd_keras.utils import machine


def build_optimizer(config, total_steps):
    """The optimizer of a run: its kind, learning-rate schedule over
    `total_steps`, momentum and weight decay, from a `TrainConfig`.

    Example:

    >>> optimizer = build_optimizer(recipes.train_config("cifar10_afd"), 5850)
    """
    learning_rate = schedules.build_schedule(
        config.schedule, config.learning_rate, total_steps)
    # Keras applies weight decay decoupled from the gradient (as in AdamW).
    weight_decay = config.weight_decay or None
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=config.momentum,
                                    weight_decay=weight_decay)
    return keras.optimizers.Adam(learning_rate, weight_decay=weight_decay)


class EpochTimer(keras.callbacks.Callback):
    """Adds `epoch_seconds` to the epoch logs, so the CSV log records it."""

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.time()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["epoch_seconds"] = time.time() - self._start


def _resume_settings(config, steps_per_epoch):
    """The settings a resumed run must share with the run it continues.

    More epochs are fine too when the learning rate is constant; over a
    schedule, more epochs would stretch it under the epochs already done.
    """
    settings = dataclasses.asdict(config)
    free = list(run_folder.RESUMABLE_CHANGES)
    if config.schedule == "constant":
        free.append("epochs")
    for name in free:
        del settings[name]
    settings["steps_per_epoch"] = steps_per_epoch
    return settings


def _read_log(log_path, num_epochs):
    """Returns (last epoch's metrics, total seconds) of the first
    `num_epochs` epochs in the CSV log."""
    with open(log_path, encoding="utf-8") as f:
        # A kill between the log and the checkpoint re-runs an epoch; its
        # second row replaces the first. Rows past `num_epochs` are of an
        # epoch that was logged but never checkpointed.
        rows = list({row["epoch"]: row for row in csv.DictReader(f)
                     if int(row["epoch"]) < num_epochs}.values())
    seconds = sum(float(row.get("epoch_seconds") or 0.0) for row in rows)
    # CSVLogger writes "NA" for keys an epoch lacks (e.g. validation).
    last = {k: float(v) for k, v in rows[-1].items()
            if v not in ("", "NA") and not k.endswith("epoch_seconds")
            and k != "epoch"} if rows else {}
    return last, seconds


def _monitor(config, work_dir):
    """The run's `RobustnessMonitor`, or None when it is off."""
    if not config.monitor_examples:
        return None
    split = "validation" if config.validation else "train"
    # Taking the examples in `load` (before its cache) reads the whole
    # cached stream, so TF does not warn that a partial cache was dropped.
    images, labels = next(iter(data.load(
        config.dataset, split, batch_size=config.monitor_examples,
        num_examples=config.monitor_examples, data_dir=config.data_dir,
        source=config.source)))
    return monitor_lib.RobustnessMonitor(
        images, labels, config.epsilon, num_steps=config.monitor_steps,
        restore_best=config.restore_best_epoch, directory=work_dir)


def _monitor_curve(log_path, num_epochs, monitor):
    """The monitor's per-epoch accuracies from the log, and the best epoch."""
    if monitor is None:
        return None
    with open(log_path, encoding="utf-8") as f:
        rows = {int(row["epoch"]): row for row in csv.DictReader(f)
                if int(row["epoch"]) < num_epochs}
    curve = [{"epoch": epoch + 1,
              "clean_accuracy": float(row["monitor_clean_accuracy"]),
              "pgd_accuracy": float(row["monitor_pgd_accuracy"])}
             for epoch, row in sorted(rows.items())
             if row.get("monitor_pgd_accuracy") not in (None, "", "NA")]
    return {"examples": len(monitor.images), "pgd_steps": monitor.num_steps,
            "curve": curve, "restored": monitor.best}


def train(config):
    """Trains, checkpointing every epoch; re-running the same call resumes.

    A resumed run starts at the epoch after its last checkpoint and sees the
    same batches, augmentations and perturbations as an uninterrupted run.

    Writes into `config.model_dir` (other workers of a multi-worker run
    write into `model_dir/workers/<task>`, see `distribution.worker_dir`):
      - `checkpoints/`: the last two good epoch checkpoints;
      - `log.csv`: one line of metrics per epoch (appended across resumes);
      - `tensorboard/`, when TensorBoard is installed;
      - `classifier.keras`: the trained classifier (with
        `restore_best_epoch`, the epoch of best monitor PGD accuracy);
      - `best_epoch.json` and `best_epoch.weights.h5`, with
        `restore_best_epoch`;
      - `summary.json`: final metrics, clean test accuracy (validation
        accuracy with `config.validation`), the monitor's curve, wall time,
        images per second and the config.

    Args:
        config: a `TrainConfig`.

    Returns:
        The summary, as a dict.

    Raises:
        ValueError: a bad setting.
        FloatingPointError: the loss became NaN; the last good checkpoint is
            kept.
    """
    if config.model_dir is None:
        raise ValueError("A run needs a folder. Received: model_dir=None")
    settings.check_fields(config)
    if config.restore_best_epoch and not config.monitor_examples:
        raise ValueError("restore_best_epoch needs the monitor: set "
                         "monitor_examples > 0. Received: monitor_examples="
                         f"{config.monitor_examples!r}")
    keras.utils.set_random_seed(config.seed)
    keras.mixed_precision.set_global_policy(config.precision)
    if (config.precision == "mixed_bfloat16" and not machine.has_native_bfloat16()
            and not tf.config.list_physical_devices("GPU")):
        logging.warning("This CPU has no native bfloat16 (AVX-512 BF16 or "
                        "AMX): mixed_bfloat16 trains about 10x slower than "
                        "float32 here. Consider --precision=float32.")
    strategy = distribution.get_strategy(config.strategy)
    work_dir = distribution.worker_dir(config.model_dir, strategy)
    os.makedirs(work_dir, exist_ok=True)
    train_kwargs = dict(batch_size=config.batch_size, shuffle=True,
                        augment=True, data_dir=config.data_dir,
                        source=config.source, seed=config.seed,
                        drop_remainder=True)
    train_split = "train_without_validation" if config.validation else "train"
    score_split = "validation" if config.validation else "test"
    steps_per_epoch = config.steps_per_epoch or int(
        data.load(config.dataset, train_split, **train_kwargs).cardinality())
    if steps_per_epoch < 1:
        raise ValueError(
            f"{config.dataset}/{train_split} from this source holds fewer "
            f"than one batch. Received: batch_size={config.batch_size}")
    score_data = data.load(config.dataset, score_split, batch_size=500,
                           data_dir=config.data_dir, source=config.source)

    with strategy.scope():
        classifier = models.build(config.architecture,
                                  **config.classifier_arguments())
        trainer = AdversarialTrainer(
            classifier, **dataclasses.asdict(config.trainer_settings()))
        trainer.compile(
            optimizer=build_optimizer(config, config.epochs * steps_per_epoch),
            metrics=["accuracy"],
            jit_compile=distribution.resolve_jit_compile(
                run_folder.JIT_COMPILE[config.jit_compile], strategy))
        checkpoint = checkpointing.EpochCheckpoint(
            os.path.join(work_dir, run_folder.CHECKPOINT_DIR),
            _resume_settings(config, steps_per_epoch))
        first_epoch = checkpoint.restore(trainer)
    if first_epoch > config.epochs:
        raise ValueError(
            f"The run in {work_dir} has already completed {first_epoch} "
            f"epochs. Received: epochs={config.epochs}")
    train_data = data.load(config.dataset, train_split, **train_kwargs,
                           epochs=config.epochs, first_epoch=first_epoch,
                           steps_per_epoch=steps_per_epoch)
    # The data come from one file or from memory: workers split each batch
    # by examples, not by files.
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = (
        tf.data.experimental.AutoShardPolicy.DATA)
    train_data = train_data.with_options(options)

    log_path = os.path.join(work_dir, run_folder.LOG_FILE)
    # Order matters at epoch end: time it, log it, then checkpoint it. A kill
    # between log and checkpoint re-runs (and re-logs) that epoch; no epoch
    # is ever missing from the log.
    monitor = _monitor(config, work_dir)
    callbacks = [
        keras.callbacks.TerminateOnNaN(),
        EpochTimer(),
        *([monitor] if monitor else []),
        keras.callbacks.CSVLogger(log_path, append=True),
        checkpoint,
    ]
    try:
        import tensorboard  # pylint: disable=import-outside-toplevel,unused-import
        callbacks.append(keras.callbacks.TensorBoard(
            os.path.join(work_dir, "tensorboard")))
    except ImportError:
        logging.info("TensorBoard is not installed; no TensorBoard logs.")

    if first_epoch < config.epochs:  # else a finished run: just report it
        history = trainer.fit(
            train_data, epochs=config.epochs, initial_epoch=first_epoch,
            steps_per_epoch=steps_per_epoch, callbacks=callbacks,
            shuffle=False,  # the stream is shuffled per epoch
            # A progress bar on a terminal, a line per epoch in logs.
            verbose=1 if sys.stdout.isatty() else 2)
        losses = history.history.get("loss", [])
        if losses and not math.isfinite(losses[-1]):
            raise FloatingPointError(
                f"Training stopped at a NaN loss; the last good weights are "
                f"in {checkpoint.directory}. Re-running here replays the same "
                "batches; train in a new --model_dir with a lower "
                "--learning_rate or another --seed.")
    if monitor:  # also when a finished run is re-run: fit did not restore
        monitor.restore(classifier)
    classifier.save(os.path.join(work_dir, run_folder.CLASSIFIER_FILE))
    final_metrics, train_seconds = _read_log(log_path, config.epochs)
    # Each worker scores the whole test split alone, not through
    # `trainer.evaluate`: under a multi-worker strategy that can hand a
    # worker an empty batch, on which TF 2.21's oneDNN Conv2D returns its
    # input unchanged and the next convolution fails (WORKSPACE_NOTES).
    score = accuracy.accuracy(classifier, score_data)
    summary = {
        "final_metrics": final_metrics,
        f"clean_{score_split}_accuracy": float(score),
        "monitor": _monitor_curve(log_path, config.epochs, monitor),
        "epochs_completed": config.epochs,
        # The completed epochs' wall times, summed over every call; time
        # lost to an epoch that a kill interrupted, start-up and evaluation
        # are not in it.
        "train_seconds": round(train_seconds, 1),
        "images_per_second": round(
            config.epochs * steps_per_epoch * config.batch_size / train_seconds, 1),
        "output_dir": work_dir,
        "config": dataclasses.asdict(config),
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__},
        "machine": machine.description(),
    }
    with open(os.path.join(work_dir, run_folder.SUMMARY_FILE), "w",
              encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
    return summary
