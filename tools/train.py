"""Trains a robust classifier with AFD or a baseline; resumable.

Re-running the same command continues from the last completed epoch in
--model_dir, with the batches an uninterrupted run would see. Writes
checkpoints/, log.csv, tensorboard/ (when installed), classifier.keras and
summary.json. --batch_size is the global batch over all replicas.

Examples:
    # MNIST, AFD, eps 0.3:
    afd-train --dataset=mnist --method=afd --epsilon=0.3 --model_dir=runs/mnist_afd
    # CIFAR-10, the fast ResNet-9, FGSM with random init, eps 8/255,
    # cyclic learning rate (Wong et al. 2020); bfloat16 pays only on a CPU
    # with native bf16 (AVX-512 BF16, AMX) or an accelerator:
    afd-train --dataset=cifar10 --data_dir=../shared/data --architecture=resnet9 \
        --method=fgsm_rs --epsilon=0.03137 --optimizer=sgd --learning_rate=0.2 \
        --schedule=cyclic --weight_decay=5e-4 --epochs=15 \
        --precision=mixed_bfloat16 --model_dir=runs/cifar_fgsm
"""

import json

from absl import flags

from afd_keras import cli
from afd_keras import models
from afd_keras.data import loader
from afd_keras.training import distribution
from afd_keras.training import METHODS
from afd_keras.training import OBJECTIVES
from afd_keras.training import mixing
from afd_keras.training import perturbations
from afd_keras.training import run as run_lib
from afd_keras.training import schedules

_MODEL_DIR = flags.DEFINE_string(
    "model_dir", None, "Run folder for checkpoints, logs and the model "
    "(required; re-using it resumes the run).")
_DATASET = flags.DEFINE_enum("dataset", "mnist",
                             ["mnist", "fashion_mnist", "cifar10"], "Dataset.")
_DATA_DIR = flags.DEFINE_string(
    "data_dir", None, "Folder with the data (default $AFD_DATA_DIR; without "
    "one, the small embedded sample is used where it has the split).")
_SOURCE = flags.DEFINE_enum("source", "auto", list(loader.SOURCES),
                            "Where to read the data from.")
_ARCHITECTURE = flags.DEFINE_enum("architecture", "small_cnn",
                                  models.list_models(), "Architecture.")
_ARCHITECTURE_ARGS = flags.DEFINE_list(
    "architecture_args", [], "The architecture's arguments as name=value "
    "pairs, e.g. depth=16,width=4 for wide_resnet (values are read as "
    "JSON when they parse, else as strings).")
_CONDITIONAL = flags.DEFINE_boolean(
    "conditional", False, "Add ConditionalScaling layers (the AFD condition "
    "dial).")
_METHOD = flags.DEFINE_enum("method", "afd", sorted(METHODS),
                            "Training method.")
_EPSILON = flags.DEFINE_float("epsilon", 0.3, "L-inf budget on [0, 1] images "
                              "(0.3 MNIST, 0.1 Fashion-MNIST, 8/255 CIFAR-10).",
                              lower_bound=0.0, upper_bound=1.0)
_STEP_SIZE = flags.DEFINE_float("step_size", None, "Attack step size "
                                "(default: the method's multiple of epsilon).",
                                lower_bound=0.0)
_NUM_STEPS = flags.DEFINE_integer("num_steps", None, "Attack steps per "
                                  "training step (default: the method's).",
                                  lower_bound=0)
_INIT = flags.DEFINE_enum("init", None, list(perturbations.INITS),
                          "Initial perturbation (default: the method's).")
_MIXING = flags.DEFINE_enum("mixing", None, list(mixing.MIXINGS),
                            "Example mixing (default: the method's).")
_MIXUP_ALPHA = flags.DEFINE_float("mixup_alpha", 1.0, "Beta(a, a) parameter "
                                  "of the mixup modes.", lower_bound=1e-6)
_FULL_STRENGTH_SHARE = flags.DEFINE_float(
    "full_strength_share", None, "With --mixing=interpolate: the share of "
    "examples kept at full perturbation strength (c = 1) (default: the "
    "method's, 0.5 for afd).", lower_bound=0.0,
    upper_bound=1.0)
_TRADES_BETA = flags.DEFINE_float("trades_beta", 6.0, "TRADES KL weight.",
                                  lower_bound=0.0)
_INIT_SCALE = flags.DEFINE_float(
    "init_scale", None, "Starting noise radius as a multiple of epsilon "
    "(default: the method's, 2 for n_fgsm, else 1).", lower_bound=0.0)
_PROJECTION = flags.DEFINE_enum(
    "projection", None, list(perturbations.PROJECTIONS), "ball: keep the "
    "training perturbation in the eps-ball and [0, 1]; box: only in [0, 1] "
    "(default: the method's, box for n_fgsm).")
_OBJECTIVE = flags.DEFINE_enum(
    "objective", None, sorted(OBJECTIVES), "What a step minimises (default: "
    "the method's). loss_weighted: (1 - lam) CE(x) + lam CE(x_adv), lam per "
    "example and read by the --conditional dial (Once-for-All AT).")
_VALIDATION = flags.DEFINE_boolean(
    "validation", False, "Train on the training split less the held-out "
    "validation split (45,000 of CIFAR-10's 50,000; 55,000 of MNIST's) and "
    "report validation accuracy; the test split is not read.")
_MONITOR_EXAMPLES = flags.DEFINE_integer(
    "monitor_examples", 0, "After every epoch, PGD accuracy on this many "
    "validation images (training images without --validation), logged as "
    "monitor_pgd_accuracy; 0 turns the monitor off.", lower_bound=0)
_MONITOR_STEPS = flags.DEFINE_integer("monitor_steps", 10, "PGD steps of the "
                                      "monitor.", lower_bound=1)
_RESTORE_BEST_EPOCH = flags.DEFINE_boolean(
    "restore_best_epoch", False, "Keep the epoch of best monitor PGD "
    "accuracy (early stopping, Wong et al. 2020); needs --monitor_examples.")
_EPOCHS = flags.DEFINE_integer("epochs", 10, "Training epochs.", lower_bound=1)
_STEPS_PER_EPOCH = flags.DEFINE_integer(
    "steps_per_epoch", None, "Steps per epoch (for quick runs; default: the "
    "whole training set).", lower_bound=1)
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 128, "Global batch size.",
                                   lower_bound=1)
_OPTIMIZER = flags.DEFINE_enum("optimizer", "adam", list(run_lib.OPTIMIZERS),
                               "Optimizer.")
_LEARNING_RATE = flags.DEFINE_float("learning_rate", 1e-3, "Base (or peak) "
                                    "learning rate.", lower_bound=0.0)
_SCHEDULE = flags.DEFINE_enum("schedule", "constant", list(schedules.SCHEDULES),
                              "Learning-rate schedule: constant, piecewise "
                              "(x0.1 at 50% and 75%), or cyclic (one cycle).")
_MOMENTUM = flags.DEFINE_float("momentum", 0.9, "SGD momentum.",
                               lower_bound=0.0, upper_bound=1.0)
_WEIGHT_DECAY = flags.DEFINE_float("weight_decay", 0.0, "Decoupled weight "
                                   "decay.", lower_bound=0.0)
_PRECISION = flags.DEFINE_enum(
    "precision", "float32", list(run_lib.PRECISIONS),
    "Keras mixed-precision policy. mixed_bfloat16 was 1.6x faster on a CPU "
    "with AVX-512 BF16 and 10x slower on one with AVX2 only; measure first "
    "(afd-benchmark --benchmarks=precision).")
_STRATEGY = flags.DEFINE_enum("strategy", "auto",
                              list(distribution.STRATEGIES),
                              "tf.distribute strategy.")
_JIT_COMPILE = flags.DEFINE_enum(
    "jit_compile", "auto", list(run_lib.JIT_COMPILE), "XLA: auto (Keras' "
    "choice: on accelerators without a strategy), true or false. XLA is "
    "turned off, with a log line, for a strategy replicated over CPUs.")
_SEED = flags.DEFINE_integer("seed", 0, "Random seed.")


def _name_value_pairs(pairs):
    parsed = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        try:
            parsed[name] = json.loads(value)
        except json.JSONDecodeError:
            parsed[name] = value
    return parsed


flags.register_validator(
    _ARCHITECTURE_ARGS.name,
    lambda pairs: all("=" in pair and pair.split("=")[0] for pair in pairs),
    message="--architecture_args takes name=value pairs, e.g. depth=16,width=4.")


def main(argv):
    del argv
    config = run_lib.TrainConfig(
        architecture_kwargs=_name_value_pairs(_ARCHITECTURE_ARGS.value), **{
        name: flags.FLAGS[name].value for name in (
            "model_dir", "dataset", "data_dir", "source", "architecture",
            "conditional", "method", "epsilon", "step_size", "num_steps",
            "init", "mixing", "mixup_alpha", "full_strength_share",
            "trades_beta", "init_scale", "projection", "objective", "epochs",
            "steps_per_epoch", "batch_size", "optimizer", "learning_rate",
            "schedule", "momentum", "weight_decay", "precision", "strategy",
            "jit_compile", "seed", "validation", "monitor_examples",
            "monitor_steps", "restore_best_epoch")})
    summary = run_lib.train(config)
    split = "validation" if config.validation else "test"
    print(f"clean {split} accuracy "
          f"{100 * summary[f'clean_{split}_accuracy']:.2f}%, "
          f"{summary['train_seconds']:.0f} s of training, "
          f"{summary['images_per_second']:.0f} images/s; "
          f"summary in {summary['output_dir']}/{run_lib.SUMMARY_FILE}")


def run():
    flags.mark_flags_as_required(["model_dir"])
    cli.run(main)


if __name__ == "__main__":
    run()
