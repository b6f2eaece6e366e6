"""The uniform loader: every model is built from its card, then verified
weights are loaded. Nothing here depends on the model. `load_model` also
takes a run dir or a `.keras` file."""

import dataclasses
import json
import os

import keras

from afd_keras import models
from afd_keras.training import run_folder
from afd_keras.utils import messages
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
        raise ValueError(messages.unknown_name_message(kind, value, choices))


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


def load_model(path, condition=None):
    """Loads a zoo model, a run dir's classifier, or a saved `.keras` file.

    The one entry point for "a model the user named": the tools take their
    --model through it.

    Args:
        path: a `.keras` file, an `afd-train` run dir, or a zoo model name.
        condition: a dial value in [0, 1] to set, or None to keep the
            model's own (conditional models only).

    Returns:
        The `keras.Model`, mapping [0, 1] images to logits.

    Raises:
        FileNotFoundError: nothing loadable at a path.
        ValueError: neither a path nor a known zoo name (the closest names
            are suggested), or a condition for a model without a dial.

    Example:

    >>> model = load_model("small_cnn_mnist_afd_linf0.3", condition=0.0)
    """
    if _is_zoo_name(path):
        try:
            cards.card_path(path)
        except ValueError as e:
            raise ValueError(f"No file or run dir at {path!r}. {e}") from None
        model = load(path)
    else:
        if os.path.isdir(path):
            path = os.path.join(path, run_folder.CLASSIFIER_FILE)
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"No model at {path}; expected a .keras file, a run dir "
                f"holding {run_folder.CLASSIFIER_FILE}, or a zoo model name.")
        model = keras.saving.load_model(path, safe_mode=True)
    if condition is not None:
        if not hasattr(model, "set_condition"):
            raise ValueError(
                "Only a conditional model (built with conditional=True) has a "
                f"condition dial; {path} has none. Received: "
                f"condition={condition}")
        model.set_condition(condition)
    return model


def threat_setting(path, *, dataset=None, norm=None, epsilon=None):
    """The dataset and threat model to evaluate a model on.

    Whatever is not given comes from the model: a zoo model's card, or a
    run dir's training config. A bare `.keras` file gets `afd-train`'s
    defaults (MNIST, L-inf, 0.3).

    Args:
        path: as for `load_model`.
        dataset: the dataset, or None for the model's own.
        norm: "linf" or "l2", or None for the model's own.
        epsilon: the budget, or None for the model's own.

    Returns:
        A `(dataset, norm, epsilon)` tuple.

    Raises:
        ValueError: `dataset` is not the one the model was trained on.

    Example:

    >>> threat_setting("small_cnn_fashion_mnist_afd_linf0.1")
    ('fashion_mnist', 'linf', 0.1)
    """
    trained = _trained_setting(path)
    if dataset is not None and dataset != trained.get("dataset", dataset):
        raise ValueError(
            f"{path} was trained on {trained['dataset']}; evaluate it on "
            f"that (or leave --dataset out). Received: dataset={dataset!r}")
    # A bare model file falls back on afd-train's defaults.
    defaults = {field.name: field.default
                for field in dataclasses.fields(run_folder.TrainConfig)}
    trained = {"norm": _TRAINING_NORM, **defaults, **trained}
    return (dataset or trained["dataset"], norm or trained["norm"],
            epsilon if epsilon is not None else trained["epsilon"])


# Training is L-inf only, so a run's config has no norm.
_TRAINING_NORM = "linf"


def _is_zoo_name(path):
    return not os.path.exists(path) and cards.is_model_name(path)


def _trained_setting(path):
    """What a model says about its training data and threat model, or {}."""
    if _is_zoo_name(path):
        card = get_info(path)
        return {"dataset": card["dataset"], **card["threat_model"]}
    summary = os.path.join(path, run_folder.SUMMARY_FILE)
    if os.path.isfile(summary):
        with open(summary, encoding="utf-8") as f:
            config = json.load(f)["config"]
        return {"dataset": config["dataset"], "norm": _TRAINING_NORM,
                "epsilon": config["epsilon"]}
    return {}
