"""The fast gradient (sign) method (Goodfellow et al. 2015), L-inf and L2."""

import tensorflow as tf

from afd_keras.attacks import loop
from afd_keras.attacks import losses
from afd_keras.attacks import norms
from afd_keras.attacks import validation

_ZERO = norms.ZERO_GRADIENTS


def fgsm(model, x, y=None, *, epsilon, norm="linf", targeted=False):
    """Takes one gradient step of length epsilon from the clean images.

    Reference:
        Goodfellow et al., "Explaining and Harnessing Adversarial Examples",
        ICLR 2015.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: a batch of NHWC images in [0, 1].
        y: int labels of shape (batch,); None uses the model's predictions.
        epsilon: the step length, and the radius of the ball.
        norm: "linf" (the sign of the gradient) or "l2" (the normalised
            gradient).
        targeted: step towards `y` instead of away from it.

    Returns:
        Adversarial images in [0, 1].

    Example:

    >>> x_adv = fgsm(model, images, labels, epsilon=0.3)
    """
    x, y = validation.check_attack_inputs(model, x, y, epsilon, norm)
    return _fgsm_graph(model, x, y, tf.constant(epsilon, tf.float32), norm,
                       targeted)


@loop.compiled_per_model
def _fgsm_graph(model, x, y, epsilon, norm, targeted):
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(losses.cross_entropy(y, model(x, training=False)))
    step = norms.steepest_ascent(tape.gradient(loss, x, unconnected_gradients=_ZERO), epsilon, norm)
    return x + norms.project(x, -step if targeted else step, epsilon, norm)
