"""The name -> builder table behind `afd_keras.models.build`."""

import inspect

from afd_keras.models import preact_resnet
from afd_keras.models import resnet9
from afd_keras.models import small_cnn
from afd_keras.models import wide_resnet
from afd_keras.utils import messages

_BUILDERS = {
    "preact_resnet18": preact_resnet.preact_resnet18,
    "resnet9": resnet9.resnet9,
    "small_cnn": small_cnn.small_cnn,
    "wide_resnet": wide_resnet.wide_resnet,
}


def list_architectures():
    """Returns the architecture names `build` accepts."""
    return sorted(_BUILDERS)


def build(name, **kwargs):
    """Builds an architecture by name.

    Args:
        name: an architecture name, see `list_architectures()`.
        **kwargs: the builder's arguments, e.g. `input_shape`, `num_classes`.

    Returns:
        An uncompiled `keras.Model` mapping [0, 1] images to logits.

    Raises:
        ValueError: `name` is unknown (the message suggests the closest
            names), or an argument is not one of the builder's.

    Example:

    >>> model = build("small_cnn", input_shape=(28, 28, 1), num_classes=10)
    """
    if name not in _BUILDERS:
        raise ValueError(messages.unknown_name_message("architecture", name,
                                                      _BUILDERS))
    builder = _BUILDERS[name]
    accepted = inspect.signature(builder).parameters
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise ValueError(f"Unknown arguments for architecture {name!r}; "
                         f"expected some of {sorted(accepted)}. "
                         f"Received: {unknown}")
    return builder(**kwargs)
