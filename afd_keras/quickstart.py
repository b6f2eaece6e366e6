"""The quick-start job: a published robust model, evaluated offline.

Loads a zoo model (verified weights), evaluates its clean and PGD accuracy
on the test images embedded in the package, sweeps its condition dial, and
compares it with the zoo's fgsm_rs model of the same dataset.
"""

import os
import time

from afd_keras import data
from afd_keras import zoo
from afd_keras.attacks.pgd import madry_step_size
from afd_keras.evaluation import report

DEFAULT_MODEL = "small_cnn_mnist_afd_linf0.3"
DEFAULT_BASELINE = "small_cnn_mnist_fgsm_rs_linf0.3"


def run(model_name=DEFAULT_MODEL, *, baseline_name=DEFAULT_BASELINE,
        conditions=(0.0, 0.5, 1.0), num_steps=20, num_examples=1000,
        output_dir="quickstart", verbose=1):
    """Evaluates a zoo model on the embedded test images and sweeps its dial.

    PGD runs with `num_steps` steps of 2.5 eps / `num_steps` and a random
    start, at the card's eps. The embedded images are the first 1,000 of
    the official test split.

    Args:
        model_name: a conditional zoo model.
        baseline_name: a zoo model drawn as a point next to the sweep, or
            None.
        conditions: the dial values to sweep.
        num_steps: PGD steps.
        num_examples: how many embedded test images to use (at most 1,000).
        output_dir: where the reports and `tradeoff.png` go.
        verbose: 1 shows progress bars.

    Returns:
        A dict with `markdown` (the tables), `card` (the model's card),
        `plot` (the PNG's path) and `seconds`.

    Example:

    >>> result = run(conditions=(0.0, 1.0), num_examples=200)
    >>> print(result["markdown"])
    """
    start = time.time()
    card = zoo.get_info(model_name)
    if card["model"]["condition"] is None:
        raise ValueError(f"The quick start sweeps a condition dial; "
                         f"{model_name!r} has none. Expected a conditional zoo "
                         f"model. Received: model_name={model_name!r}")
    if baseline_name and (zoo.get_info(baseline_name)["dataset"] !=
                          card["dataset"]):
        raise ValueError(f"The baseline must be a {card['dataset']} model. "
                         f"Received: baseline_name={baseline_name!r}")
    epsilon = card["threat_model"]["epsilon"]
    attack = (f"pgd:num_steps={num_steps},"
              f"step_size={madry_step_size(epsilon, num_steps):.6g}")
    test = data.load(card["dataset"], "test", batch_size=500,
                     source="sample", num_examples=num_examples)
    baselines = {}
    if baseline_name:
        baseline_dir = os.path.join(output_dir, baseline_name)
        report.write_reports(zoo.load(baseline_name), test, epsilon, [attack],
                             baseline_dir, sanity_examples=0, verbose=verbose)
        baselines[baseline_name] = baseline_dir
    model = zoo.load(model_name)
    markdown = report.write_reports(
        model, test, epsilon, [attack], output_dir, conditions=conditions,
        baselines=baselines, sanity_examples=100, verbose=verbose)
    return {"markdown": markdown, "card": card,
            "plot": os.path.join(output_dir, "tradeoff.png"),
            "seconds": time.time() - start}
