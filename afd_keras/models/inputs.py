"""The shared model stem: a [0, 1] image input normalised inside the model."""

import keras


def normalized_input(input_shape, num_classes, mean, std):
    """Checks the shared arguments and returns (input, normalised tensor).

    Normalising inside the model keeps every attack in [0, 1] pixel space,
    where epsilon is defined.

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
    normalized = keras.layers.Normalization(
        mean=list(mean), variance=[s * s for s in std], name="normalize")(images)
    return images, normalized
