"""PreActResNet-18, the CIFAR-10 model of the fast-AT literature."""

from afd_keras.data import catalog
from afd_keras.models import parts

_CIFAR10 = catalog.get_spec("cifar10")


def preact_resnet18(input_shape=(32, 32, 3), num_classes=10, *,
                    mean=_CIFAR10.mean, std=_CIFAR10.std,
                    stage_filters=(64, 128, 256, 512), conditional=False,
                    name="preact_resnet18"):
    """Builds PreActResNet-18: four stages of two pre-activation blocks.

    Reference:
        He et al., "Identity Mappings in Deep Residual Networks", ECCV 2016;
        used by Wong et al. 2020 and Rice et al. 2020 for CIFAR-10.

    Args:
        input_shape: (height, width, channels) of the [0, 1] input images.
        num_classes: the number of logits.
        mean: per-channel mean used to normalise inside the model.
        std: per-channel standard deviation used to normalise.
        stage_filters: the filters of the four stages.
        conditional: add ConditionalScaling after every BatchNorm and return
            a `ConditionalClassifier`.
        name: the model name.

    Returns:
        An uncompiled `keras.Model` that outputs logits.

    Example:

    >>> model = preact_resnet18()
    >>> model.count_params()
    11179978
    """
    parts.check_positive_ints(stage_filters=tuple(stage_filters))
    images, condition, x = parts.model_inputs(input_shape, num_classes, mean,
                                              std, conditional)
    x = parts.conv3x3(stage_filters[0])(x)
    for stage, filters in enumerate(stage_filters):
        for block in range(2):
            strides = 2 if stage > 0 and block == 0 else 1
            x = parts.preact_block(x, condition, filters, strides)
    logits = parts.classifier_head(parts.bn_relu(x, condition), num_classes)
    return parts.assemble(images, condition, logits, name)
