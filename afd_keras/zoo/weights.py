"""Weights files: found or downloaded, verified by sha256, then loaded."""

import os

import keras

from afd_keras.data import checksums
from afd_keras.data import errors

CACHE_SUBDIR = "afd_keras_zoo"


def fetch(card, weights="pretrained", *, cache_dir=None, directory):
    """Returns the path of a card's weights file, verified.

    Args:
        card: the model card.
        weights: "pretrained" (the zoo's file, else the card's URL), or the
            path of a copy of the published file.
        cache_dir: the Keras cache for downloads (default `~/.keras`).
        directory: the zoo folder holding the card.

    Returns:
        The path of a file whose size and sha256 match the card.

    Raises:
        ChecksumError: the file is not the published one (corrupt,
            truncated or tampered with); it was not loaded.
        FileNotFoundError: no file, and no URL to download it from.
    """
    files = card["files"]
    if weights == "pretrained":
        path = os.path.join(directory, files["weights"])
        if not os.path.isfile(path):
            if not files["url"]:
                raise FileNotFoundError(
                    f"The weights of {card['name']!r} are not in {directory} "
                    "and its card gives no URL. Expected the file "
                    f"{files['weights']}; reinstall afd_keras.")
            path = _download(files, cache_dir)
    else:
        path = os.fspath(weights)
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"No weights file at {path}. Expected a copy of "
                f"{files['weights']}, or weights='pretrained'.")
    checksums.verify(path, files["sha256"], files["size_bytes"])
    return path


def _download(files, cache_dir):
    # No file_hash here: our own check below reports what was found, and a
    # bad file is removed so that the next call downloads again.
    try:
        path = keras.utils.get_file(files["weights"], origin=files["url"],
                                    cache_dir=cache_dir,
                                    cache_subdir=CACHE_SUBDIR)
    except Exception as e:  # pylint: disable=broad-except
        # get_file raises a bare Exception for URL and HTTP errors.
        raise FileNotFoundError(f"Could not download {files['weights']} from "
                                f"{files['url']}: {e}") from None
    try:
        checksums.verify(path, files["sha256"], files["size_bytes"])
    except errors.ChecksumError as e:
        os.remove(path)
        raise errors.ChecksumError(
            f"The download from {files['url']} was refused and deleted: "
            f"{e}") from None
    return path


def load_into(model, path, card):
    """Loads a verified weights file into a model built from its card.

    Raises:
        ValueError: the file's variables do not fit the card's architecture.
    """
    try:
        model.load_weights(path)
    except ValueError as e:
        first_lines = " ".join(str(e).splitlines()[:3])
        raise ValueError(
            f"The weights in {path} do not fit the architecture of card "
            f"{card['name']!r} ({card['model']['architecture']} with "
            f"{card['model']['arguments']}). Received: {first_lines}") from None
