"""Robust accuracy of a model over a dataset, under a list of attacks."""

import copy
import dataclasses
import json
import os
import time

import keras
import numpy as np
import tensorflow as tf

from afd_keras.evaluation import pass_bound
from afd_keras.evaluation import sanity
from afd_keras.evaluation import suite
from afd_keras.models import accuracy
from afd_keras.utils import checksums


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
    sanity_checks: list
    warnings: list
    # Per attack: wall seconds, the images passed forward and backward, and
    # with `measure_pass_bound`, the time those passes alone take and its
    # ratio to the wall time. Empty in reports written before.
    attack_costs: dict = dataclasses.field(default_factory=dict)

    def to_json(self, path):
        """Writes the result as JSON."""
        with open(path, "w", encoding="utf-8") as f:
            json.dump(dataclasses.asdict(self), f, indent=2)

    @classmethod
    def from_json(cls, path):
        """Reads a result written by `to_json`."""
        with open(path, encoding="utf-8") as f:
            return cls(**json.load(f))

    def to_markdown(self):
        """Returns the result as a Markdown table with its settings."""
        lines = [f"{self.num_examples} examples, {self.norm} eps = "
                 f"{self.epsilon:g}, {self.seconds:.0f} s "
                 f"({self.examples_per_second:.1f} examples/s)", "",
                 "| evaluation | accuracy | settings |", "|---|---|---|",
                 f"| clean | {100 * self.clean_accuracy:.2f}% | |"]
        for name, value in self.attack_accuracy.items():
            settings = ", ".join(f"{k}={v}" for k, v in
                                 self.attack_settings[name].items())
            lines.append(f"| {name} | {100 * value:.2f}% | {settings} |")
        lines.append(f"| worst case over attacks | "
                     f"{100 * self.robust_accuracy:.2f}% | |")
        if any("bound_ratio" in c for c in self.attack_costs.values()):
            lines += ["", "Cost of each attack: images passed forward "
                      "(with a backward pass), and the pass bound, the time "
                      "those passes alone take at the attack's batch size "
                      "(ratio 1: no overhead):", "",
                      "| attack | seconds | forward passes | backward passes "
                      "| pass bound (s) | bound / seconds |",
                      "|---|---|---|---|---|---|"]
            lines += [f"| {name} | {c['seconds']:.1f} | {c['forward_passes']:,}"
                      f" | {c['backward_passes']:,} | {c['bound_seconds']:.1f}"
                      f" | {c['bound_ratio']:.2f} |"
                      for name, c in self.attack_costs.items()]
        if any("after" in s for s in self.attack_settings.values()):
            lines += ["", "An attack run `after` another attacked only the "
                      "examples the earlier attacks of its suite missed; its "
                      "accuracy is the one left after them all, as in "
                      "AutoAttack's log."]
        if self.sanity_checks:
            lines += ["", "Sanity checks against gradient masking "
                      "(Carlini et al. 2019):", "",
                      "| check | result | compared |", "|---|---|---|"]
            lines += [f"| {c['check']} | {'pass' if c['passed'] else 'FAIL'} "
                      f"| {c['detail']} |" for c in self.sanity_checks]
        lines += [f"\nWarning: {w}" for w in self.warnings]
        return "\n".join(lines)


def evaluate_robustness(model, dataset, epsilon, attacks=("fgsm", "pgd"), *,
                        norm="linf", num_examples=None, sanity_examples=200,
                        measure_pass_bound=False, progress_file=None,
                        verbose=1):
    """Measures clean and robust accuracy over a dataset.

    Only examples the model classifies correctly are attacked; the others
    count as not robust anyway. An example is robust in the worst case only
    if it survives every attack. The attacks of a suite run in turn on the
    survivors of the earlier ones (see `attacks`). The sanity checks
    against gradient masking (`sanity`) compare the attacks run here, and
    probe the first `sanity_examples` correctly classified examples with
    FGSM, PGD-20, PGD-40 with 2 restarts, and PGD at a budget that reaches
    every image.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        dataset: a `tf.data.Dataset` of (images, labels) batches.
        epsilon: the radius of the threat model.
        attacks: attack specs ("pgd:num_steps=40,step_size=0.01") or suite
            names ("aa_lite", "autoattack"); see `suite`. As in AutoAttack,
            each attack of a suite runs only on the examples the suite's
            earlier attacks did not fool, and its accuracy is the one left
            after them all (cumulative; its `attack_settings` entry names
            the attack it ran "after"). Attacks listed alone each run on
            every correctly classified example.
        norm: "linf" or "l2".
        num_examples: evaluate the first `num_examples` examples only.
        sanity_examples: how many examples the sanity probe attacks; 0
            skips the probe (the comparisons of `attacks` still run).
        measure_pass_bound: also time the model's passes at each attack's
            batch size, for each attack's ratio to its pass bound (see
            `pass_bound`). Every result counts each attack's seconds and
            passes.
        progress_file: an `.npz` where each batch's results are saved as it
            finishes; a killed evaluation given the same file resumes at its
            first unfinished batch (with the same weights, attacks, budget
            and batches; from the first batch that differs, it starts
            afresh). None saves nothing.
        verbose: 1 shows a progress bar with an ETA.

    Returns:
        A `RobustnessResult`; failed sanity checks are in its `warnings`.

    Example:

    >>> result = evaluate_robustness(model, test, 0.3,
    ...                              ["pgd:num_steps=40,step_size=0.01"])
    >>> print(result.to_markdown())
    """
    specs = suite.expand(attacks)
    parsed = {spec: suite.parse_attack(spec) for spec in specs}
    after = suite.run_after(attacks)
    if num_examples is not None:
        dataset = dataset.unbatch().take(num_examples).batch(500)
    # One cheap pass gives the progress bar its total (and so an ETA).
    total = int(dataset.reduce(0, lambda count, batch: count + tf.shape(batch[0])[0]))
    progress = keras.utils.Progbar(total, verbose=verbose, unit_name="example")
    start = time.time()
    clean, per_attack, seen = [], {spec: [] for spec in specs}, 0
    counter = pass_bound.counter_for(model)
    # The weights are hashed only when there is a file to match them with.
    progress_saved = _Progress(progress_file, progress_file and {
        "weights": checksums.arrays_digest(model.get_weights()),
        "attacks": specs, "epsilon": float(epsilon), "norm": norm})
    costs = {"passes": {spec: {"forward": 0, "backward": 0} for spec in specs},
             "attack_seconds": dict.fromkeys(specs, 0.0),
             "first_batch_size": {}, "seconds": 0.0}
    probe_x, probe_y = [], []
    for batch, (x, y) in enumerate(dataset):
        y = tf.cast(y, tf.int32)
        saved = progress_saved.batch(batch, y.numpy())
        if saved:
            # Finished before a kill: its results and the costs up to it,
            # with no attack run again.
            clean.append(saved["clean"])
            for j, spec in enumerate(specs):
                per_attack[spec].append(saved[f"attack{j}"])
            costs = saved["costs"]
            index = np.flatnonzero(saved["clean"])
            probe_x.append(tf.gather(x, index))
            probe_y.append(tf.gather(y, index))
            seen += len(y)
            progress.update(seen)
            start = time.time()
            continue
        passes, attack_seconds = costs["passes"], costs["attack_seconds"]
        first_batch_size = costs["first_batch_size"]
        correct = accuracy.correct_predictions(model, x, y)
        clean.append(correct)
        index = np.flatnonzero(correct)
        x_correct, y_correct = tf.gather(x, index), tf.gather(y, index)
        survivors = {}
        for spec, (name, settings) in parsed.items():
            # A suite's later attacks only see what the earlier ones missed.
            alive = (np.flatnonzero(survivors[after[spec]]) if spec in after
                     else index)
            survived = np.zeros(len(y), bool)
            if len(alive):
                first_batch_size.setdefault(spec, len(alive))
                attack_start = time.perf_counter()
                before = counter.counts()
                survived[alive] = _survives(
                    model, name, settings, tf.gather(x, alive),
                    tf.gather(y, alive), epsilon, norm, batch)
                attack_seconds[spec] += time.perf_counter() - attack_start
                for kind, count in counter.counts().items():
                    passes[spec][kind] += int(count - before[kind])
            survivors[spec] = survived
            per_attack[spec].append(survived)
        probe_x.append(x_correct)
        probe_y.append(y_correct)
        seen += len(y)
        costs["seconds"] += time.time() - start
        start = time.time()
        progress_saved.add(y.numpy(), correct, [survivors[s] for s in specs],
                           costs)
        progress.update(seen)
    clean = np.concatenate(clean)
    per_attack = {spec: np.concatenate(v) for spec, v in per_attack.items()}
    worst = np.logical_and.reduce([clean] + list(per_attack.values()))
    attack_accuracy = {spec: float(v.mean()) for spec, v in per_attack.items()}
    checks = sanity.ordering_checks(parsed, attack_accuracy, after=after)
    if sanity_examples:
        checks += _probe(model, tf.concat(probe_x, 0)[:sanity_examples],
                         tf.concat(probe_y, 0)[:sanity_examples], epsilon, norm)
    seconds = costs["seconds"] + time.time() - start
    first_batch_size = costs["first_batch_size"]
    costs = {spec: {"seconds": costs["attack_seconds"][spec],
                    **{f"{kind}_passes": n
                       for kind, n in costs["passes"][spec].items()}}
             for spec in specs}
    if measure_pass_bound:
        costs = _with_bounds(model, dataset, costs, first_batch_size)
    return RobustnessResult(
        epsilon=float(epsilon), norm=norm, num_examples=len(clean),
        clean_accuracy=float(clean.mean()), attack_accuracy=attack_accuracy,
        robust_accuracy=float(worst.mean()),
        attack_settings={spec: {"attack": name, **settings,
                                **({"after": after[spec]} if spec in after
                                   else {})}
                         for spec, (name, settings) in parsed.items()},
        seconds=seconds, examples_per_second=len(clean) / seconds,
        sanity_checks=checks,
        warnings=[f"sanity check failed, {c['check']}: {c['detail']}; "
                  "suspect gradient masking." for c in checks if not c["passed"]],
        attack_costs=costs)


class _Progress:
    """An evaluation's finished batches, saved to an `.npz` as they finish.

    The file holds each batch's labels, clean correctness, survivors per
    attack and the costs up to it. It is read only if its key (weights,
    attacks, budget) matches; a batch whose labels differ (other examples,
    batch size or split) and every batch after it are evaluated afresh.
    """

    def __init__(self, path, key):
        self.path, self.key = path, json.dumps(key, sort_keys=True)
        self.batches = []
        if path and os.path.isfile(path):
            with np.load(path, allow_pickle=False) as saved:
                state = json.loads(str(saved["state"]))
                if state["key"] == self.key:
                    self.batches = [
                        {**{name: saved[f"{i}/{name}"]
                            for name in state["arrays"]},
                         "costs": costs}
                        for i, costs in enumerate(state["costs"])]

    def batch(self, i, labels):
        """The saved results of batch `i`, or None (and every later batch
        forgotten) if it was not saved or was saved for other labels."""
        if i < len(self.batches) and np.array_equal(
                self.batches[i]["labels"], labels):
            # A copy: the evaluation adds to the costs it resumes from.
            return {**self.batches[i],
                    "costs": copy.deepcopy(self.batches[i]["costs"])}
        del self.batches[i:]
        return None

    def add(self, labels, clean, survivors, costs):
        """Saves one more finished batch, atomically."""
        if not self.path:
            return
        arrays = {"labels": labels, "clean": clean,
                  **{f"attack{j}": s for j, s in enumerate(survivors)}}
        self.batches.append({**arrays, "costs": copy.deepcopy(costs)})
        state = {"key": self.key, "arrays": list(arrays),
                 "costs": [batch["costs"] for batch in self.batches]}
        incoming = self.path + ".incoming.npz"
        np.savez(incoming, state=np.array(json.dumps(state)),
                 **{f"{i}/{name}": batch[name]
                    for i, batch in enumerate(self.batches) for name in arrays})
        os.replace(incoming, self.path)


def _survives(model, name, settings, x, y, epsilon, norm, batch):
    """Where the model still classifies `name`'s adversarial examples right.

    The attack sees the model's one pass counter, always the same object,
    so each attack's graph is traced once per setting.
    """
    x_adv = suite.run(name, settings, pass_bound.counter_for(model), x, y,
                      epsilon=epsilon, norm=norm, batch_index=batch)
    return accuracy.correct_predictions(model, x_adv, y)


def _with_bounds(model, dataset, costs, first_batch_size):
    """Adds each attack's pass bound, timed at its first batch's size."""
    images = next(iter(dataset))[0]
    per_image = {size: pass_bound.pass_seconds(model, images[:size])
                 for size in set(first_batch_size.values())}
    return {spec: (pass_bound.attack_cost(
        cost["seconds"], {"forward": cost["forward_passes"],
                          "backward": cost["backward_passes"]},
        per_image[first_batch_size[spec]]) if spec in first_batch_size
        else cost) for spec, cost in costs.items()}


def _probe(model, x, y, epsilon, norm):
    """Runs the sanity probe's attacks on correctly classified examples."""
    if not len(y):
        return []
    probes = sanity.probe_attacks(epsilon, norm, x.shape[1:])
    accuracy = {label: float(_survives(model, name, settings, x, y, budget,
                                       norm, 0).mean())
                for label, (name, settings, budget) in probes.items()}
    return sanity.probe_checks(probes, accuracy)
