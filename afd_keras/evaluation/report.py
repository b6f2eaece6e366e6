"""One evaluation written to a folder: the report, and the trade-off."""

import json
import os

import keras

from afd_keras.evaluation import robustness
from afd_keras.evaluation import tradeoff
from afd_keras.training.run import CLASSIFIER_FILE
from afd_keras.training.run import SUMMARY_FILE

REPORT_FILE = "report.json"


def load_model(path, condition=None):
    """Loads a saved `.keras` model, a run dir's classifier, or a zoo model.

    Args:
        path: a `.keras` file, an `afd-train` run dir, or a zoo model name.
        condition: a dial value in [0, 1] to set, or None to keep the
            model's own (conditional models only).

    Returns:
        The `keras.Model`, mapping [0, 1] images to logits.

    Raises:
        FileNotFoundError: nothing loadable at a path.
        ValueError: neither a path nor a known zoo name (the closest names
            are suggested), or a condition for a model without a dial.

    Example:

    >>> model = load_model("small_cnn_mnist_afd_linf0.3", condition=0.0)
    """
    from afd_keras import zoo  # pylint: disable=import-outside-toplevel
    if _is_zoo_name(path):
        try:
            zoo.cards.card_path(path)
        except ValueError as e:
            raise ValueError(f"No file or run dir at {path!r}. {e}") from None
        model = zoo.load(path)
    else:
        if os.path.isdir(path):
            path = os.path.join(path, CLASSIFIER_FILE)
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"No model at {path}; expected a .keras file, a run dir "
                f"holding {CLASSIFIER_FILE}, or a zoo model name.")
        model = keras.saving.load_model(path, safe_mode=True)
    if condition is not None:
        if not hasattr(model, "set_condition"):
            raise ValueError(
                "Only a conditional model (built with conditional=True) has a "
                f"condition dial; {path} has none. Received: "
                f"condition={condition}")
        model.set_condition(condition)
    return model


def threat_setting(path, *, dataset=None, norm=None, epsilon=None):
    """The dataset and threat model to evaluate a model on.

    Whatever is not given comes from the model: a zoo model's card, or a
    run dir's training config. A bare `.keras` file defaults to MNIST with
    an L-inf budget of 0.3.

    Args:
        path: as for `load_model`.
        dataset: the dataset, or None for the model's own.
        norm: "linf" or "l2", or None for the model's own.
        epsilon: the budget, or None for the model's own.

    Returns:
        A `(dataset, norm, epsilon)` tuple.

    Raises:
        ValueError: `dataset` is not the one the model was trained on.

    Example:

    >>> threat_setting("small_cnn_fashion_mnist_afd_linf0.1")
    ('fashion_mnist', 'linf', 0.1)
    """
    trained = _trained_setting(path)
    if dataset is not None and dataset != trained.get("dataset", dataset):
        raise ValueError(
            f"{path} was trained on {trained['dataset']}; evaluate it on "
            f"that (or leave --dataset out). Received: dataset={dataset!r}")
    return (dataset or trained.get("dataset", "mnist"),
            norm or trained.get("norm", "linf"),
            epsilon if epsilon is not None else trained.get("epsilon", 0.3))


def _is_zoo_name(path):
    from afd_keras import zoo  # pylint: disable=import-outside-toplevel
    return not os.path.exists(path) and zoo.cards.is_model_name(path)


def _trained_setting(path):
    """What a model says about its training data and threat model, or {}."""
    from afd_keras import zoo  # pylint: disable=import-outside-toplevel
    if _is_zoo_name(path):
        card = zoo.get_info(path)
        return {"dataset": card["dataset"], **card["threat_model"]}
    summary = os.path.join(path, SUMMARY_FILE)
    if os.path.isfile(summary):
        with open(summary, encoding="utf-8") as f:
            config = json.load(f)["config"]
        # Training is L-inf only; a run's config has no norm.
        return {"dataset": config["dataset"], "norm": "linf",
                "epsilon": config["epsilon"]}
    return {}


def load_result(path):
    """Reads a `RobustnessResult` from a report.json, or a folder holding one.

    Raises:
        FileNotFoundError: no report at `path`.
    """
    if os.path.isdir(path):
        path = os.path.join(path, REPORT_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No evaluation report at {path}; expected "
                                f"{REPORT_FILE} or a folder holding it "
                                "(afd-evaluate --output_dir writes one).")
    return robustness.RobustnessResult.from_json(path)


def write_reports(model, dataset, epsilon, attacks, output_dir=None, *,
                  conditions=(), baselines=None, **kwargs):
    """Evaluates a model and writes its reports.

    Writes `report.json` and `report.md` for the model at its own condition.
    With `conditions`, also sweeps the condition dial and writes
    `tradeoff.json`, `tradeoff.md` and `tradeoff.png`, with `baselines` as
    points.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        dataset: a `tf.data.Dataset` of (images, labels) batches.
        epsilon: the radius of the threat model.
        attacks: attack specs or suite names.
        output_dir: where to write; None writes nothing.
        conditions: dial values to sweep (conditional models only).
        baselines: label -> path of another model's report.json (or its
            folder), drawn as points next to the sweep.
        **kwargs: more `evaluate_robustness` arguments.

    Returns:
        The Markdown of the report (and of the trade-off table, if any).

    Example:

    >>> write_reports(model, test, 0.3, ["aa_lite"], "runs/afd/eval",
    ...               conditions=[0, 0.5, 1], baselines={"fgsm_rs": "runs/fgsm"})
    """
    baseline_results = {label: load_result(path)
                        for label, path in (baselines or {}).items()}
    result = robustness.evaluate_robustness(model, dataset, epsilon, attacks,
                                            **kwargs)
    markdown = result.to_markdown()
    sweep = None
    if conditions:
        kwargs["sanity_examples"] = 0  # probed once, at the model's condition
        sweep = tradeoff.sweep_condition(model, dataset, epsilon, conditions,
                                         attacks, **kwargs)
        markdown += ("\n\nCondition sweep:\n\n" +
                     tradeoff.to_markdown(sweep, baseline_results))
    if output_dir:
        os.makedirs(output_dir, exist_ok=True)
        result.to_json(os.path.join(output_dir, REPORT_FILE))
        _write(os.path.join(output_dir, "report.md"), result.to_markdown())
        if sweep:
            tradeoff.to_json(sweep, baseline_results,
                             os.path.join(output_dir, "tradeoff.json"))
            _write(os.path.join(output_dir, "tradeoff.md"),
                   tradeoff.to_markdown(sweep, baseline_results))
            tradeoff.plot(sweep, baseline_results,
                          os.path.join(output_dir, "tradeoff.png"))
    return markdown


def _write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")
