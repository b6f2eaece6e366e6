"""Evaluates a trained model's clean and robust accuracy; writes reports.

Usage:
    afd-evaluate --model=runs/mnist_afd --dataset=mnist --epsilon=0.3 \
        --attacks=fgsm,pgd:num_steps=40,step_size=0.01 --output_dir=runs/mnist_afd
"""

import os

from absl import flags
import keras

from afd_keras import cli
from afd_keras import data
from afd_keras import evaluation
from afd_keras.data import loader
from afd_keras.training import run as run_lib

_MODEL = flags.DEFINE_string(
    "model", None, "A saved .keras model, or a run dir from afd-train.")
_DATASET = flags.DEFINE_enum("dataset", "mnist",
                             ["mnist", "fashion_mnist", "cifar10"], "Dataset.")
_DATA_DIR = flags.DEFINE_string("data_dir", None,
                                "Folder with the data (default $AFD_DATA_DIR).")
_SOURCE = flags.DEFINE_enum("source", "auto", list(loader.SOURCES),
                            "Where to read the test split from.")
_EPSILON = flags.DEFINE_float("epsilon", 0.3, "L-inf budget on [0, 1] images.",
                              lower_bound=0.0, upper_bound=1.0)
_ATTACKS = flags.DEFINE_list(
    "attacks", ["fgsm", "pgd:num_steps=40;step_size=0.01"],
    "Attacks, each 'name' or 'name:key=value;key=value' (fgsm, pgd).")
_NUM_EXAMPLES = flags.DEFINE_integer(
    "num_examples", None, "Evaluate the first N test examples (default all).",
    lower_bound=1)
_CONDITION = flags.DEFINE_float(
    "condition", None, "Condition dial for conditional models (default: the "
    "model's own).", lower_bound=0.0, upper_bound=1.0)
_OUTPUT_DIR = flags.DEFINE_string(
    "output_dir", None, "Where to write report.json and report.md (default: "
    "print only).")


def main(argv):
    del argv
    path = _MODEL.value
    if os.path.isdir(path):
        path = os.path.join(path, run_lib.CLASSIFIER_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No model at {path}; expected a .keras file "
                                "or a run dir holding classifier.keras.")
    model = keras.saving.load_model(path)
    if _CONDITION.value is not None:
        model.set_condition(_CONDITION.value)
    test = data.load(_DATASET.value, "test", batch_size=500,
                     data_dir=_DATA_DIR.value, source=_SOURCE.value,
                     num_examples=_NUM_EXAMPLES.value)
    # Commas separate attacks in the flag, so settings use ';'.
    attacks = [spec.replace(";", ",") for spec in _ATTACKS.value]
    result = evaluation.evaluate_robustness(model, test, _EPSILON.value, attacks)
    report = result.to_markdown()
    print(report)
    if _OUTPUT_DIR.value:
        os.makedirs(_OUTPUT_DIR.value, exist_ok=True)
        result.to_json(os.path.join(_OUTPUT_DIR.value, "report.json"))
        with open(os.path.join(_OUTPUT_DIR.value, "report.md"), "w",
                  encoding="utf-8") as f:
            f.write(report + "\n")


def run():
    flags.mark_flags_as_required(["model"])
    cli.run(main)


if __name__ == "__main__":
    run()
