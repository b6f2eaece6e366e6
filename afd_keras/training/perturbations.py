"""The L-inf perturbation primitives of adversarial training.

All functions work on [0, 1] images and keep `x + delta` in [0, 1].
"""

import tensorflow as tf

from afd_keras.attacks import norms

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
    return norms.project(x, delta, epsilon)
