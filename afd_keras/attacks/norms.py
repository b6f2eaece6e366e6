"""The geometry of the threat models: projections, steps and random starts.

Every function keeps `x + delta` inside the [0, 1] image box.
"""

import tensorflow as tf

NORMS = ("linf", "l2")
# Guards the L2 normalisation of an all-zero gradient or perturbation.
_TINY = 1e-12
# A model with no gradient (e.g. quantised inputs) takes zero steps instead
# of crashing the attack; the sanity checks then flag it.
ZERO_GRADIENTS = tf.UnconnectedGradients.ZERO


def _per_example_l2(t):
    return tf.sqrt(tf.reduce_sum(tf.square(t), axis=tf.range(1, tf.rank(t)),
                                 keepdims=True))


def project(x, delta, epsilon, norm="linf"):
    """Projects delta onto the epsilon-ball of `norm` and into the [0, 1] box.

    Args:
        x: clean images in [0, 1].
        delta: the perturbation.
        epsilon: the radius.
        norm: "linf" or "l2".

    Returns:
        The projected perturbation.
    """
    if norm == "linf":
        delta = tf.clip_by_value(delta, -epsilon, epsilon)
    else:
        scale = tf.minimum(1.0, epsilon / tf.maximum(_per_example_l2(delta), _TINY))
        delta = delta * scale
    return tf.clip_by_value(x + delta, 0.0, 1.0) - x


def steepest_ascent(gradient, step_size, norm="linf"):
    """Returns the step of length `step_size` that most increases the loss."""
    if norm == "linf":
        return step_size * tf.sign(gradient)
    return step_size * gradient / tf.maximum(_per_example_l2(gradient), _TINY)


def random_start(x, epsilon, norm, seed):
    """Draws a uniform random point of the epsilon-ball around each example.

    Args:
        x: clean images in [0, 1].
        epsilon: the radius.
        norm: "linf" (uniform in the cube) or "l2" (a uniform direction, with
            the radius drawn so that the point is uniform in the ball).
        seed: an int32 (2,) stateless seed.
    """
    if norm == "linf":
        delta = tf.random.stateless_uniform(tf.shape(x), seed, -epsilon, epsilon,
                                            dtype=x.dtype)
    else:
        direction_seed, radius_seed = tf.unstack(
            tf.random.experimental.stateless_split(seed, 2))
        direction = tf.random.stateless_normal(tf.shape(x), direction_seed,
                                               dtype=x.dtype)
        direction /= tf.maximum(_per_example_l2(direction), _TINY)
        dims = tf.cast(tf.reduce_prod(tf.shape(x)[1:]), x.dtype)
        radius = epsilon * tf.random.stateless_uniform(
            tf.concat([tf.shape(x)[:1], tf.ones_like(tf.shape(x)[1:])], 0),
            radius_seed, dtype=x.dtype) ** (1.0 / dims)
        delta = direction * radius
    return project(x, delta, epsilon, norm)
