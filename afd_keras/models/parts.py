"""What every architecture shares: the input stem, BN blocks, the conditional head.

Images enter in [0, 1] and are normalised inside the model, which keeps
every attack in pixel space, where epsilon is defined.
"""

import keras
import tensorflow as tf

from afd_keras.layers import ConditionalScaling
from afd_keras.layers import DualBatchNormalization
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


def bn_relu(x, condition, hidden_units=64, dual_batch_norm=False):
    """BatchNorm, then ConditionalScaling when conditional, then ReLU.

    The scaling sits right after the normalisation, as in OAT. With
    `dual_batch_norm`, condition 0 has its own BatchNorm (OAT's dual BN).
    """
    # Replicas share batch statistics, so a replicated step normalises like
    # one device on the global batch.
    synchronized = tf.distribute.get_strategy().num_replicas_in_sync > 1
    if dual_batch_norm:
        x = DualBatchNormalization(synchronized=synchronized)([x, condition])
    else:
        x = keras.layers.BatchNormalization(synchronized=synchronized)(x)
    return keras.layers.ReLU()(scale(x, condition, hidden_units))


def check_dual_batch_norm(dual_batch_norm, conditional):
    """Dual BN routes by the condition, so it needs the dial."""
    if dual_batch_norm and not conditional:
        raise ValueError("`dual_batch_norm` routes examples by their condition "
                         "and needs `conditional=True`. Received: "
                         "dual_batch_norm=True, conditional=False")


def preact_block(x, condition, filters, strides):
    """A pre-activation basic block: (BN-ReLU-conv3x3) x 2 plus a shortcut.

    The projection shortcut takes the pre-activated input, as in He et al.,
    "Identity Mappings in Deep Residual Networks", ECCV 2016.
    """
    out = bn_relu(x, condition)
    shortcut = x if strides == 1 and x.shape[-1] == filters else (
        keras.layers.Conv2D(filters, 1, strides=strides, use_bias=False)(out))
    out = conv3x3(filters, strides)(out)
    out = conv3x3(filters)(bn_relu(out, condition))
    return keras.layers.Add()([shortcut, out])


def conv3x3(filters, strides=1):
    """A bias-free 3x3 convolution, the ResNet default before BatchNorm."""
    return keras.layers.Conv2D(filters, 3, strides=strides, padding="same",
                               use_bias=False)


def classifier_head(x, num_classes):
    """Global average pooling and a float32 logits layer."""
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.layers.Dense(num_classes, dtype="float32", name="logits")(x)


def check_positive_ints(**values):
    """Raises a Keras-style error unless every value is a positive integer."""
    for name, value in values.items():
        items = value if isinstance(value, (tuple, list)) else (value,)
        if not items or not all(isinstance(v, int) and v >= 1 for v in items):
            raise ValueError(f"`{name}` must be positive integers. "
                             f"Received: {name}={value!r}")
