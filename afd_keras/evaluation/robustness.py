"""Robust accuracy of a model over a dataset, under a list of attacks."""

import dataclasses
import json
import time

import keras
import numpy as np
import tensorflow as tf

from afd_keras import attacks as attacks_lib

_ATTACKS = {"fgsm": attacks_lib.fgsm, "pgd": attacks_lib.pgd}
_INT_SETTINGS = ("num_steps", "num_restarts", "seed")


def parse_attack(spec):
    """Parses "name" or "name:key=value,..." into (name, settings).

    Example: "pgd:num_steps=40,step_size=0.01,num_restarts=1".

    Raises:
        ValueError: an unknown attack or a malformed setting.
    """
    name, _, rest = spec.partition(":")
    if name not in _ATTACKS:
        raise ValueError(f"Unknown attack; expected one of {sorted(_ATTACKS)}. "
                         f"Received: attack={spec!r}")
    settings = {}
    for item in filter(None, rest.split(",")):
        key, equals, value = item.partition("=")
        if not equals:
            raise ValueError(f"Attack settings are key=value pairs. Received: "
                             f"{item!r} in {spec!r}")
        settings[key] = int(value) if key in _INT_SETTINGS else float(value)
    return name, settings


@dataclasses.dataclass
class RobustnessResult:
    """What an evaluation measured, with the settings that produced it."""

    epsilon: float
    norm: str
    num_examples: int
    clean_accuracy: float
    attack_accuracy: dict
    robust_accuracy: float
    attack_settings: dict
    seconds: float
    examples_per_second: float
    warnings: list

    def to_json(self, path):
        """Writes the result as JSON."""
        with open(path, "w", encoding="utf-8") as f:
            json.dump(dataclasses.asdict(self), f, indent=2)

    def to_markdown(self):
        """Returns the result as a Markdown table with its settings."""
        lines = [f"{self.num_examples} examples, {self.norm} eps = "
                 f"{self.epsilon:g}, {self.seconds:.0f} s "
                 f"({self.examples_per_second:.1f} examples/s)", "",
                 "| evaluation | accuracy | settings |", "|---|---|---|",
                 f"| clean | {100 * self.clean_accuracy:.2f}% | |"]
        for name, accuracy in self.attack_accuracy.items():
            settings = ", ".join(f"{k}={v}" for k, v in
                                 self.attack_settings[name].items())
            lines.append(f"| {name} | {100 * accuracy:.2f}% | {settings} |")
        lines.append(f"| worst case over attacks | "
                     f"{100 * self.robust_accuracy:.2f}% | |")
        lines += [f"\nWarning: {w}" for w in self.warnings]
        return "\n".join(lines)


def evaluate_robustness(model, dataset, epsilon, attacks=("fgsm", "pgd"), *,
                        norm="linf", num_examples=None, verbose=1):
    """Measures clean and robust accuracy over a dataset.

    Only examples the model classifies correctly are attacked; the others
    count as not robust anyway. An example is robust in the worst case only
    if it survives every attack.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        dataset: a `tf.data.Dataset` of (images, labels) batches.
        epsilon: the radius of the threat model.
        attacks: attack specs, see `parse_attack`.
        norm: "linf" or "l2".
        num_examples: evaluate the first `num_examples` examples only.
        verbose: 1 shows a progress bar with an ETA.

    Returns:
        A `RobustnessResult`.

    Example:

    >>> result = evaluate_robustness(model, test, 0.3,
    ...                              ["pgd:num_steps=40,step_size=0.01"])
    >>> print(result.to_markdown())
    """
    parsed = {spec: parse_attack(spec) for spec in attacks}
    if num_examples is not None:
        dataset = dataset.unbatch().take(num_examples).batch(500)
    # One cheap pass gives the progress bar its total (and so an ETA).
    total = int(dataset.reduce(0, lambda count, batch: count + tf.shape(batch[0])[0]))
    progress = keras.utils.Progbar(total, verbose=verbose, unit_name="example")
    start = time.time()
    clean, per_attack, seen = [], {spec: [] for spec in attacks}, 0
    for batch, (x, y) in enumerate(dataset):
        y = tf.cast(y, tf.int32)
        correct = tf.argmax(model(x, training=False), -1, output_type=tf.int32) == y
        clean.append(correct.numpy())
        index = tf.where(correct)[:, 0]
        for spec, (name, settings) in parsed.items():
            survived = np.zeros(len(y), bool)
            if len(index):
                x_adv = _ATTACKS[name](model, tf.gather(x, index),
                                       tf.gather(y, index), epsilon=epsilon,
                                       norm=norm, **_with_seed(name, settings, batch))
                still = tf.argmax(model(x_adv, training=False), -1,
                                  output_type=tf.int32) == tf.gather(y, index)
                survived[index.numpy()] = still.numpy()
            per_attack[spec].append(survived)
        seen += len(y)
        progress.update(seen)
    seconds = time.time() - start
    clean = np.concatenate(clean)
    per_attack = {spec: np.concatenate(v) for spec, v in per_attack.items()}
    worst = np.logical_and.reduce([clean] + list(per_attack.values()))
    attack_accuracy = {spec: float(v.mean()) for spec, v in per_attack.items()}
    return RobustnessResult(
        epsilon=float(epsilon), norm=norm, num_examples=len(clean),
        clean_accuracy=float(clean.mean()), attack_accuracy=attack_accuracy,
        robust_accuracy=float(worst.mean()),
        attack_settings={spec: {"attack": name, **settings}
                         for spec, (name, settings) in parsed.items()},
        seconds=seconds, examples_per_second=len(clean) / seconds,
        warnings=_sanity_warnings(parsed, attack_accuracy))


def _with_seed(name, settings, batch):
    if name != "pgd":
        return settings
    # A different, reproducible random start for every batch.
    return {**settings, "seed": settings.get("seed", 0) * 100003 + batch}


def _sanity_warnings(parsed, attack_accuracy):
    """Flags signs of gradient masking (Carlini et al. 2019)."""
    warnings = []
    fgsm = [a for s, a in attack_accuracy.items() if parsed[s][0] == "fgsm"]
    pgd = [a for s, a in attack_accuracy.items() if parsed[s][0] == "pgd"]
    if fgsm and pgd and min(pgd) > min(fgsm):
        warnings.append(
            f"PGD accuracy {min(pgd):.4f} exceeds FGSM accuracy {min(fgsm):.4f}: "
            "an iterative attack should be stronger; suspect gradient masking.")
    return warnings
