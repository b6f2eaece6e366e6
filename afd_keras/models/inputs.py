"""What every architecture shares: the input stem and the conditional head.

Images enter in [0, 1] and are normalised inside the model, which keeps
every attack in pixel space, where epsilon is defined.
"""

import keras

from afd_keras.layers import ConditionalScaling
from afd_keras.models.conditional_classifier import ConditionalClassifier


def model_inputs(input_shape, num_classes, mean, std, conditional):
    """Checks the shared arguments and creates the inputs.

    Returns:
        (images, condition, normalized). `condition` is a (batch,) input when
        `conditional`, else None.

    Raises:
        ValueError: a bad shape, class count, or statistics of the wrong
            length or sign.
    """
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or min(input_shape) < 1:
        raise ValueError("`input_shape` must be (height, width, channels). "
                         f"Received: input_shape={input_shape!r}")
    if num_classes < 2:
        raise ValueError("`num_classes` must be at least 2. "
                         f"Received: num_classes={num_classes!r}")
    channels = input_shape[-1]
    if len(mean) != channels or len(std) != channels or min(std) <= 0:
        raise ValueError(
            f"`mean` and `std` need one value per channel ({channels}), with "
            f"std > 0. Received: mean={mean!r}, std={std!r}")
    images = keras.Input(input_shape, name="images")
    condition = keras.Input((), name="condition") if conditional else None
    normalized = keras.layers.Normalization(
        mean=list(mean), variance=[s * s for s in std], name="normalize")(images)
    return images, condition, normalized


def scale(features, condition, hidden_units=64):
    """Applies ConditionalScaling when the model is conditional."""
    if condition is None:
        return features
    return ConditionalScaling(hidden_units)([features, condition])


def assemble(images, condition, logits, name, default_condition=1.0):
    """Returns the plain model, or the ConditionalClassifier with its dial."""
    if condition is None:
        return keras.Model(images, logits, name=name)
    network = keras.Model([images, condition], logits, name=f"{name}_network")
    return ConditionalClassifier(network, default_condition, name=name)
