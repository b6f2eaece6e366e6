"""Our evaluation attacks against the reference implementations, on the
same model and examples: time, throughput and the robust accuracy found."""

import dataclasses
import time

import keras
import numpy as np
import tensorflow as tf

from afd_keras import attacks
from afd_keras.attacks import art_attacks
from afd_keras.attacks.pgd import madry_step_size


@dataclasses.dataclass
class AttackTiming:
    """One implementation of one attack over the examples."""

    attack: str
    implementation: str
    seconds: float
    examples_per_second: float
    robust_accuracy: float
    speedup: float = float("nan")


def _robust(model, x_adv, y):
    return np.argmax(model.predict(x_adv, batch_size=500, verbose=0), -1) == y


def _over_batches(model, x, y, batch_size, attack):
    """Robust accuracy of `attack(x, y)` run batch by batch, and its time.

    Examples the model already misclassifies count as not robust, for every
    implementation alike; the clean pass is part of the time.
    """
    start = time.perf_counter()
    robust = []
    for i in range(0, len(x), batch_size):
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        robust.append(_robust(model, attack(xb, yb), yb) &
                      _robust(model, xb, yb))
    return time.perf_counter() - start, float(np.concatenate(robust).mean())


def _ours_against_reference(model, x, y, batch_size, attack, implementations,
                            warm_up_examples):
    """Times (ours, reference) as `AttackTiming`s, each after an untimed
    call on the first `warm_up_examples` (tracing); ours gets the speed-up."""
    timings = []
    for implementation, fn in implementations:
        fn(x[:warm_up_examples], y[:warm_up_examples])
        seconds, accuracy = _over_batches(model, x, y, batch_size, fn)
        timings.append(AttackTiming(attack, implementation, seconds,
                                    len(x) / seconds, accuracy))
    timings[0].speedup = timings[1].seconds / timings[0].seconds
    return timings


def _art_classifier(model, x):
    # pylint: disable-next=import-outside-toplevel
    from art.estimators.classification import TensorFlowV2Classifier
    return TensorFlowV2Classifier(
        model, nb_classes=int(model(x[:1], training=False).shape[-1]),
        input_shape=tuple(x.shape[1:]), clip_values=(0.0, 1.0),
        loss_object=keras.losses.SparseCategoricalCrossentropy(from_logits=True))


def _reference_apgd(model, x, epsilon, num_steps, batch_size):
    # pylint: disable-next=import-outside-toplevel
    from art.attacks.evasion import AutoProjectedGradientDescent
    art_apgd = AutoProjectedGradientDescent(
        _art_classifier(model, x), eps=epsilon, eps_step=2 * epsilon, max_iter=num_steps,
        nb_random_init=1, batch_size=batch_size, loss_type="cross_entropy",
        verbose=False)
    return lambda xb, yb: art_apgd.generate(xb, y=yb)


def measure_attack_throughput(model, x, y, epsilon, *, num_steps=20,
                              batch_size=500):
    """Times PGD against cleverhans and APGD against ART, batch by batch.

    Each attack runs once untimed on the first batch (tracing), then over
    all examples.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: images in [0, 1] (numpy).
        y: int labels (numpy).
        epsilon: the L-inf budget.
        num_steps: steps of both attacks (PGD step size 2.5 eps / steps, at
            most eps).
        batch_size: examples per attack call.

    Returns:
        A list of `AttackTiming`; `speedup` is the reference's time over
        ours.

    Example:

    >>> timings = measure_attack_throughput(model, x, y, 0.3)
    >>> print(format_attack_throughput(timings))
    """
    # pylint: disable-next=import-outside-toplevel
    from cleverhans.tf2.attacks.projected_gradient_descent import (
        projected_gradient_descent)
    # cleverhans requires step <= epsilon.
    step = min(madry_step_size(epsilon, num_steps), epsilon)
    pgd_ours = lambda xb, yb: attacks.pgd(  # noqa: E731
        model, xb, yb, epsilon=epsilon, num_steps=num_steps, step_size=step)
    pgd_theirs = lambda xb, yb: projected_gradient_descent(  # noqa: E731
        model, tf.constant(xb), epsilon, step, num_steps, np.inf,
        clip_min=0.0, clip_max=1.0, y=yb, rand_init=True,
        sanity_checks=False).numpy()
    apgd_ours = lambda xb, yb: attacks.apgd(  # noqa: E731
        model, xb, yb, epsilon=epsilon, num_steps=num_steps)
    pairs = {
        f"PGD-{num_steps}": (("afd_keras", pgd_ours), ("cleverhans", pgd_theirs)),
        f"APGD-CE-{num_steps}": (("afd_keras", apgd_ours),
                                 ("ART", _reference_apgd(model, x, epsilon,
                                                         num_steps, batch_size))),
    }
    timings = []
    for attack, implementations in pairs.items():
        timings += _ours_against_reference(model, x, y, batch_size, attack,
                                           implementations, batch_size)
    return timings


def measure_square(model, x, y, epsilon, *, max_queries=1000, batch_size=500):
    """Times our compiled L-inf Square against ART's on the same examples.

    Ours makes one forward pass per query on the examples not yet fooled;
    ART's predicts the whole batch, current and candidate images, at every
    query. Each runs once untimed on a few examples first (tracing).

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: images in [0, 1] (numpy).
        y: int labels (numpy).
        epsilon: the L-inf budget.
        max_queries: queries per example, both implementations.
        batch_size: examples per attack call.

    Returns:
        Two `AttackTiming`s, ours then ART's; `speedup` is ART's time over
        ours.

    Example:

    >>> print(format_attack_throughput(measure_square(model, x, y, 0.3)))
    """
    implementations = tuple(
        (implementation, lambda xb, yb, square=square: square(
            model, xb, yb, epsilon=epsilon, max_queries=max_queries))
        for implementation, square in (("afd_keras", attacks.square),
                                       ("ART", art_attacks.square)))
    # A 2-example warm-up: a full batch of Square would repeat the timed work.
    return _ours_against_reference(model, x, y, batch_size,
                                   f"Square-{max_queries}", implementations, 2)


def _reference_autoattack(model, x, epsilon, batch_size):
    """ART's AutoAttack with the closest suite ART has to the standard one:
    APGD-CE and APGD-DLR (100 steps, 1 restart), then Square-5000 (ART
    has no FAB, and its AutoAttack runs APGD-DLR untargeted)."""
    # pylint: disable-next=import-outside-toplevel
    from art.attacks.evasion import (AutoAttack, AutoProjectedGradientDescent,
                                     SquareAttack)
    classifier = _art_classifier(model, x)
    suite = [AutoProjectedGradientDescent(
        classifier, eps=epsilon, eps_step=2 * epsilon, max_iter=100,
        nb_random_init=1, batch_size=batch_size, loss_type=loss,
        verbose=False) for loss in ("cross_entropy", "difference_logits_ratio")]
    suite.append(SquareAttack(classifier, eps=epsilon, max_iter=5000,
                              p_init=0.8, nb_restarts=1, batch_size=batch_size,
                              verbose=False))
    art_autoattack = AutoAttack(classifier, eps=epsilon, eps_step=2 * epsilon,
                                attacks=suite, batch_size=batch_size)
    return lambda xb, yb: art_autoattack.generate(xb, y=yb)


def measure_suites(model, x, y, epsilon, *, batch_size=500):
    """Times our `autoattack` and `aa_lite` suites against ART's AutoAttack
    on the same model and examples.

    Each suite runs its attacks on the previous ones' survivors. Our
    suites run our compiled L-inf Square (`attacks.square`); ART's runs
    its own.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: images in [0, 1] (numpy).
        y: int labels (numpy).
        epsilon: the L-inf budget.
        batch_size: examples per call.

    Returns:
        A list of `AttackTiming`; `speedup` is ART's time over ours.

    Example:

    >>> print(format_attack_throughput(measure_suites(model, x, y, 8 / 255)))
    """
    # pylint: disable-next=import-outside-toplevel
    from afd_keras.evaluation import robustness

    def ours(suite):
        dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
        start = time.perf_counter()
        result = robustness.evaluate_robustness(
            model, dataset, epsilon, [suite], sanity_examples=0, verbose=0)
        seconds = time.perf_counter() - start
        return AttackTiming(suite, "afd_keras", seconds, len(x) / seconds,
                            result.robust_accuracy)

    art_autoattack = _reference_autoattack(model, x, epsilon, batch_size)
    art_seconds, art_accuracy = _over_batches(model, x, y, batch_size,
                                              art_autoattack)
    reference = AttackTiming("AutoAttack (APGD-CE, APGD-DLR, Square-5000)",
                             "ART", art_seconds, len(x) / art_seconds,
                             art_accuracy)
    timings = [ours("autoattack"), ours("aa_lite")]
    for timing in timings:
        timing.speedup = reference.seconds / timing.seconds
    return timings + [reference]


def format_attack_throughput(timings):
    """Formats the timings as a Markdown table."""
    lines = ["| attack | implementation | seconds | examples/s | "
             "robust accuracy | speed-up of ours |", "|---|---|---|---|---|---|"]
    for t in timings:
        speedup = "" if np.isnan(t.speedup) else f"{t.speedup:.2f}x"
        lines.append(f"| {t.attack} | {t.implementation} | {t.seconds:.1f} | "
                     f"{t.examples_per_second:.1f} | "
                     f"{100 * t.robust_accuracy:.2f}% | {speedup} |")
    return "\n".join(lines)


def measure_evaluation_scaling(model, x, y, epsilon, *, sizes=(250, 500, 1000),
                               num_steps=20, batch_size=500):
    """Time of our PGD evaluation against the number of examples.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: images in [0, 1] (numpy), at least max(sizes) of them.
        y: int labels (numpy).
        epsilon: the L-inf budget.
        num_steps: PGD steps (step 2.5 eps / steps).
        batch_size: examples per attack call.

    Returns:
        A list of (num_examples, seconds).

    Example:

    >>> measure_evaluation_scaling(model, x, y, 0.3, sizes=(100, 200))
    """
    attack = lambda xb, yb: attacks.pgd(  # noqa: E731
        model, xb, yb, epsilon=epsilon, num_steps=num_steps)
    attack(x[:batch_size], y[:batch_size])  # warm-up: tracing
    return [(n, _over_batches(model, x[:n], y[:n], batch_size, attack)[0])
            for n in sizes]
