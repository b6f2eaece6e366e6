"""Example mixing: mixup across examples and clean/adversarial interpolation."""

import tensorflow as tf

MIXINGS = ("none", "mixup", "interpolate", "mixup_input")


def beta_sample(shape, alpha, seed):
    """Draws Beta(alpha, alpha) samples from two stateless Gamma draws."""
    seed_a, seed_b = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    a = tf.random.stateless_gamma(shape, seed_a, alpha)
    b = tf.random.stateless_gamma(shape, seed_b, alpha)
    return a / (a + b)


def mixup(x, alpha, seed):
    """Mixes each example with another example of the batch.

    Reference:
        Zhang et al., "mixup: Beyond Empirical Risk Minimization", ICLR 2018.

    Args:
        x: a batch of images.
        alpha: the Beta(alpha, alpha) parameter.
        seed: an int32 (2,) stateless seed.

    Returns:
        (mixed, permutation, lam): `mixed = lam * x + (1 - lam) * x[perm]`,
        with one `lam` per example. Mix the labels with the same `lam` and
        permutation; `lam = 1` gives back `x`.
    """
    perm_seed, lam_seed = tf.unstack(
        tf.random.experimental.stateless_split(seed, 2))
    batch = tf.shape(x)[0]
    permutation = tf.argsort(tf.random.stateless_uniform([batch], perm_seed))
    lam = beta_sample([batch], alpha, lam_seed)
    return mix(x, permutation, lam), permutation, lam


def mix(x, permutation, lam):
    """Returns `lam * x + (1 - lam) * x[permutation]`, `lam` per example."""
    lam = tf.reshape(tf.cast(lam, x.dtype), [-1] + [1] * (len(x.shape) - 1))
    return lam * x + (1.0 - lam) * tf.gather(x, permutation)
