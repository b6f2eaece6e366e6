"""Evaluates a trained model's clean and robust accuracy; writes reports.

Usage:
    afd-evaluate --model=runs/mnist_afd --dataset=mnist --epsilon=0.3 \
        --attacks=pgd:num_steps=40,step_size=0.01,aa_lite \
        --conditions=0,0.25,0.5,0.75,1 --baselines=fgsm_rs=runs/mnist_fgsm \
        --output_dir=runs/mnist_afd/eval
"""

from absl import flags

from afd_keras import attacks
from afd_keras import cli
from afd_keras import data
from afd_keras import evaluation
from afd_keras import zoo
from afd_keras.data import loader
from afd_keras.evaluation import suite

_MODEL = flags.DEFINE_string(
    "model", None, "A saved .keras model, a run dir from afd-train, or a "
    "zoo model name (see afd_keras.zoo.list_models()).")
_DATASET = flags.DEFINE_enum(
    "dataset", None, data.list_datasets(),
    "Dataset (default: the model's, from its zoo card or run dir; else mnist).")
_DATA_DIR = flags.DEFINE_string("data_dir", None,
                                "Folder with the data (default $AFD_DATA_DIR).")
_SOURCE = flags.DEFINE_enum("source", "auto", list(loader.SOURCES),
                            "Where to read the test split from.")
_SPLIT = flags.DEFINE_enum(
    "split", "test", ["test", "validation"], "The split to evaluate on: "
    "validation (held out of the training set, for choosing a method) or "
    "test (for final numbers only).")
_NORM = flags.DEFINE_enum("norm", None, list(attacks.NORMS),
                          "Threat model (default: the model's; else linf).")
_EPSILON = flags.DEFINE_float(
    "epsilon", None, "Budget on [0, 1] images (default: the model's; else "
    "0.3).", lower_bound=0.0)
_SUITES = ", ".join(f"{name} = {' + '.join(specs)}"
                    for name, specs in suite.SUITES.items())
_ATTACKS = flags.DEFINE_list(
    "attacks", ["fgsm", "pgd:num_steps=40,step_size=0.01"],
    "Attacks, each 'name' or 'name:key=value,key=value'. Names: "
    f"{', '.join(sorted(suite.ATTACKS))}. Suites: {_SUITES}.")
_NUM_EXAMPLES = flags.DEFINE_integer(
    "num_examples", None, "Evaluate the first N examples of --split "
    "(default all).",
    lower_bound=1)
_SANITY_EXAMPLES = flags.DEFINE_integer(
    "sanity_examples", 200, "Examples for the gradient-masking probe (0: "
    "only compare the attacks above).", lower_bound=0)
_PASS_BOUND = flags.DEFINE_bool(
    "pass_bound", True, "Also time the model's forward and backward passes, "
    "to print each attack's ratio to the time of the passes it made.")
_CONDITION = flags.DEFINE_float(
    "condition", None, "Condition dial for conditional models (default: the "
    "model's own).", lower_bound=0.0, upper_bound=1.0)
_CONDITIONS = flags.DEFINE_list(
    "conditions", [], "Dial values to sweep for the trade-off report, e.g. "
    "0,0.25,0.5,0.75,1 (conditional models only).")
_BASELINES = flags.DEFINE_list(
    "baselines", [], "Baseline points for the trade-off plot, each "
    "label=path to a report.json or the folder holding it.")
_OUTPUT_DIR = flags.DEFINE_string(
    "output_dir", None, "Where to write report.json, report.md and the "
    "trade-off files (default: print only); the finished batches are saved "
    "there too, and re-running with the same folder resumes.")
_BATCH_SIZE = flags.DEFINE_integer(
    "batch_size", 500, "Examples per batch; with --output_dir a kill loses "
    "at most one batch.", lower_bound=1)


def _conditions(values):
    try:
        return all(0.0 <= float(v) <= 1.0 for v in values)
    except ValueError:
        return False


flags.register_validator("conditions", _conditions,
                         "--conditions must be numbers in [0, 1]")
flags.register_validator(
    "baselines", lambda values: all("=" in v for v in values),
    "--baselines entries must be label=path")


def main(argv):
    del argv
    model = zoo.load_model(_MODEL.value, condition=_CONDITION.value)
    dataset, norm, epsilon = zoo.threat_setting(
        _MODEL.value, dataset=_DATASET.value, norm=_NORM.value,
        epsilon=_EPSILON.value)
    examples = data.load(dataset, _SPLIT.value, batch_size=_BATCH_SIZE.value,
                         data_dir=_DATA_DIR.value, source=_SOURCE.value,
                         num_examples=_NUM_EXAMPLES.value)
    attacks = suite.split_specs(_ATTACKS.value)
    print(evaluation.write_reports(
        model, examples, epsilon, attacks, _OUTPUT_DIR.value,
        conditions=[float(c) for c in _CONDITIONS.value],
        baselines=dict(b.split("=", 1) for b in _BASELINES.value),
        norm=norm, sanity_examples=_SANITY_EXAMPLES.value,
        measure_pass_bound=_PASS_BOUND.value))


def run():
    flags.mark_flags_as_required(["model"])
    cli.run(main)


if __name__ == "__main__":
    run()
