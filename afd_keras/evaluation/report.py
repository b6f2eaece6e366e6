"""One evaluation written to a folder: the report, and the trade-off."""

import os

from afd_keras.evaluation import robustness
from afd_keras.evaluation import tradeoff

REPORT_FILE = "report.json"
PROGRESS_FILE = "progress.npz"


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

    Writes `report.json` and `report.md` for the model at its own condition;
    its batches are saved to `progress.npz` as they finish, so that a killed
    run given the same folder resumes at its first unfinished batch.
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
    # With a folder to write to, a killed evaluation resumes batch by batch.
    progress = (os.path.join(output_dir, PROGRESS_FILE) if output_dir
                else None)
    if output_dir:
        os.makedirs(output_dir, exist_ok=True)
    result = robustness.evaluate_robustness(model, dataset, epsilon, attacks,
                                            progress_file=progress, **kwargs)
    markdown = result.to_markdown()
    sweep = None
    if conditions:
        # Probed and timed once, at the model's own condition.
        kwargs.update(sanity_examples=0, measure_pass_bound=False)
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
