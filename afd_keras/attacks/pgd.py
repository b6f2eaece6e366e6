"""Projected gradient descent (Madry et al. 2018), L-inf and L2."""

import tensorflow as tf

from afd_keras.attacks import loop
from afd_keras.attacks import losses
from afd_keras.attacks import norms
from afd_keras.attacks import validation

_ZERO = norms.ZERO_GRADIENTS


def madry_step_size(epsilon, num_steps):
    """PGD's standard step, 2.5 epsilon / K: K steps can cross the ball and
    back a little (Madry et al. 2018). The one place the rule is written.

    Example:

    >>> madry_step_size(0.3, 40)
    0.01875
    """
    return 2.5 * epsilon / max(num_steps, 1)


def pgd(model, x, y=None, *, epsilon, num_steps=10, step_size=None,
        norm="linf", random_start=True, num_restarts=1, targeted=False, seed=0):
    """Runs PGD on one batch, as one compiled graph call.

    Each restart starts from a random point of the ball (or from x) and takes
    up to `num_steps` steepest-ascent steps on the cross-entropy. An example
    keeps the first iterate that fools the model and is not attacked further
    (see `loop.run_until_fooled`); later restarts attack only the examples
    still standing.

    Reference:
        Madry et al., "Towards Deep Learning Models Resistant to Adversarial
        Attacks", ICLR 2018.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: a batch of NHWC images in [0, 1].
        y: int labels of shape (batch,); None uses the model's predictions.
            With `targeted=True`, the target classes.
        epsilon: the radius of the threat model's ball.
        num_steps: steps per restart.
        step_size: the step length; defaults to `madry_step_size`,
            2.5 * epsilon / num_steps.
        norm: "linf" or "l2".
        random_start: start each restart at a uniform point of the ball.
        num_restarts: the number of restarts.
        targeted: move towards `y` instead of away from it.
        seed: seeds the random starts.

    Returns:
        Adversarial images, float32, with ||x_adv - x|| <= epsilon in `norm`
        and values in [0, 1].

    Raises:
        ValueError: a bad setting, images outside [0, 1], or labels that do
            not match the batch.

    Example:

    >>> x_adv = pgd(model, images, labels, epsilon=0.3, num_steps=40,
    ...             step_size=0.01)
    """
    if step_size is None:
        step_size = madry_step_size(epsilon, num_steps)
    x, y = validation.check_attack_inputs(model, x, y, epsilon, norm, num_steps,
                                          step_size, num_restarts)
    return _pgd_graph(model, x, y, tf.constant(epsilon, tf.float32),
                      tf.constant(step_size, tf.float32),
                      tf.constant(num_steps), num_restarts,
                      tf.constant([seed, 0]), norm, random_start, targeted)


@loop.compiled_per_model
def _pgd_graph(model, x, y, epsilon, step_size, num_steps, num_restarts, seed,
               norm, random_start, targeted):
    sign = -1.0 if targeted else 1.0

    def step(state, i):
        del i
        with tf.GradientTape() as tape:
            tape.watch(state["x_adv"])
            logits = model(state["x_adv"], training=False)
            loss = sign * tf.reduce_sum(losses.cross_entropy(state["y"], logits))
        gradient = tape.gradient(loss, state["x_adv"],
                                 unconnected_gradients=_ZERO)
        delta = norms.project(
            state["x"], state["x_adv"] - state["x"]
            + norms.steepest_ascent(gradient, step_size, norm), epsilon, norm)
        return {**state, "x_adv": state["x"] + delta}, state["x_adv"], logits

    def attack_once(x, y, restart):
        start = x
        if random_start:
            start += norms.random_start(
                x, epsilon, norm,
                tf.random.experimental.stateless_fold_in(seed, restart))
        return loop.run_until_fooled(step, {"x": x, "y": y, "x_adv": start},
                                     num_steps, targeted, answer="x_adv")

    return loop.over_restarts(x, y, num_restarts, attack_once)[0]
