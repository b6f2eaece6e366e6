"""The standard evaluation of a model to be published: its settings, the
results a zoo card records, and the saved pieces that let a killed
evaluation resume."""

import dataclasses
import json
import os

from afd_keras import data
from afd_keras.attacks.pgd import madry_step_size
from afd_keras.evaluation import robustness
from afd_keras.evaluation import suite
from afd_keras.evaluation import tradeoff
from afd_keras.training.settings import check_fields
from afd_keras.training.settings import setting
from afd_keras.utils import checksums


@dataclasses.dataclass(frozen=True)
class EvaluationSettings:
    """The standard evaluation of a published model.

    Each field's help text (also its `afd-publish` flag's) documents it.

    Example:

    >>> EvaluationSettings(pgd_examples=1000).pgd_spec(8 / 255)
    'pgd:num_steps=40,step_size=0.00196078'
    """

    epsilon: float | None = setting(
        None, "The threat model's L-inf budget that the card states and every "
        "attack uses (default: the run's training epsilon; a run trained at "
        "a larger budget is published at the one it defends).", minimum=0.0,
        maximum=1.0)
    pgd_steps: int = setting(
        40, "PGD steps K (step 2.5 eps / K, random start; Madry et al. 2018).",
        minimum=1, integer=True)
    pgd_examples: int | None = setting(
        None, "PGD on the first N test images (default: all).", minimum=1,
        integer=True)
    aa_lite_examples: int = setting(
        1000, "AA-lite (APGD-CE, APGD-DLR, Square) on the first N test "
        "images.", minimum=1, integer=True)
    autoattack_examples: int = setting(
        1000, "AutoAttack (standard version: APGD-CE, APGD-T, FAB-T, "
        "Square-5000) on the first N test images; 0 skips it.", minimum=0,
        integer=True)
    sweep_examples: int = setting(
        1000, "The condition sweep's test images (conditional models).",
        minimum=1, integer=True)
    conditions: tuple[float, ...] = setting(
        (0.0, 0.25, 0.5, 0.75, 1.0), "Dial values of the condition sweep.",
        minimum=0.0, maximum=1.0)
    sweep_attacks: tuple[str, ...] = setting(
        ("apgd_ce", "apgd_dlr"), "Attacks, each on every correctly "
        "classified image, whose worst case each sweep point records as its "
        "robust accuracy beside PGD's; empty skips them.",
        choices=tuple(suite.WHITE_BOX))
    chunk_examples: int = setting(
        200, "The suites and the sweep's attacks run in chunks of N test "
        "images, each saved as it finishes, so a killed evaluation loses at "
        "most one chunk.", minimum=1, integer=True)
    sanity_examples: int = setting(
        200, "Examples of the gradient-masking probe.", minimum=0,
        integer=True)

    def __post_init__(self):
        check_fields(self)

    def pgd_spec(self, epsilon):
        """The PGD attack spec at budget `epsilon`."""
        step = madry_step_size(epsilon, self.pgd_steps)
        return f"pgd:num_steps={self.pgd_steps},step_size={step:.6g}"


def weights_digest(model):
    """A sha256 of a model's weight values.

    Example:

    >>> weights_digest(model)
    """
    # Of the values, not of the file: the file also holds layer names, which
    # Keras numbers per process.
    return checksums.arrays_digest(model.get_weights())


class SavedEvaluation:
    """Evaluation pieces saved as they finish, for one set of weights.

    A piece is computed once per weights and settings; a killed evaluation
    resumes with the pieces it finished.

    Example:

    >>> saved = SavedEvaluation("run/publish/evaluation.json",
    ...                         weights_digest(model), allowed=True)
    >>> saved.get("pgd", {"num_examples": 1000}, lambda: evaluate(...))
    """

    def __init__(self, path, digest, allowed):
        self.path, self.digest, self.allowed = path, digest, allowed
        self.pieces = {}
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                saved = json.load(f)
            if saved.get("weights_digest") == digest:
                self.pieces = saved["pieces"]

    def lookup(self, piece, settings):
        """The saved result of `piece` under `settings`, or None."""
        saved = self.pieces.get(piece)
        if saved and saved["settings"] == settings:
            return saved["result"]
        return None

    def get(self, piece, settings, compute):
        """The saved result of `piece` under `settings`, else `compute()`."""
        result = self.lookup(piece, settings)
        if result is not None:
            return result
        if not self.allowed:
            raise ValueError(
                f"No saved evaluation ({piece}) of these weights with these "
                "settings, and evaluation is off; a model is never "
                "published without one. Publish without --noevaluate.")
        self.pieces[piece] = {"settings": settings, "result": compute()}
        incoming = self.path + ".incoming"
        with open(incoming, "w", encoding="utf-8") as f:
            json.dump({"weights_digest": self.digest, "pieces": self.pieces},
                      f, indent=2)
        os.replace(incoming, self.path)
        return self.pieces[piece]["result"]


def _test_split(dataset_name, load_kwargs):
    """A loader of the test examples [start, num_examples), and the split's
    name."""
    def test(num_examples=None, start=0, **kwargs):
        dataset = data.load(dataset_name, "test", batch_size=500,
                            num_examples=num_examples,
                            **{**load_kwargs, **kwargs})
        return dataset.unbatch().skip(start).batch(500) if start else dataset
    # Numbers on the embedded sample must never pass for the test split's.
    return test, "sample test" if load_kwargs["source"] == "sample" else "test"


def _evaluator(model, epsilon, verbose):
    def evaluate(dataset, attacks, sanity_examples=0):
        result = robustness.evaluate_robustness(
            model, dataset, epsilon, attacks,
            sanity_examples=sanity_examples, verbose=verbose)
        return {"clean": result.clean_accuracy,
                "robust": result.robust_accuracy,
                "num_examples": result.num_examples,
                "attacks": {spec: {**result.attack_settings[spec],
                                   "accuracy": result.attack_accuracy[spec]}
                            for spec in result.attack_accuracy},
                "sanity_checks_passed": not result.warnings,
                "seconds": round(result.seconds, 1)}
    return evaluate


def _merged(parts):
    """One evaluation result from those of consecutive chunks of examples."""
    total = sum(part["num_examples"] for part in parts)

    def mean(values):
        # Per-example accuracies, so the counts add up exactly.
        return sum(round(v * part["num_examples"])
                   for v, part in zip(values, parts)) / max(total, 1)

    return {
        "clean": mean([part["clean"] for part in parts]),
        "robust": mean([part["robust"] for part in parts]),
        "num_examples": total,
        "attacks": {spec: {**settings, "accuracy": mean(
            [part["attacks"][spec]["accuracy"] for part in parts])}
                    for spec, settings in parts[0]["attacks"].items()},
        "sanity_checks_passed": all(part["sanity_checks_passed"]
                                    for part in parts),
        "seconds": round(sum(part["seconds"] for part in parts), 1)}


def _in_chunks(saved, piece, settings, evaluate, test, num_examples,
               attacks, chunk_examples):
    """`evaluate` on the first `num_examples` test images, chunk by chunk.

    Each chunk is a saved piece of its own, named by its range, so a killed
    evaluation resumes at the first unfinished chunk. Examples are
    evaluated independently, so the merged counts are those of one piece
    (the random starts are seeded per chunk: randomised attacks agree with
    a one-piece run within their randomness, not bit for bit). A whole
    piece saved before chunking is used as it is.
    """
    whole = saved.lookup(piece, {**settings, "num_examples": num_examples})
    if whole:
        return whole
    parts, available = [], None
    for start in range(0, num_examples, chunk_examples):
        stop = min(start + chunk_examples, num_examples)
        if not saved.lookup(f"{piece}[{start}:{stop}]", settings):
            # A split shorter than asked (the embedded sample) ends early;
            # counting it reads the data, so only when a chunk is missing.
            if available is None:
                available = sum(int(labels.shape[0])
                                for _, labels in test(num_examples))
            if start >= available:
                break
            stop = min(stop, available)
        parts.append(saved.get(
            f"{piece}[{start}:{stop}]", settings,
            lambda start=start, stop=stop: evaluate(test(stop, start=start),
                                                    attacks)))
    return _merged(parts)


def _autoattack(saved, evaluate, test, split, epsilon, settings):
    """The card's `results.autoattack`, or None when it is skipped."""
    if not settings.autoattack_examples:
        return None
    result = _in_chunks(saved, "autoattack", {"split": split,
                                              "epsilon": epsilon},
                        evaluate, test, settings.autoattack_examples,
                        ["autoattack"], settings.chunk_examples)
    return {"accuracy": result["robust"], "split": split,
            "num_examples": result["num_examples"],
            "attacks": result["attacks"], "seconds": result["seconds"]}


def _condition_sweep(model, saved, evaluate, test, split, epsilon, pgd,
                     settings, verbose):
    """The card's `results.condition_sweep`: clean, PGD and the worst case
    of `settings.sweep_attacks` at each dial value."""
    points = saved.get(
        "condition_sweep", {"conditions": list(settings.conditions),
                            "attack": pgd, "split": split, "epsilon": epsilon,
                            "num_examples": settings.sweep_examples},
        lambda: [{"condition": c, "clean": r.clean_accuracy,
                  "pgd": r.robust_accuracy, "num_examples": r.num_examples}
                 for c, r in tradeoff.sweep_condition(
                     model, test(settings.sweep_examples), epsilon,
                     settings.conditions, [pgd], sanity_examples=0,
                     verbose=verbose).items()])
    if not settings.sweep_attacks:
        return points
    # Copies: the saved piece keeps PGD's points only.
    points = [dict(point) for point in points]
    original = float(model.condition.numpy())
    try:
        for point in points:
            model.set_condition(point["condition"])
            result = _in_chunks(
                saved, f"condition_sweep_robust[c={point['condition']:g}]",
                {"attacks": list(settings.sweep_attacks), "split": split,
                 "epsilon": epsilon}, evaluate, test, settings.sweep_examples,
                list(settings.sweep_attacks), settings.chunk_examples)
            point["robust"] = result["robust"]
            point["robust_attacks"] = list(settings.sweep_attacks)
    finally:
        model.set_condition(original)
    return points


def card_results(model, dataset, epsilon, settings, saved, *, conditional,
                 load_kwargs, verbose=1):
    """Runs (or reads from `saved`) the standard evaluation of a model.

    Args:
        model: the model as users load it.
        dataset: its dataset's name.
        epsilon: its L-inf budget.
        settings: an `EvaluationSettings`.
        saved: a `SavedEvaluation` of these weights.
        conditional: also sweep the condition dial.
        load_kwargs: `data_dir` and `source` for `data.load`.
        verbose: 1 shows progress bars.

    Returns:
        The card's `results`, a dict.

    Example:

    >>> card_results(model, "mnist", 0.3, EvaluationSettings(), saved,
    ...              conditional=False, load_kwargs={"source": "auto",
    ...                                              "data_dir": None})
    """
    pgd = settings.pgd_spec(epsilon)
    test, split = _test_split(dataset, load_kwargs)
    evaluate = _evaluator(model, epsilon, verbose)
    main = saved.get(
        "pgd", {"attack": pgd, "num_examples": settings.pgd_examples,
                "sanity_examples": settings.sanity_examples, "split": split,
                "epsilon": epsilon},
        lambda: evaluate(test(settings.pgd_examples), [pgd],
                         settings.sanity_examples))
    # PGD again on the AA-lite subset, so that a quick re-run on those
    # images has a number to match.
    subset = saved.get(
        "pgd_subset", {"attack": pgd, "num_examples": settings.aa_lite_examples,
                       "split": split, "epsilon": epsilon},
        lambda: evaluate(test(settings.aa_lite_examples), [pgd]))
    aa_lite = _in_chunks(saved, "aa_lite", {"split": split,
                                            "epsilon": epsilon},
                         evaluate, test, settings.aa_lite_examples,
                         ["aa_lite"], settings.chunk_examples)
    autoattack = _autoattack(saved, evaluate, test, split, epsilon, settings)
    sample = saved.get(
        "sample", {}, lambda: evaluate(test(source="sample", data_dir=None),
                                       []))
    sweep = (_condition_sweep(model, saved, evaluate, test, split, epsilon,
                              pgd, settings, verbose) if conditional else [])
    results = {
        "clean": {"accuracy": main["clean"], "split": split,
                  "num_examples": main["num_examples"]},
        "pgd": {"accuracy": main["robust"], "split": split,
                "num_examples": main["num_examples"],
                "attacks": main["attacks"],
                "sanity_checks_passed": main["sanity_checks_passed"],
                "seconds": main["seconds"],
                "subset": {"accuracy": subset["robust"],
                           "num_examples": subset["num_examples"]}},
        "aa_lite": {"accuracy": aa_lite["robust"], "split": split,
                    "num_examples": aa_lite["num_examples"],
                    "attacks": aa_lite["attacks"],
                    "seconds": aa_lite["seconds"]},
        "condition_sweep": sweep,
        "sample": {"accuracy": sample["clean"], "split": "sample test",
                   "num_examples": sample["num_examples"]},
    }
    if autoattack:
        results["autoattack"] = autoattack
    return results


def card_autoattack(model, dataset, epsilon, saved, *, settings,
                    load_kwargs, verbose=1):
    """Runs (or reads from `saved`) AutoAttack alone, for a card's
    `results.autoattack`; None when `settings.autoattack_examples` is 0.

    Example:

    >>> card_autoattack(model, "mnist", 0.3, saved,
    ...                 settings=EvaluationSettings(autoattack_examples=1000),
    ...                 load_kwargs={"source": "auto", "data_dir": None})
    """
    test, split = _test_split(dataset, load_kwargs)
    return _autoattack(saved, _evaluator(model, epsilon, verbose), test, split,
                       epsilon, settings)
