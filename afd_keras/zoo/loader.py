"""The uniform loader: every model is built from its card, then verified
weights are loaded. Nothing here depends on the model."""

from afd_keras import models
from afd_keras.data import catalog
from afd_keras.zoo import cards
from afd_keras.zoo import weights as weights_lib


def list_models(dataset=None, threat_model=None, *, zoo_dir=None):
    """Lists the published models.

    Args:
        dataset: keep only this dataset's models, e.g. "mnist".
        threat_model: keep only this norm, "linf" or "l2".
        zoo_dir: another zoo folder (default `cards.zoo_dir()`).

    Returns:
        A sorted list of model names.

    Raises:
        ValueError: a dataset or norm that no card can have (the closest
            one is suggested).

    Example:

    >>> afd_keras.zoo.list_models(dataset="mnist", threat_model="linf")
    ['small_cnn_mnist_afd_linf0.3', ...]
    """
    properties = cards.schema()["properties"]
    _check_choice("dataset", dataset, properties["dataset"]["enum"])
    _check_choice("threat_model", threat_model,
                  properties["threat_model"]["properties"]["norm"]["enum"])
    found = []
    for name in cards.names(zoo_dir):
        card = cards.read(name, zoo_dir)
        if dataset not in (None, card["dataset"]):
            continue
        if threat_model not in (None, card["threat_model"]["norm"]):
            continue
        found.append(name)
    return found


def _check_choice(kind, value, choices):
    # A typo would otherwise quietly list nothing.
    if value is not None and value not in choices:
        raise ValueError(catalog.unknown_name_message(kind, value, choices))


def get_info(name, *, zoo_dir=None):
    """Returns a model's card: training, results, files and provenance.

    Args:
        name: a name from `list_models()`.
        zoo_dir: another zoo folder (default `cards.zoo_dir()`).

    Returns:
        The card, a dict that follows `card_schema.json`.

    Raises:
        ValueError: an unknown or malformed name, or an invalid card.

    Example:

    >>> afd_keras.zoo.get_info("small_cnn_mnist_afd_linf0.3")["results"]["pgd"]
    """
    return cards.read(name, zoo_dir)


def build(card):
    """Builds a card's architecture, without weights, at its condition.

    Args:
        card: a model card.

    Returns:
        A built `keras.Model` with fresh weights.

    Raises:
        ValueError: the card gives a condition for a model without a dial.

    Example:

    >>> model = build(afd_keras.zoo.get_info("small_cnn_mnist_afd_linf0.3"))
    """
    model = models.build(card["model"]["architecture"],
                         **card["model"]["arguments"])
    if card["model"]["condition"] is not None:
        if not hasattr(model, "set_condition"):
            raise ValueError(
                f"The card {card['name']!r} gives a condition, but its "
                "architecture arguments build a model without a dial; expected "
                "arguments.conditional = true. Received: "
                f"condition={card['model']['condition']!r}")
        model.set_condition(card["model"]["condition"])
    return model


def load(name, *, weights="pretrained", cache_dir=None, zoo_dir=None):
    """Loads a published model.

    The weights file is checked against the sha256 and size in the card
    before anything is read from it. It holds only tensors (HDF5), and the
    model comes from the card's builder, so loading runs no code from a file.

    Args:
        name: a name from `list_models()`.
        weights: "pretrained" (the published weights: the file shipped with
            the package, else the card's URL), None (the architecture with
            fresh weights), or the path of a copy of the published file. To
            load other weights, use `weights=None` and `load_weights`.
        cache_dir: the cache folder for downloads (default: the Keras
            cache, `$KERAS_HOME` or `~/.keras`).
        zoo_dir: another zoo folder (default `cards.zoo_dir()`).

    Returns:
        A built `keras.Model` mapping [0, 1] NHWC images to logits. A
        conditional model's dial is at the card's condition; change it with
        `set_condition`.

    Raises:
        ValueError: an unknown or malformed name, an invalid card, or
            weights that do not fit the architecture.
        ChecksumError: the weights are not the published file.
        FileNotFoundError: no weights file and no URL.

    Example:

    >>> model = afd_keras.zoo.load("small_cnn_mnist_afd_linf0.3")
    >>> logits = model.predict(images)    # images in [0, 1], NHWC
    >>> model.set_condition(0.0)          # the clean end of the dial
    """
    zoo_dir = zoo_dir or cards.zoo_dir()
    card = cards.read(name, zoo_dir)
    model = build(card)
    if weights is not None:
        path = weights_lib.fetch(card, weights, cache_dir=cache_dir,
                                 directory=zoo_dir)
        weights_lib.load_into(model, path, card)
        if card["model"]["condition"] is not None:
            model.set_condition(card["model"]["condition"])
    return model
