"""The L-inf perturbation primitives of adversarial training.

All functions work on [0, 1] images and keep `x + delta` in [0, 1].
"""

import tensorflow as tf

INITS = ("zero", "uniform", "sign", "normal")
# TRADES starts its inner maximisation from x + 0.001 * N(0, I).
_TRADES_INIT_STDDEV = 0.001


def initial_perturbation(x, epsilon, init, seed):
    """Draws the starting perturbation delta_0 inside the epsilon-ball.

    Args:
        x: clean images in [0, 1].
        epsilon: the L-inf budget.
        init: "zero"; "uniform", U(-eps, eps) (Wong et al. 2020); "sign",
            eps * sign(U(-1, 1)), a random vertex of the ball (AFD); or
            "normal", 0.001 * N(0, 1) (TRADES).
        seed: an int32 (2,) stateless seed.

    Returns:
        delta_0, clipped so that x + delta_0 stays in [0, 1].
    """
    if init == "zero":
        return tf.zeros_like(x)
    if init == "normal":
        delta = _TRADES_INIT_STDDEV * tf.random.stateless_normal(
            tf.shape(x), seed, dtype=x.dtype)
    else:
        delta = tf.random.stateless_uniform(tf.shape(x), seed, -1.0, 1.0,
                                            dtype=x.dtype)
        delta = epsilon * (tf.sign(delta) if init == "sign" else delta)
    return project(x, delta, epsilon)


def project(x, delta, epsilon):
    """Projects delta onto the epsilon-ball and keeps x + delta in [0, 1]."""
    delta = tf.clip_by_value(delta, -epsilon, epsilon)
    return tf.clip_by_value(x + delta, 0.0, 1.0) - x


def signed_gradient_steps(x, delta, loss_fn, epsilon, step_size, num_steps):
    """Takes `num_steps` signed-gradient ascent steps on `loss_fn(x + delta)`.

    Args:
        x: clean images in [0, 1].
        delta: the starting perturbation.
        loss_fn: maps adversarial images to a scalar loss to maximise.
        epsilon: the L-inf budget.
        step_size: alpha, the size of each step.
        num_steps: K; 0 returns `delta` unchanged.

    Returns:
        The final perturbation, inside the ball and the [0, 1] box.
    """
    def step(delta):
        with tf.GradientTape() as tape:
            tape.watch(delta)
            loss = loss_fn(x + delta)
        gradient = tape.gradient(loss, delta)
        return (project(x, delta + step_size * tf.sign(gradient), epsilon),)

    # An explicit loop: Keras compiles train_step without AutoGraph.
    (delta,) = tf.while_loop(lambda delta: True, step, (delta,),
                             maximum_iterations=num_steps)
    return tf.stop_gradient(delta)
