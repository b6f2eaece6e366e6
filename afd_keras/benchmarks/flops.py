"""FLOPs of a training step, counted from the model's layers.

Convolutions and dense layers do nearly all the arithmetic; elementwise
layers (BatchNorm, ReLU, ConditionalScaling's scale and shift) are left out,
so the counts are slight underestimates. A multiply-add counts as 2 FLOPs.
"""

import math

import keras

from afd_keras.training import methods


def forward_flops(model):
    """FLOPs of one example's forward pass through the conv and dense layers.

    Args:
        model: a built Keras model; nested models are counted too.

    Returns:
        The FLOPs, as an int.

    Example:

    >>> forward_flops(afd_keras.models.build("small_cnn")) / 1e6  # MFLOPs
    """
    total = 0
    for layer in model._flatten_layers(include_self=False):  # pylint: disable=protected-access
        if isinstance(layer, keras.layers.Conv2D):
            kernel_height, kernel_width = layer.kernel_size
            input_channels = layer.input.shape[-1] // layer.groups
            total += 2 * math.prod(layer.output.shape[1:]) * (
                kernel_height * kernel_width * input_channels)
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * math.prod(layer.output.shape[1:]) * layer.input.shape[-1]
    return total


def step_flops_ratio(method, num_steps=None):
    """A method's training-step FLOPs in units of one forward pass.

    A training pass costs 3 forwards (forward, input gradient, weight
    gradient); an attack step costs 2 (no weight gradient). TRADES adds a
    clean forward for its target and trains on clean and adversarial
    images.

    Args:
        method: a name from `afd_keras.training.METHODS`.
        num_steps: the attack steps, if not the method's default.

    Returns:
        The ratio, e.g. 3 for "standard" and 5 for "fgsm_rs" and "afd".
    """
    if num_steps is None:
        num_steps = methods.METHODS[method].num_steps
    attack = 2 * num_steps
    if method == "trades":
        return 1 + attack + 2 * 3
    return attack + 3
