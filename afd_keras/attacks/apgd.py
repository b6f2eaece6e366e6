"""Auto-PGD (Croce & Hein 2020): PGD with momentum and its own step sizes."""

import tensorflow as tf

from afd_keras.attacks import losses
from afd_keras.attacks import loop
from afd_keras.attacks import norms
from afd_keras.attacks import validation

_ZERO = norms.ZERO_GRADIENTS

_MOMENTUM = 0.75
# A checkpoint halves the step size if the loss rose in at most this
# fraction of the steps since the previous checkpoint.
_RHO = 0.75


def apgd(model, x, y=None, *, epsilon, num_steps=100, loss="ce", norm="linf",
         num_restarts=1, targeted=False, seed=0):
    """Runs Auto-PGD on one batch, as one compiled graph call.

    APGD needs no step size: it starts at 2 * epsilon, and at checkpoints
    (after 22% of the steps, then at shrinking intervals of at least 6%) it
    halves an example's step size and restarts it from its best point when
    the loss stopped rising. The steps use momentum 0.75. Each restart starts
    at a uniform point of the ball. An example keeps the first iterate that
    fools the model; the others end at their highest-loss point.

    Reference:
        Croce & Hein, "Reliable evaluation of adversarial robustness with an
        ensemble of diverse parameter-free attacks", ICML 2020.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: a batch of NHWC images in [0, 1].
        y: int labels of shape (batch,); None uses the model's predictions.
            With `targeted=True`, the target classes.
        epsilon: the radius of the threat model's ball.
        num_steps: steps per restart.
        loss: "ce" (cross-entropy) or "dlr" (Difference of Logits Ratio,
            untargeted only; needs at least 3 classes).
        norm: "linf" or "l2".
        num_restarts: the number of random restarts.
        targeted: move towards `y` (with the cross-entropy).
        seed: seeds the random starts.

    Returns:
        Adversarial images, float32, with ||x_adv - x|| <= epsilon in `norm`
        and values in [0, 1].

    Raises:
        ValueError: a bad setting, images outside [0, 1], or labels that do
            not match the batch.

    Example:

    >>> x_adv = apgd(model, images, labels, epsilon=8 / 255, loss="dlr")
    """
    if loss not in losses.LOSSES:
        raise ValueError(f"Unknown APGD loss; expected one of {losses.LOSSES}. "
                         f"Received: loss={loss!r}")
    if targeted and loss != "ce":
        raise ValueError("Targeted APGD uses the cross-entropy. Received: "
                         f"loss={loss!r}, targeted=True")
    x, y = validation.check_attack_inputs(model, x, y, epsilon, norm, num_steps,
                                          num_restarts=num_restarts)
    windows = tf.constant(checkpoint_windows(num_steps))
    return _apgd_graph(model, x, {"y": y}, tf.constant(epsilon, tf.float32),
                       windows, num_restarts, tf.constant([seed, 0]), loss,
                       norm, targeted)[0]


def apgd_t(model, x, y=None, *, epsilon, num_steps=100, num_target_classes=9,
           norm="linf", num_restarts=1, seed=0):
    """Runs targeted Auto-PGD on the targeted DLR loss against the top classes.

    APGD-T of AutoAttack: for each of the `num_target_classes` classes with
    the highest clean logits other than the true one, in turn, it runs APGD
    (as `apgd`: same step sizes, checkpoints and momentum) on the targeted
    DLR loss, which pulls that class's logit above the true one. Each target
    attacks only the examples that no earlier target fooled, and an example
    counts as fooled once it is misclassified, as whatever class. Examples
    the model already misclassifies are returned unchanged.

    Reference:
        Croce & Hein, "Reliable evaluation of adversarial robustness with an
        ensemble of diverse parameter-free attacks", ICML 2020.

    Args:
        model: a Keras model mapping [0, 1] images to logits, with at least
            4 classes.
        x: a batch of NHWC images in [0, 1].
        y: int labels of shape (batch,); None uses the model's predictions.
        epsilon: the radius of the threat model's ball.
        num_steps: steps per target class and restart.
        num_target_classes: how many target classes to try, from the one
            with the highest clean logit down; at most num_classes - 1.
        norm: "linf" or "l2".
        num_restarts: random restarts per target class.
        seed: seeds the random starts.

    Returns:
        Adversarial images, float32, with ||x_adv - x|| <= epsilon in `norm`
        and values in [0, 1].

    Raises:
        ValueError: a bad setting, a model with fewer than 4 classes, images
            outside [0, 1], or labels that do not match the batch.

    Example:

    >>> x_adv = apgd_t(model, images, labels, epsilon=8 / 255)
    """
    x, y = validation.check_attack_inputs(model, x, y, epsilon, norm, num_steps,
                                          num_restarts=num_restarts)
    if not (isinstance(num_target_classes, int) and num_target_classes >= 1):
        raise ValueError("num_target_classes must be an integer >= 1. "
                         f"Received: num_target_classes={num_target_classes!r}")
    logits = model(x, training=False)
    num_classes = logits.shape[-1]
    if num_classes < 4:
        raise ValueError("The targeted DLR loss needs at least 4 classes. "
                         f"Received: a model with {num_classes} classes")
    if num_target_classes >= num_classes:
        raise ValueError(
            f"num_target_classes must be at most {num_classes - 1}, the "
            "model's classes other than the true one. Received: "
            f"num_target_classes={num_target_classes}")
    # The true class is never a target; the rest go by their clean logits.
    others = tf.where(tf.one_hot(y, num_classes) > 0, tf.float32.min,
                      tf.cast(logits, tf.float32))
    targets = tf.math.top_k(others, k=num_target_classes).indices
    windows = tf.constant(checkpoint_windows(num_steps))
    epsilon = tf.constant(epsilon, tf.float32)
    x_adv = x
    fooled = tf.not_equal(tf.argmax(logits, -1, output_type=tf.int32), y)
    for target in range(num_target_classes):
        remaining = tf.where(tf.logical_not(fooled))[:, 0]
        if int(tf.size(remaining)) == 0:
            break
        found, hit = _apgd_graph(
            model, tf.gather(x, remaining),
            {"y": tf.gather(y, remaining),
             "target": tf.gather(targets[:, target], remaining)},
            epsilon, windows, num_restarts, tf.constant([seed, 1 + target]),
            "dlr_targeted", norm, False)
        x_adv = tf.tensor_scatter_nd_update(x_adv, remaining[:, None], found)
        fooled = tf.tensor_scatter_nd_update(fooled, remaining[:, None], hit)
    return x_adv


def checkpoint_windows(num_steps):
    """Returns, per step, the length of the window a checkpoint closes.

    0 means no checkpoint at that step. The first window is 22% of the
    steps; each is 3% shorter than the one before, down to 6%.
    """
    windows = [0] * num_steps
    window = max(int(0.22 * num_steps), 1)
    shrink = max(int(0.03 * num_steps), 1)
    shortest = max(int(0.06 * num_steps), 1)
    step = window - 1
    while step < num_steps:
        windows[step] = window
        window = max(window - shrink, shortest)
        step += window
    return windows


@loop.compiled_per_model
def _apgd_graph(model, x, labels, epsilon, windows, num_restarts, seed,
                loss_name, norm, targeted):
    """APGD on one batch; returns (x_adv, fooled).

    `labels` holds "y" (labels, or the targets when `targeted`) and, for
    the loss "dlr_targeted", "target": the class each example is pulled to
    while success still means any misclassification.
    """
    if loss_name == "dlr_targeted":
        def loss_fn(s, logits):
            return losses.dlr_targeted(s["y"], s["target"], logits)
    else:
        sign, base = -1.0 if targeted else 1.0, losses.by_name(loss_name)

        def loss_fn(s, logits):
            return sign * base(s["y"], logits)

    def evaluate(images, s):
        with tf.GradientTape() as tape:
            tape.watch(images)
            logits = model(images, training=False)
            loss = loss_fn(s, logits)
            total = tf.reduce_sum(loss)
        return loss, logits, tape.gradient(total, images,
                                             unconnected_gradients=_ZERO)

    def move(state, direction):
        return state["x"] + norms.project(
            state["x"], state["x_adv"] - state["x"] + direction, epsilon, norm)

    def step(s, i):
        momentum = tf.where(i > 0, _MOMENTUM, 1.0)
        z = move(s, norms.steepest_ascent(s["grad"], s["step_size"], norm))
        x_new = move(s, momentum * (z - s["x_adv"])
                     + (1.0 - momentum) * (s["x_adv"] - s["x_prev"]))
        loss, logits, grad = evaluate(x_new, s)
        improved = loss > s["loss_best"]
        new = {
            **s, "x_prev": s["x_adv"], "x_adv": x_new, "grad": grad,
            "loss": loss,
            "increases": s["increases"] + tf.cast(loss > s["loss"], tf.int32),
            "x_best": _where(improved, x_new, s["x_best"]),
            "grad_best": _where(improved, grad, s["grad_best"]),
            "loss_best": tf.maximum(loss, s["loss_best"]),
        }
        return tf.cond(windows[i] > 0, lambda: _checkpoint(new, windows[i]),
                       lambda: new), x_new, logits

    def attack_once(x, labels, restart):
        start = x + norms.random_start(
            x, epsilon, norm,
            tf.random.experimental.stateless_fold_in(seed, restart))
        loss, logits, grad = evaluate(start, labels)
        batch = tf.shape(loss)
        state = {
            **labels, "x": x, "x_adv": start, "x_prev": start, "grad": grad,
            "loss": loss, "x_best": start, "grad_best": grad,
            "loss_best": loss, "loss_best_last_check": loss,
            "step_size": tf.fill([batch[0], 1, 1, 1], 2.0 * epsilon),
            "increases": tf.zeros(batch, tf.int32),
            "reduced_last_check": tf.zeros(batch, tf.bool),
        }
        # The start may already fool the model; only the rest step on.
        fooled = loop.success(logits, labels["y"], targeted)
        left = tf.where(tf.logical_not(fooled))[:, 0]
        found, hit = loop.run_until_fooled(
            step, {key: tf.gather(value, left) for key, value in state.items()},
            tf.size(windows), targeted, answer="x_best")
        return (tf.tensor_scatter_nd_update(start, left[:, None], found),
                tf.tensor_scatter_nd_update(fooled, left[:, None], hit))

    return loop.over_restarts(x, labels, num_restarts, attack_once)


def _where(mask, a, b):
    return tf.where(tf.reshape(mask, [-1] + [1] * (len(a.shape) - 1)), a, b)


def _checkpoint(s, window):
    """Halves the step size where the loss stalled; those restart at x_best."""
    oscillating = tf.cast(s["increases"], tf.float32) <= _RHO * tf.cast(
        window, tf.float32)
    no_progress = tf.logical_and(tf.logical_not(s["reduced_last_check"]),
                                 s["loss_best_last_check"] >= s["loss_best"])
    reduce = tf.logical_or(oscillating, no_progress)
    return {
        **s,
        "step_size": _where(reduce, s["step_size"] / 2.0, s["step_size"]),
        "x_adv": _where(reduce, s["x_best"], s["x_adv"]),
        "grad": _where(reduce, s["grad_best"], s["grad"]),
        "increases": tf.zeros_like(s["increases"]),
        "reduced_last_check": reduce,
        "loss_best_last_check": s["loss_best"],
    }
