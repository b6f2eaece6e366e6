"""The L-inf perturbation primitives of adversarial training.

All functions work on [0, 1] images and keep `x + delta` in [0, 1].
"""

import tensorflow as tf

from afd_keras.attacks import norms

INITS = ("zero", "uniform", "sign", "normal")
PROJECTIONS = ("ball", "box")
# TRADES starts its inner maximisation from x + 0.001 * N(0, I).
_TRADES_INIT_STDDEV = 0.001
# Step counts up to this are unrolled in the graph; longer attacks loop.
_MAX_UNROLLED_STEPS = 1


def projection_radius(epsilon, projection):
    """The radius iterates are projected onto: eps, or none for "box"."""
    return epsilon if projection == "ball" else float("inf")


def initial_perturbation(x, epsilon, init, seed, scale=1.0, projection="ball"):
    """Draws the starting perturbation delta_0.

    Args:
        x: clean images in [0, 1].
        epsilon: the L-inf budget.
        init: "zero"; "uniform", U(-r, r) (Wong et al. 2020; N-FGSM with
            scale 2); "sign", r * sign(U(-1, 1)), a random vertex of the
            cube (AFD); or "normal", 0.001 * N(0, 1) (TRADES); with
            r = scale * epsilon.
        seed: an int32 (2,) stateless seed.
        scale: the noise radius as a multiple of epsilon.
        projection: "ball" clips delta_0 to the epsilon-ball; "box" only
            keeps x + delta_0 in [0, 1].

    Returns:
        delta_0, with x + delta_0 in [0, 1].
    """
    if init == "zero":
        return tf.zeros_like(x)
    if init == "normal":
        delta = _TRADES_INIT_STDDEV * tf.random.stateless_normal(
            tf.shape(x), seed, dtype=x.dtype)
    else:
        delta = tf.random.stateless_uniform(tf.shape(x), seed, -1.0, 1.0,
                                            dtype=x.dtype)
        delta = scale * epsilon * (tf.sign(delta) if init == "sign" else delta)
    return norms.project(x, delta, projection_radius(epsilon, projection))


def gradient_steps(x, delta, loss_fn, epsilon, step_size, num_steps,
                   norm="linf"):
    """Takes `num_steps` steepest-ascent steps on `loss_fn(x + delta)`.

    Args:
        x: clean images in [0, 1].
        delta: the starting perturbation.
        loss_fn: maps adversarial images to a scalar loss to maximise.
        epsilon: the radius of the ball.
        step_size: the length of each step in `norm`.
        num_steps: the number of steps; 0 returns `delta` unchanged.
        norm: "linf" (signed gradients) or "l2" (normalised gradients).

    Returns:
        The final perturbation, inside the ball and the [0, 1] box.

    Example:

    >>> delta = initial_perturbation(x, 8 / 255, "sign", seed)
    >>> delta = gradient_steps(x, delta, loss_fn, 8 / 255, 10 / 255, 1)
    """
    def step(delta):
        with tf.GradientTape() as tape:
            tape.watch(delta)
            loss = loss_fn(x + delta)
        gradient = tape.gradient(loss, delta, unconnected_gradients=norms.ZERO_GRADIENTS)
        return (norms.project(x, delta + norms.steepest_ascent(gradient, step_size, norm),
                        epsilon, norm),)

    if isinstance(num_steps, int) and num_steps <= _MAX_UNROLLED_STEPS:
        # Unrolled: the one-step training methods get a loop-free graph.
        for _ in range(num_steps):
            (delta,) = step(delta)
    else:
        # An explicit loop: Keras compiles train_step without AutoGraph.
        (delta,) = tf.while_loop(lambda delta: True, step, (delta,),
                                 maximum_iterations=num_steps)
    return tf.stop_gradient(delta)
