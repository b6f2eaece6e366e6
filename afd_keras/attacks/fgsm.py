"""The fast gradient (sign) method (Goodfellow et al. 2015), L-inf and L2."""

from afd_keras.attacks import pgd as pgd_module


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
    # One PGD step of length epsilon from x, with no random start, is FGSM.
    return pgd_module.pgd(model, x, y, epsilon=epsilon, num_steps=1,
                          step_size=epsilon, norm=norm, random_start=False,
                          targeted=targeted)
