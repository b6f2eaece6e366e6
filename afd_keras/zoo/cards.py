"""Model cards: where the zoo lives, finding a card by name, validation."""

import functools
import importlib.resources
import json
import os
import re

import jsonschema

from afd_keras.utils import messages

ZOO_DIR_ENV = "AFD_ZOO_DIR"
# snake_case with dots (for eps, e.g. "linf0.3"); never a path.
_NAME = re.compile(r"[a-z0-9][a-z0-9_.]*")


def zoo_dir():
    """The folder holding the cards and weights.

    `$AFD_ZOO_DIR` when set; else the zoo installed with the package (the
    repository's `zoo/`, installed as `afd_keras_zoo`).
    """
    return os.environ.get(ZOO_DIR_ENV) or str(
        importlib.resources.files("afd_keras_zoo"))


@functools.lru_cache(maxsize=1)
def schema():
    """The JSON schema every card follows (`card_schema.json`)."""
    text = importlib.resources.files("afd_keras.zoo").joinpath(
        "card_schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def validate(card):
    """Checks a card against the schema.

    Raises:
        ValueError: the card does not follow the schema; the message names
            the field.
    """
    try:
        jsonschema.validate(card, schema())
    except jsonschema.ValidationError as e:
        field = "/".join(map(str, e.absolute_path)) or "(top level)"
        name = card.get("name") if isinstance(card, dict) else None
        raise ValueError(f"Invalid model card {name!r} at "
                         f"{field}: {e.message}") from None


def pixel_levels(epsilon):
    """`epsilon` in whole 1/255 pixel levels (8 for 8/255), or None.

    Only budgets below 0.1 are read this way: 0.3 on MNIST is a decimal.
    """
    levels = round(epsilon * 255)
    if 0 < epsilon < 0.1 and abs(epsilon * 255 - levels) < 1e-6:
        return levels
    return None


def names(directory=None):
    """The names of the cards in a zoo folder, sorted.

    Args:
        directory: the zoo folder (default `zoo_dir()`).

    Returns:
        A sorted list of names. Only `.json` files whose stem has the form
        of a model name count.
    """
    directory = directory or zoo_dir()
    return sorted(f[:-len(".json")] for f in os.listdir(directory)
                  if f.endswith(".json") and _NAME.fullmatch(f[:-len(".json")]))


def is_model_name(text):
    """Whether `text` has the form of a zoo model name (not a path)."""
    return isinstance(text, str) and bool(_NAME.fullmatch(text)) and (
        ".." not in text)


def check_name(name):
    """Refuses names that are not snake_case or that could leave the zoo.

    Raises:
        ValueError: the name has a path separator, "..", or other characters.
    """
    if not is_model_name(name):
        raise ValueError(
            "A zoo model name is snake_case letters, digits, '_' and '.', "
            "without '..' or path separators, so it cannot leave the zoo "
            f"folder. Received: {name!r}")


def card_path(name, directory=None):
    """The path of a model's card, after checking the name.

    Raises:
        ValueError: a bad name, or no such model (the closest names are
            suggested).
    """
    check_name(name)
    directory = directory or zoo_dir()
    path = os.path.join(directory, name + ".json")
    if not os.path.isfile(path):
        raise ValueError(messages.unknown_name_message(
            "zoo model", name, names(directory),
            expected="a name from afd_keras.zoo.list_models()"))
    return path


def read(name, directory=None):
    """Reads and validates a model's card.

    Args:
        name: the model's name.
        directory: the zoo folder (default `zoo_dir()`).

    Returns:
        The card, a dict that follows `card_schema.json`.

    Raises:
        ValueError: a bad or unknown name, or an invalid card.
    """
    path = card_path(name, directory)
    try:
        with open(path, encoding="utf-8") as f:
            card = json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f"The card {path} is not valid JSON ({e}). "
                         "Restore it from the repository.") from None
    validate(card)
    if card["name"] != name:
        raise ValueError(f"The card {path} is for {card['name']!r}; expected "
                         f"{name!r}. Received: name={card['name']!r}")
    return card


def write(card, directory):
    """Validates a card and writes it as `<name>.json`, atomically.

    Args:
        card: the card, a dict that follows `card_schema.json`.
        directory: the zoo folder.

    Returns:
        The path of the card file.

    Raises:
        ValueError: the card is invalid, or its name could leave the zoo.

    Example:

    >>> write(afd_keras.zoo.get_info("small_cnn_mnist_afd_linf0.3"), "/tmp/zoo")
    """
    validate(card)
    check_name(card["name"])
    path = os.path.join(directory, card["name"] + ".json")
    incoming = path + ".incoming"
    with open(incoming, "w", encoding="utf-8") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    os.replace(incoming, path)
    return path
