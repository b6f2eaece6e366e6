"""The cost of one training step per method, measured side by side."""

import dataclasses
import platform
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

from afd_keras import models
from afd_keras.training import AdversarialTrainer


@dataclasses.dataclass
class StepCost:
    """One method's measured step cost on one architecture."""

    architecture: str
    method: str
    conditional: bool
    seconds_per_step: float
    images_per_second: float
    ratio_to_standard: float = float("nan")
    ratio_to_fgsm_rs: float = float("nan")


def _synthetic_batches(input_shape, batch_size, num_classes, seed):
    rng = np.random.default_rng(seed)
    images = rng.random((batch_size,) + tuple(input_shape), dtype=np.float32)
    labels = rng.integers(0, num_classes, batch_size).astype(np.int32)
    return tf.data.Dataset.from_tensors((images, labels)).repeat()


def measure_step_costs(architecture, methods=("standard", "fgsm_rs", "afd"), *,
                       batch_size=128, num_steps=20, num_rounds=3,
                       conditional_afd=False, seed=0):
    """Times the training step of each method on the same architecture.

    Each method is compiled and warmed up first. Then the methods are timed
    in turns, `num_rounds` times, so that machine noise hits them alike. The
    reported time is the median round.

    Args:
        architecture: a name for `afd_keras.models.build` (default shapes).
        methods: the `AdversarialTrainer` methods to compare.
        batch_size: images per step.
        num_steps: steps per timed round.
        num_rounds: timed rounds per method.
        conditional_afd: give AFD a conditional classifier (the dial), to
            measure what ConditionalScaling costs.
        seed: seeds the weights and the synthetic data.

    Returns:
        A list of `StepCost`, one per method, with ratios filled in where
        `standard` and `fgsm_rs` were measured.

    Example:

    >>> costs = measure_step_costs("small_cnn", num_steps=5, num_rounds=1)
    >>> print(format_step_costs(costs))
    """
    keras.utils.set_random_seed(seed)
    trainers = {}
    for method in methods:
        conditional = conditional_afd and method == "afd"
        classifier = models.build(architecture, conditional=conditional)
        trainer = AdversarialTrainer(classifier, method=method, seed=seed)
        trainer.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9))
        network = classifier.network if conditional else classifier
        data = _synthetic_batches(network.inputs[0].shape[1:], batch_size,
                                  network.outputs[0].shape[-1], seed)
        trainer.fit(data, epochs=1, steps_per_epoch=2, shuffle=False,
                    verbose=0)  # compiles the step
        trainers[method] = (trainer, data, conditional)
    times = {method: [] for method in methods}
    for _ in range(num_rounds):
        for method, (trainer, data, _) in trainers.items():
            start = time.perf_counter()
            trainer.fit(data, epochs=1, steps_per_epoch=num_steps,
                        shuffle=False, verbose=0)
            times[method].append((time.perf_counter() - start) / num_steps)
    costs = {}
    for method, (_, _, conditional) in trainers.items():
        seconds = statistics.median(times[method])
        costs[method] = StepCost(architecture, method, conditional, seconds,
                                 batch_size / seconds)
    for cost in costs.values():
        if "standard" in costs:
            cost.ratio_to_standard = (cost.seconds_per_step /
                                      costs["standard"].seconds_per_step)
        if "fgsm_rs" in costs:
            cost.ratio_to_fgsm_rs = (cost.seconds_per_step /
                                     costs["fgsm_rs"].seconds_per_step)
    return list(costs.values())


def format_step_costs(costs):
    """Formats step costs as a Markdown table, with the machine it ran on."""
    lines = [
        f"Machine: {platform.processor() or platform.machine()}, "
        f"TF {tf.__version__}, Keras {keras.__version__}",
        "",
        "| architecture | method | conditional | ms/step | images/s | "
        "x standard | x fgsm_rs |",
        "|---|---|---|---|---|---|---|",
    ]
    for cost in costs:
        lines.append(
            f"| {cost.architecture} | {cost.method} | {cost.conditional} | "
            f"{1000 * cost.seconds_per_step:.1f} | {cost.images_per_second:.0f} | "
            f"{cost.ratio_to_standard:.2f} | {cost.ratio_to_fgsm_rs:.2f} |")
    return "\n".join(lines)
