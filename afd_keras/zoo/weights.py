"""Weights files: written compressed, found or downloaded, verified by
sha256, then loaded."""

import functools
import os
import tempfile

import h5py
import keras

from afd_keras.utils import checksums
from afd_keras.utils import errors

CACHE_SUBDIR = "afd_keras_zoo"


def fetch(card, weights="pretrained", *, cache_dir=None, directory):
    """Returns the path of a card's weights file, verified.

    Args:
        card: the model card.
        weights: "pretrained" (the zoo's file, else the card's URL), or the
            path of a copy of the published file.
        cache_dir: the cache folder for downloads (default: the Keras
            cache, `$KERAS_HOME` or `~/.keras`).
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
    if cache_dir is not None:
        # get_file quietly uses /tmp/.keras instead of a cache_dir that does
        # not exist yet.
        os.makedirs(os.path.expanduser(os.fspath(cache_dir)), exist_ok=True)
    get_file = functools.partial(
        keras.utils.get_file, files["weights"], origin=files["url"],
        cache_dir=cache_dir, cache_subdir=CACHE_SUBDIR)
    try:
        # With file_hash, a stale cached copy (say of a republished model)
        # is downloaded again, and a bad download is refused.
        return get_file(file_hash=files["sha256"], hash_algorithm="sha256")
    except ValueError:
        # The download failed get_file's check and was kept. Without a hash,
        # get_file returns its path, so the check below says what was found.
        path = get_file()
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

    Args:
        model: the model `loader.build(card)` returned.
        path: a weights file that `fetch` verified.
        card: the model card, for the error message.

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


def save(model, path):
    """Saves a model's weights as a `.weights.h5` file, compressed losslessly.

    Keras writes uncompressed datasets; rewriting them with HDF5's shuffle
    and gzip filters stores the same values in about 16% less space (what
    keeps a resnet9 file under the repository's 8 MB limit), and
    `model.load_weights` reads them unchanged.

    Args:
        model: a built Keras model.
        path: the file to write, ending in `.weights.h5`.

    Raises:
        ValueError: `path` does not end in `.weights.h5`.

    Example:

    >>> save(model, "zoo/my_model.weights.h5")
    >>> model.load_weights("zoo/my_model.weights.h5")
    """
    if not str(path).endswith(".weights.h5"):
        raise ValueError("A weights file's name must end in `.weights.h5`. "
                         f"Received: path={path!r}")
    with tempfile.TemporaryDirectory() as scratch:
        plain = os.path.join(scratch, "uncompressed.weights.h5")
        model.save_weights(plain)
        with h5py.File(plain, "r") as source, h5py.File(path, "w") as target:
            _copy_compressed(source, target)


def _copy_compressed(source, target):
    target.attrs.update(source.attrs)
    for key, item in source.items():
        if isinstance(item, h5py.Group):
            _copy_compressed(item, target.create_group(key))
        else:
            # One chunk per tensor compresses best; scalars cannot be
            # chunked, so they are copied as they are.
            options = ({"compression": "gzip", "compression_opts": 9,
                        "shuffle": True, "chunks": item.shape}
                       if item.shape else {})
            target.create_dataset(key, data=item[()], **options)
            target[key].attrs.update(item.attrs)
