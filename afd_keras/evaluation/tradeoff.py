"""The accuracy/robustness trade-off of a conditional model: sweep its
condition dial, then tabulate and plot clean against robust accuracy."""

import dataclasses
import json
import os

from afd_keras.evaluation import robustness


def sweep_condition(model, dataset, epsilon, conditions, attacks, **kwargs):
    """Evaluates a conditional model at each value of its condition dial.

    Args:
        model: a model with `set_condition` and a `condition` variable, e.g.
            a `ConditionalClassifier`. Its dial is restored afterwards.
        dataset: a `tf.data.Dataset` of (images, labels) batches.
        epsilon: the radius of the threat model.
        conditions: the dial values, each in [0, 1].
        attacks: attack specs, as for `evaluate_robustness`.
        **kwargs: more `evaluate_robustness` arguments.

    Returns:
        A dict: condition -> `RobustnessResult`.

    Raises:
        ValueError: the model has no condition dial.

    Example:

    >>> sweep = sweep_condition(model, test, 0.3, [0, 0.5, 1], ["pgd"])
    """
    if not hasattr(model, "set_condition"):
        raise ValueError("A condition sweep needs a conditional model (built "
                         f"with conditional=True). Received: {type(model).__name__}")
    original = float(model.condition.numpy())
    results = {}
    try:
        for condition in conditions:
            model.set_condition(condition)
            results[float(condition)] = robustness.evaluate_robustness(
                model, dataset, epsilon, attacks, **kwargs)
    finally:
        model.set_condition(original)
    return results


def to_markdown(sweep, baselines=None):
    """A table of clean and worst-case robust accuracy per point.

    Args:
        sweep: condition -> `RobustnessResult`, from `sweep_condition`.
        baselines: label -> `RobustnessResult` of other models.
    """
    lines = ["| model | condition | clean | robust (worst case) |",
             "|---|---|---|---|"]
    lines += [f"| this model | {c:g} | {100 * r.clean_accuracy:.2f}% | "
              f"{100 * r.robust_accuracy:.2f}% |" for c, r in sweep.items()]
    lines += [f"| {label} | - | {100 * r.clean_accuracy:.2f}% | "
              f"{100 * r.robust_accuracy:.2f}% |"
              for label, r in (baselines or {}).items()]
    return "\n".join(lines)


def to_json(sweep, baselines, path):
    """Writes the sweep and the baselines, with their full results."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"sweep": {str(c): dataclasses.asdict(r)
                             for c, r in sweep.items()},
                   "baselines": {k: dataclasses.asdict(r) for k, r in
                                 (baselines or {}).items()}}, f, indent=2)


def plot(sweep, baselines, path, title=None):
    """Plots clean against robust accuracy: the sweep as a curve, the
    baselines as labelled points. Needs matplotlib.

    Args:
        sweep: condition -> `RobustnessResult`.
        baselines: label -> `RobustnessResult`.
        path: the PNG to write.
        title: the plot title; defaults to the threat model.
    """
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    from matplotlib import pyplot  # pylint: disable=import-outside-toplevel
    results = list(sweep.values()) + list((baselines or {}).values())
    figure, axes = pyplot.subplots(figsize=(8.4, 4.8), dpi=120)
    conditions = sorted(sweep)
    axes.plot([100 * sweep[c].robust_accuracy for c in conditions],
              [100 * sweep[c].clean_accuracy for c in conditions], "o-",
              color="tab:blue", label="this model, condition dial c")
    # Points within 3 robust points (and 0.2 clean) share one label
    # ("c=0, 0.25"), so that labels do not overprint.
    groups = []
    for c in conditions:
        x, y = 100 * sweep[c].robust_accuracy, 100 * sweep[c].clean_accuracy
        for group in groups:
            if abs(group[0] - x) < 3 and abs(group[1] - y) < 0.2:
                group[2].append(f"{c:g}")
                break
        else:
            groups.append((x, y, [f"{c:g}"]))
    for i, (x, y, values) in enumerate(groups):
        # Alternate below and above, so that neighbours do not collide.
        axes.annotate("c=" + ", ".join(values), (x, y),
                      textcoords="offset points",
                      xytext=(4, -12) if i % 2 == 0 else (4, 6), fontsize=8)
    markers = "sD^vP*Xh"
    for i, (label, result) in enumerate((baselines or {}).items()):
        axes.plot(100 * result.robust_accuracy, 100 * result.clean_accuracy,
                  markers[i % len(markers)], markersize=9, label=label,
                  color=f"C{i + 1}")  # C0 is the sweep's colour
    # Robust accuracy on its full scale; clean accuracy spans >= 2 points,
    # so that rounding noise does not look like a trade-off.
    cleans = [100 * r.clean_accuracy for r in results]
    middle, half = (max(cleans) + min(cleans)) / 2, max(
        1.0, 0.6 * (max(cleans) - min(cleans)))
    axes.set_xlim(-2, 102)
    axes.set_ylim(middle - half, min(middle + half, 100.2))
    first = results[0]
    axes.set_xlabel("robust accuracy (%), worst case over the attacks")
    axes.set_ylabel("clean accuracy (%)")
    axes.set_title(title or f"{first.norm} eps = {first.epsilon:g}, "
                   f"{first.num_examples} test examples")
    axes.grid(alpha=0.3)
    # Outside the axes: any corner inside can hide a baseline point.
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
