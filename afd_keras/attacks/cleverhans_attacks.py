"""cleverhans attacks that we do not reimplement, behind our attack signature.

Each takes `(model, x, y, *, epsilon, norm, ...)` like `pgd`, and returns
images inside the epsilon-ball of `norm` and the [0, 1] box. cleverhans is
imported when an attack runs, not with the package: like ART's, its import
is paid only by those who use it.
"""

import keras
import numpy as np

from afd_keras.attacks import norms
from afd_keras.attacks import validation

_NORM_ORDERS = {"linf": np.inf, "l2": 2}


def momentum_iterative(model, x, y=None, *, epsilon, norm="linf", num_steps=10,
                       step_size=None, decay=1.0, targeted=False):
    """The momentum iterative method (Dong et al. 2018), from cleverhans.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: a batch of NHWC images in [0, 1].
        y: int labels; None uses the model's predictions.
        epsilon: the radius of the ball.
        norm: "linf" or "l2".
        num_steps: the number of steps.
        step_size: the step length; defaults to epsilon / num_steps.
        decay: the momentum decay factor.
        targeted: move towards `y`.

    Returns:
        Adversarial images in the ball and in [0, 1].

    Example:

    >>> x_adv = momentum_iterative(model, images, labels, epsilon=0.3)
    """
    step_size = epsilon / num_steps if step_size is None else step_size
    x, y = validation.check_attack_inputs(model, x, y, epsilon, norm, num_steps,
                                          step_size)
    # pylint: disable-next=import-outside-toplevel
    from cleverhans.tf2.attacks.momentum_iterative_method import (
        momentum_iterative_method)
    return momentum_iterative_method(
        model, x, eps=epsilon, eps_iter=step_size, nb_iter=num_steps,
        norm=_NORM_ORDERS[norm], clip_min=0.0, clip_max=1.0, y=y,
        targeted=targeted, decay_factor=decay, sanity_checks=False)


def carlini_wagner_l2(model, x, y=None, *, epsilon, norm="l2", num_steps=100,
                      binary_search_steps=5, learning_rate=5e-3,
                      initial_const=1e-2, targeted=False):
    """The Carlini-Wagner L2 attack (2017), from cleverhans, cut to the ball.

    C&W looks for the smallest perturbation that fools the model and has no
    budget of its own, so its result is projected onto the epsilon-ball of
    `norm`: it counts only as far as it stays within the threat model.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: a batch of NHWC images in [0, 1].
        y: int labels; None uses the model's predictions.
        epsilon: the radius of the threat model's ball.
        norm: "linf" or "l2".
        num_steps: Adam steps per binary-search step.
        binary_search_steps: steps of the search over the loss constant.
        learning_rate: the Adam learning rate.
        initial_const: the starting loss constant.
        targeted: move towards `y`.

    Returns:
        Adversarial images in the ball and in [0, 1].

    Example:

    >>> x_adv = carlini_wagner_l2(model, images, labels, epsilon=2.0)
    """
    x, y = validation.check_attack_inputs(model, x, y, epsilon, norm, num_steps)
    # pylint: disable-next=import-outside-toplevel
    from cleverhans.tf2.attacks.carlini_wagner_l2 import CarliniWagnerL2
    attack = CarliniWagnerL2(model, y=y, targeted=targeted, batch_size=len(x),
                             clip_min=0.0, clip_max=1.0,
                             binary_search_steps=binary_search_steps,
                             max_iterations=num_steps,
                             learning_rate=learning_rate,
                             initial_const=initial_const)
    attack.optimizer = _Keras3Adam(learning_rate)
    x_adv = attack.attack(x)
    return x + norms.project(x, x_adv - x, epsilon, norm)


class _Keras3Adam:
    """Adam for cleverhans 4.0's C&W, which calls `optimizer.variables()`:
    a method in Keras 2, a list in Keras 3."""

    def __init__(self, learning_rate):
        self._adam = keras.optimizers.Adam(learning_rate)

    def variables(self):
        return self._adam.variables

    def apply_gradients(self, grads_and_vars):
        return self._adam.apply_gradients(grads_and_vars)
