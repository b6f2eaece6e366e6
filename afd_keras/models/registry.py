"""The name -> builder table behind `afd_keras.models.build`."""

from afd_keras.data import catalog
from afd_keras.models import small_cnn

_BUILDERS = {
    "small_cnn": small_cnn.small_cnn,
}


def list_models():
    """Returns the architecture names `build` accepts."""
    return sorted(_BUILDERS)


def build(name, **kwargs):
    """Builds an architecture by name.

    Args:
        name: an architecture name, see `list_models()`.
        **kwargs: the builder's arguments, e.g. `input_shape`, `num_classes`.

    Returns:
        An uncompiled `keras.Model` mapping [0, 1] images to logits.

    Raises:
        ValueError: `name` is unknown; the message suggests the closest names.

    Example:

    >>> model = build("small_cnn", input_shape=(28, 28, 1), num_classes=10)
    """
    if name not in _BUILDERS:
        raise ValueError(catalog.unknown_name_message("architecture", name,
                                                      _BUILDERS))
    return _BUILDERS[name](**kwargs)
