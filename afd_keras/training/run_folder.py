"""What a training run folder holds: its config and the files it writes.

Training writes a run folder (`run.train`); evaluation, publishing and the
tools read it. They all take the file names, `TrainConfig` and `read_run`
from here, below all of them.
"""

import dataclasses
import json
import os

from afd_keras import data
from afd_keras import models
from afd_keras.data import loader
from afd_keras.training import distribution
from afd_keras.training import schedules
from afd_keras.training.settings import setting
from afd_keras.training.settings import with_default
from afd_keras.training.settings import TrainerSettings

CLASSIFIER_FILE = "classifier.keras"
SUMMARY_FILE = "summary.json"
LOG_FILE = "log.csv"
CHECKPOINT_DIR = "checkpoints"

OPTIMIZERS = ("sgd", "adam")
JIT_COMPILE = {"auto": "auto", "true": True, "false": False}
PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrainConfig(TrainerSettings):
    """Everything that defines a training run; saved in its summary.

    The trainer's hyperparameters are the fields of `TrainerSettings`; the
    rest are the data, the model, the optimisation and the run's own
    settings. Each field's help text is also its `afd-train` flag's.

    Example:

    >>> config = TrainConfig(model_dir="runs/mnist_afd", method="afd")
    >>> run.train(config)
    """

    model_dir: str = setting(
        None, "Run folder for checkpoints, logs and the model (required; "
        "re-using it resumes the run).")
    recipe: str | None = setting(
        None, "A training recipe to start from, NAME (its newest version) or "
        "NAME@VERSION, e.g. cifar10_fgsm_rs: the settings of a zoo model "
        "(afd_keras/recipes/). Flags given override its settings.")
    dataset: str = setting("mnist", "Dataset.", choices=data.list_datasets())
    data_dir: str | None = setting(
        None, "Folder with the data (default $AFD_DATA_DIR; without one, the "
        "small embedded sample is used where it has the split).")
    source: str = setting("auto", "Where to read the data from.",
                          choices=loader.SOURCES)
    architecture: str = setting("small_cnn", "Architecture.",
                                choices=models.list_architectures())
    architecture_kwargs: dict = dataclasses.field(
        default_factory=dict, metadata={
            "flag": "architecture_args", "help": (
                "The architecture's arguments as name=value pairs, e.g. "
                "depth=16,width=4 for wide_resnet (values are read as JSON "
                "when they parse, else as strings).")})
    conditional: bool = setting(
        False, "Add ConditionalScaling layers (the AFD condition dial).")
    # The command line's default dataset is MNIST, hence its budget; a run
    # is always seeded.
    epsilon: float = with_default(TrainerSettings, "epsilon", 0.3)
    seed: int = with_default(TrainerSettings, "seed", 0)
    epochs: int = setting(10, "Training epochs.", minimum=1, integer=True)
    steps_per_epoch: int | None = setting(
        None, "Steps per epoch (for quick runs; default: the whole training "
        "set).", minimum=1, integer=True)
    batch_size: int = setting(128, "Global batch size (over all replicas).",
                              minimum=1, integer=True)
    optimizer: str = setting("adam", "Optimizer.", choices=OPTIMIZERS)
    learning_rate: float = setting(
        1e-3, "Base (or peak) learning rate.", minimum=0.0)
    schedule: str = setting(
        "constant", "Learning-rate schedule: constant, piecewise (x0.1 at "
        "50% and 75%), or cyclic (one cycle).", choices=schedules.SCHEDULES)
    momentum: float = setting(0.9, "SGD momentum.", minimum=0.0, maximum=1.0)
    weight_decay: float = setting(0.0, "Decoupled weight decay.", minimum=0.0)
    precision: str = setting(
        "float32", "Keras mixed-precision policy. mixed_bfloat16 was 1.6x "
        "faster on a CPU with AVX-512 BF16 and 10x slower on one with AVX2 "
        "only; measure first (afd-benchmark --benchmarks=precision).",
        choices=PRECISIONS)
    strategy: str = setting("auto", "tf.distribute strategy.",
                            choices=distribution.STRATEGIES)
    jit_compile: str = setting(
        "auto", "XLA: auto (Keras' choice: on accelerators without a "
        "strategy), true or false. XLA is turned off, with a log line, for a "
        "strategy replicated over CPUs.", choices=JIT_COMPILE)
    validation: bool = setting(
        False, "Train on the training split less the held-out validation "
        "split (45,000 of CIFAR-10's 50,000; 55,000 of MNIST's) and report "
        "validation accuracy; the test split is not read (model selection).")
    monitor_examples: int = setting(
        0, "After every epoch, PGD accuracy on this many validation images "
        "(training images without validation), logged as "
        "monitor_pgd_accuracy; 0 turns the monitor off.", minimum=0,
        integer=True)
    monitor_steps: int = setting(10, "PGD steps of the monitor.", minimum=1,
                                 integer=True)
    restore_best_epoch: bool = setting(
        False, "Keep the epoch of best monitor PGD accuracy (early stopping, "
        "Wong et al. 2020); needs monitor_examples.")

    def classifier_arguments(self):
        """The `models.build` arguments of the run's classifier, as JSON
        values: `models.build(config.architecture, **arguments)`."""
        spec = data.get_spec(self.dataset)
        return {"input_shape": list(spec.image_shape),
                "num_classes": spec.num_classes, "mean": list(spec.mean),
                "std": list(spec.std), "conditional": self.conditional,
                **self.architecture_kwargs}

    def trainer_settings(self):
        """The `TrainerSettings` part of this config."""
        return TrainerSettings(**{
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(TrainerSettings)})


# The settings a resumed run may change: where it runs and reads from.
# Anything else changes the model, the batches or the optimizer.
RESUMABLE_CHANGES = ("model_dir", "data_dir", "source", "strategy",
                     "jit_compile")


def read_run(run_dir):
    """Reads a finished run's summary and config.

    Args:
        run_dir: an `afd-train` run folder.

    Returns:
        A `(summary, config)` pair: the summary dict and its `TrainConfig`.

    Raises:
        ValueError: the run has no summary or has not finished.

    Example:

    >>> summary, config = read_run("runs/mnist_afd")
    """
    path = os.path.join(run_dir, SUMMARY_FILE)
    if not os.path.isfile(path):
        raise ValueError(f"{run_dir} is not a finished training run: it has no "
                         f"{SUMMARY_FILE}. Finish it with afd-train.")
    with open(path, encoding="utf-8") as f:
        summary = json.load(f)
    config = TrainConfig(**summary["config"])
    if summary["epochs_completed"] < config.epochs:
        raise ValueError(f"The run in {run_dir} is not finished: "
                         f"{summary['epochs_completed']} of {config.epochs} "
                         "epochs. Re-run its afd-train command to finish it.")
    return summary, config
