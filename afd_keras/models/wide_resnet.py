"""Wide residual networks (WRN-depth-width)."""

from afd_keras.data import catalog
from afd_keras.models import parts

_CIFAR10 = catalog.get_spec("cifar10")


def wide_resnet(input_shape=(32, 32, 3), num_classes=10, *, depth=28, width=10,
                mean=_CIFAR10.mean, std=_CIFAR10.std, conditional=False,
                name=None):
    """Builds WRN-depth-width: three groups of (depth - 4) / 6 wide blocks.

    Reference:
        Zagoruyko and Komodakis, "Wide Residual Networks", BMVC 2016;
        WRN-34-10 is the model of Madry et al. and TRADES on CIFAR-10.

    Args:
        input_shape: (height, width, channels) of the [0, 1] input images.
        num_classes: the number of logits.
        depth: total depth; `depth - 4` must be divisible by 6.
        width: the widening factor k (groups have 16k, 32k, 64k filters).
        mean: per-channel mean used to normalise inside the model.
        std: per-channel standard deviation used to normalise.
        conditional: add ConditionalScaling after every BatchNorm and return
            a `ConditionalClassifier`.
        name: the model name; defaults to "wide_resnet_{depth}_{width}".

    Returns:
        An uncompiled `keras.Model` that outputs logits.

    Example:

    >>> model = wide_resnet(depth=16, width=4)
    """
    parts.check_positive_ints(depth=depth, width=width)
    if (depth - 4) % 6 or depth < 10:
        raise ValueError("`depth` must be 6n + 4 with n >= 1 (10, 16, 22, 28, "
                         f"34, ...). Received: depth={depth!r}")
    images, condition, x = parts.model_inputs(input_shape, num_classes, mean,
                                              std, conditional)
    x = parts.conv3x3(16)(x)
    for group, filters in enumerate((16 * width, 32 * width, 64 * width)):
        for block in range((depth - 4) // 6):
            strides = 2 if group > 0 and block == 0 else 1
            x = parts.preact_block(x, condition, filters, strides)
    logits = parts.classifier_head(parts.bn_relu(x, condition), num_classes)
    return parts.assemble(images, condition, logits,
                          name or f"wide_resnet_{depth}_{width}")
