"""The cost of one training step per method, measured side by side."""

import dataclasses
import time

import keras
import numpy as np
import tensorflow as tf

from afd_keras import models
from afd_keras.benchmarks import flops
from afd_keras.models import ConditionalClassifier
from afd_keras.training import AdversarialTrainer
from afd_keras.training import recipes
from afd_keras.training import run


@dataclasses.dataclass
class StepCost:
    """One method's measured step cost on one architecture."""

    architecture: str
    method: str
    conditional: bool
    batch_size: int
    seconds_per_step: float
    images_per_second: float
    gflops_per_second: float
    ratio_to_standard: float = float("nan")
    ratio_to_fgsm_rs: float = float("nan")


def _synthetic_batches(input_shape, batch_size, num_classes, seed):
    rng = np.random.default_rng(seed)
    images = rng.random((batch_size,) + tuple(input_shape), dtype=np.float32)
    labels = rng.integers(0, num_classes, batch_size).astype(np.int32)
    return tf.data.Dataset.from_tensors((images, labels)).repeat()


def _warmed_up(classifier, batch_size, seed, optimizer=None,
               **trainer_kwargs):
    """A trainer that has compiled and taken its first steps, and its data.

    `optimizer` defaults to plain SGD with momentum (the method benchmarks
    compare steps, not optimizers).
    """
    trainer = AdversarialTrainer(classifier, seed=seed, **trainer_kwargs)
    trainer.compile(optimizer=optimizer or keras.optimizers.SGD(
        0.01, momentum=0.9))
    data = _synthetic_batches(_network(classifier).inputs[0].shape[1:],
                              batch_size,
                              _network(classifier).outputs[0].shape[-1], seed)
    trainer.fit(data, epochs=1, steps_per_epoch=2, shuffle=False,
                verbose=0)  # compiles the step
    return trainer, data


def _network(classifier):
    """The Keras network inside a classifier; a conditional classifier's
    takes the condition as its second input."""
    return (classifier.network if isinstance(classifier, ConditionalClassifier)
            else classifier)


def _compiled_trainer(architecture, method, batch_size, conditional, seed,
                      **trainer_kwargs):
    """A compiled, warmed-up trainer, its data and its FLOPs per step."""
    keras.utils.set_random_seed(seed)
    classifier = models.build(architecture, conditional=conditional)
    trainer, data = _warmed_up(classifier, batch_size, seed, method=method,
                               **trainer_kwargs)
    ratio = flops.step_flops_ratio(method, trainer.num_steps)
    return trainer, data, (ratio * flops.forward_flops(_network(classifier))
                           * batch_size)


class _StepTimer(keras.callbacks.Callback):
    """Records the wall time of every training step of a `fit` call."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_train_batch_begin(self, batch, logs=None):
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def fastest_step_seconds(timed, num_steps, num_rounds):
    """Times each (trainer, data) in turns; the fastest round counts.

    Turns spread slow spells of the machine over all entries alike, and
    noise only ever slows a round, so the fastest round is the closest to
    the true cost. The first step of every `fit` call is not timed: after
    another model ran, it pays for setting the model up again (up to 65%
    more on resnet9), which a training run pays once, not every step.

    Args:
        timed: {key: (compiled trainer, dataset)}; each dataset must yield at
            least `num_steps + 1` batches.
        num_steps: timed steps per round.
        num_rounds: rounds; the fastest counts.

    Returns:
        {key: seconds per step}.

    Example:

    >>> seconds = fastest_step_seconds({"fgsm_rs": (trainer, dataset)}, 5, 3)
    """
    seconds = {key: float("inf") for key in timed}
    for _ in range(num_rounds):
        for key, (trainer, data) in timed.items():
            timer = _StepTimer()
            trainer.fit(data, epochs=1, steps_per_epoch=num_steps + 1,
                        shuffle=False, verbose=0, callbacks=[timer])
            seconds[key] = min(seconds[key],
                               sum(timer.seconds[1:]) / num_steps)
    return seconds


def measure_step_costs(architecture, methods=("standard", "fgsm_rs", "afd"), *,
                       batch_size=128, num_steps=20, num_rounds=3,
                       conditional_methods=(), seed=0):
    """Times the training step of each method on the same architecture.

    Each method is compiled and warmed up first, then the methods are timed
    in turns, `num_rounds` times; each method's fastest round counts.

    Args:
        architecture: a name for `afd_keras.models.build` (default shapes).
        methods: the `AdversarialTrainer` methods to compare.
        batch_size: images per step.
        num_steps: steps per timed round.
        num_rounds: timed rounds per method.
        conditional_methods: methods also timed with a conditional
            classifier (ConditionalScaling, the dial), as extra rows.
        seed: seeds the weights and the synthetic data.

    Returns:
        A list of `StepCost`, one per (method, conditional), with ratios to
        the plain `standard` and `fgsm_rs` rows where those were measured.

    Example:

    >>> costs = measure_step_costs("small_cnn", num_steps=5, num_rounds=1,
    ...                            conditional_methods=("afd",))
    >>> print(format_step_costs(costs))
    """
    keys = [(m, False) for m in methods] + [(m, True) for m in
                                            conditional_methods]
    built = {key: _compiled_trainer(architecture, key[0], batch_size, key[1],
                                    seed) for key in keys}
    seconds = fastest_step_seconds({k: b[:2] for k, b in built.items()},
                                   num_steps, num_rounds)
    costs = {key: StepCost(
        architecture, key[0], key[1], batch_size, seconds[key],
        batch_size / seconds[key], built[key][2] / seconds[key] / 1e9)
        for key in keys}
    for cost in costs.values():
        if ("standard", False) in costs:
            cost.ratio_to_standard = (
                cost.seconds_per_step /
                costs[("standard", False)].seconds_per_step)
        if ("fgsm_rs", False) in costs:
            cost.ratio_to_fgsm_rs = (
                cost.seconds_per_step /
                costs[("fgsm_rs", False)].seconds_per_step)
    return list(costs.values())


@dataclasses.dataclass
class RecipeCost:
    """One training recipe's measured step cost."""

    recipe: str
    architecture: str
    precision: str
    batch_size: int
    seconds_per_step: float
    images_per_second: float
    ratio_to_first: float = float("nan")


def measure_recipe_costs(recipe_ids, *, num_steps=20, num_rounds=3, seed=0):
    """Times the training step of training recipes, side by side.

    Each recipe's step is built from its settings as `afd-train --recipe`
    builds it: its network and architecture arguments, its trainer
    settings (method, objective, shares, budget), its optimizer and its
    precision, at its batch size, on synthetic data (no metrics). This is
    what a method costs in the zoo, where `measure_step_costs` compares
    bare methods on one network.

    Args:
        recipe_ids: recipe ids (NAME or NAME@VERSION); the first is the
            reference of the ratios, e.g. fgsm_rs's.
        num_steps: timed steps per round.
        num_rounds: timed rounds per recipe; the fastest counts.
        seed: seeds the weights and the synthetic data.

    Returns:
        A list of `RecipeCost`, in the order given.

    Raises:
        ValueError: an unknown recipe.

    Example:

    >>> costs = measure_recipe_costs(["cifar10_fgsm_rs", "cifar10_afd"])
    >>> print(format_recipe_costs(costs))
    """
    configs = [recipes.train_config(recipe_id) for recipe_id in recipe_ids]
    built = {}
    previous_policy = keras.mixed_precision.global_policy()
    try:
        for config in configs:
            # A layer keeps the policy it was built under.
            keras.mixed_precision.set_global_policy(config.precision)
            keras.utils.set_random_seed(seed)
            classifier = models.build(config.architecture,
                                      **config.classifier_arguments())
            # The benchmark's seed, not the recipe's, seeds the trainer;
            # the schedule's length only shapes the learning rate.
            built[config.recipe] = _warmed_up(
                classifier, config.batch_size, seed,
                optimizer=run.build_optimizer(config, total_steps=1000),
                **{name: value for name, value in dataclasses.asdict(
                    config.trainer_settings()).items() if name != "seed"})
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
    seconds = fastest_step_seconds(built, num_steps, num_rounds)
    costs = [RecipeCost(config.recipe, config.architecture, config.precision,
                        config.batch_size, seconds[config.recipe],
                        config.batch_size / seconds[config.recipe])
             for config in configs]
    for cost in costs:
        cost.ratio_to_first = cost.seconds_per_step / costs[0].seconds_per_step
    return costs


def format_recipe_costs(costs):
    """Formats recipe costs as a Markdown table.

    Args:
        costs: `RecipeCost`s, the reference of the ratios first.

    Returns:
        The table, as a string.

    Example:

    >>> print(format_recipe_costs(measure_recipe_costs(["mnist_fgsm_rs"])))
    """
    lines = ["| recipe | architecture | precision | batch | ms/step | "
             f"images/s | x {costs[0].recipe} |",
             "|---|---|---|---|---|---|---|"]
    for cost in costs:
        lines.append(
            f"| {cost.recipe} | {cost.architecture} | {cost.precision} | "
            f"{cost.batch_size} | {1000 * cost.seconds_per_step:.1f} | "
            f"{cost.images_per_second:.0f} | {cost.ratio_to_first:.2f} |")
    return "\n".join(lines)


def measure_scaling(architecture, *, batch_sizes=(32, 64, 128, 256, 512),
                    attack_steps=(1, 2, 5, 10), batch_size=128, num_steps=5,
                    num_rounds=2, seed=0):
    """Step time against the batch size (AFD) and the attack steps K (PGD).

    Args:
        architecture: a name for `afd_keras.models.build`.
        batch_sizes: batch sizes of the AFD step.
        attack_steps: the K of a K-step PGD step, at `batch_size`.
        batch_size: the batch of the K sweep.
        num_steps: steps per timed round.
        num_rounds: timed rounds per point.
        seed: seeds the weights and the data.

    Returns:
        A list of (kind, value, seconds_per_step, images_per_second), kind
        "batch_size" or "attack_steps".

    Example:

    >>> points = measure_scaling("small_cnn", batch_sizes=(32, 64))
    """
    timed = {("batch_size", b): _compiled_trainer(
        architecture, "afd", b, False, seed)[:2] for b in batch_sizes}
    timed.update({("attack_steps", k): _compiled_trainer(
        architecture, "pgd", batch_size, False, seed, num_steps=k)[:2]
                  for k in attack_steps})
    seconds = fastest_step_seconds(timed, num_steps, num_rounds)
    return [(kind, value, seconds[(kind, value)],
             (value if kind == "batch_size" else batch_size)
             / seconds[(kind, value)]) for kind, value in timed]


def format_step_costs(costs, peak_gflops=None):
    """Formats step costs as a Markdown table.

    Args:
        costs: `StepCost`s.
        peak_gflops: the machine's matmul peak; adds a "% of peak" column.

    Returns:
        The table, as a string.
    """
    peak_header = " % of peak |" if peak_gflops else ""
    lines = [
        "| architecture | method | conditional | batch | ms/step | images/s | "
        f"GFLOP/s |{peak_header} x standard | x fgsm_rs |",
        "|---|---|---|---|---|---|---|" + ("---|" if peak_gflops else "")
        + "---|---|",
    ]
    for cost in costs:
        share = (f" {100 * cost.gflops_per_second / peak_gflops:.0f}% |"
                 if peak_gflops else "")
        lines.append(
            f"| {cost.architecture} | {cost.method} | {cost.conditional} | "
            f"{cost.batch_size} | {1000 * cost.seconds_per_step:.1f} | "
            f"{cost.images_per_second:.0f} | {cost.gflops_per_second:.1f} |"
            f"{share} {cost.ratio_to_standard:.2f} | "
            f"{cost.ratio_to_fgsm_rs:.2f} |")
    return "\n".join(lines)
