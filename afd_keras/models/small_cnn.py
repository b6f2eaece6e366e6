"""The small CNN used for MNIST-like data in the TRADES and fast-AT papers."""

import keras

from afd_keras.models import parts


def small_cnn(input_shape=(28, 28, 1), num_classes=10, *, mean=(0.1307,),
              std=(0.3081,), filters=(32, 64), dense_units=200,
              conditional=False, name="small_cnn"):
    """Builds the SmallCNN: two blocks of two 3x3 convs, then two dense layers.

    Reference:
        Zhang et al., "Theoretically Principled Trade-off between Robustness
        and Accuracy" (TRADES), ICML 2019, its MNIST model; originally Carlini
        and Wagner, IEEE S&P 2017.

    Args:
        input_shape: (height, width, channels) of the [0, 1] input images.
        num_classes: the number of logits.
        mean: per-channel mean used to normalise inside the model.
        std: per-channel standard deviation used to normalise.
        filters: the filters of the first and second conv blocks.
        dense_units: the width of the two hidden dense layers.
        conditional: put ConditionalScaling after every conv and hidden dense
            layer (before its ReLU) and return a `ConditionalClassifier`.
            The model has no normalisation layers, so the scaling follows
            the linear layers instead.
        name: the model name.

    Returns:
        An uncompiled `keras.Model` that outputs logits.

    Example:

    >>> model = small_cnn((28, 28, 1), 10)
    >>> model.output_shape
    (None, 10)
    """
    if len(filters) != 2 or min(filters) < 1:
        raise ValueError("`filters` must be two positive integers. "
                         f"Received: filters={filters!r}")
    if dense_units < 1:
        raise ValueError("`dense_units` must be positive. "
                         f"Received: dense_units={dense_units!r}")
    images, condition, x = parts.model_inputs(input_shape, num_classes, mean,
                                               std, conditional)
    for block_filters in filters:
        for _ in range(2):
            x = keras.layers.Conv2D(block_filters, 3)(x)
            x = keras.layers.ReLU()(parts.scale(x, condition))
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    for _ in range(2):
        x = keras.layers.Dense(dense_units)(x)
        x = keras.layers.ReLU()(parts.scale(x, condition))
    logits = keras.layers.Dense(num_classes, dtype="float32", name="logits")(x)
    return parts.assemble(images, condition, logits, name)
