"""ResNet-9: the fast CIFAR-10 network (about 2M parameters by default)."""

import keras

from afd_keras.data import catalog
from afd_keras.models import parts

_CIFAR10 = catalog.get_spec("cifar10")


def _conv_bn_relu(x, condition, filters, dual_batch_norm):
    return parts.bn_relu(parts.conv3x3(filters)(x), condition,
                         dual_batch_norm=dual_batch_norm)


def _residual(x, condition, dual_batch_norm):
    out = _conv_bn_relu(x, condition, x.shape[-1], dual_batch_norm)
    out = _conv_bn_relu(out, condition, x.shape[-1], dual_batch_norm)
    return keras.layers.Add()([x, out])


def resnet9(input_shape=(32, 32, 3), num_classes=10, *, base_filters=36,
            mean=_CIFAR10.mean, std=_CIFAR10.std, conditional=False,
            dual_batch_norm=False, name="resnet9"):
    """Builds ResNet-9: a prep conv, three pooled stages, two residual blocks.

    The DAWNBench ResNet-9 with every width scaled by `base_filters` / 64;
    the default 36 gives about 2.1M parameters. That is 4 to 5 times cheaper
    than PreActResNet-18, and one FGSM epoch of CIFAR-10 takes about 5
    minutes on 2 CPU cores.

    Reference:
        D. Page, "How to Train Your ResNet" (DAWNBench, 2018); Wong et al.
        2020 train it with FGSM in their fast-AT experiments.

    Args:
        input_shape: (height, width, channels) of the [0, 1] input images.
        num_classes: the number of logits.
        base_filters: the prep width; the stages use 2x, 4x and 8x.
        mean: per-channel mean used to normalise inside the model.
        std: per-channel standard deviation used to normalise.
        conditional: add ConditionalScaling after every BatchNorm and return
            a `ConditionalClassifier`.
        dual_batch_norm: give condition 0 its own BatchNorm statistics
            (`layers.DualBatchNormalization`, OAT's dual BN); needs
            `conditional`.
        name: the model name.

    Returns:
        An uncompiled `keras.Model` that outputs logits.

    Example:

    >>> model = resnet9()
    """
    parts.check_positive_ints(base_filters=base_filters)
    parts.check_dual_batch_norm(dual_batch_norm, conditional)
    images, condition, x = parts.model_inputs(input_shape, num_classes, mean,
                                              std, conditional)
    x = _conv_bn_relu(x, condition, base_filters, dual_batch_norm)
    for multiple, residual in ((2, True), (4, False), (8, True)):
        x = _conv_bn_relu(x, condition, base_filters * multiple, dual_batch_norm)
        x = keras.layers.MaxPooling2D()(x)
        if residual:
            x = _residual(x, condition, dual_batch_norm)
    logits = parts.classifier_head(x, num_classes)
    return parts.assemble(images, condition, logits, name)
