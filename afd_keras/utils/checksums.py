"""sha256 verification of data files, memoised per file version."""

import functools
import hashlib
import os

from afd_keras.utils import errors

_CHUNK_BYTES = 1 << 20


@functools.lru_cache(maxsize=64)
def _sha256(path, version):
    # The file's version is part of the key so an edited or replaced file is
    # hashed again. It includes ctime, which `cp -p` or `touch` cannot set back.
    del version
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_of(path):
    """Returns the hex sha256 of the file at `path`."""
    stat = os.stat(path)
    return _sha256(os.fspath(path), (stat.st_size, stat.st_mtime_ns,
                                     stat.st_ctime_ns, stat.st_ino))


def verify(path, expected_sha256, expected_size=None):
    """Checks a file against its published sha256 (and size, when known).

    Args:
        path: the file to check.
        expected_sha256: the published hex digest.
        expected_size: the published size in bytes, or None. A wrong size is
            reported as truncation, which is the usual cause.

    Raises:
        ChecksumError: the file differs from the published one.
    """
    if expected_size is not None:
        size = os.path.getsize(path)
        if size != expected_size:
            raise errors.ChecksumError(
                    f"{path} is {size} bytes, expected {expected_size} bytes "
                    f"({'truncated' if size < expected_size else 'too long'}); "
                    "replace it with the original file.")
    found = sha256_of(path)
    if found != expected_sha256:
        raise errors.ChecksumError(
                f"{path} has sha256 {found}, expected {expected_sha256}; the file is "
                "corrupt or not the original. Replace it with the original file.")


def arrays_digest(arrays):
    """A sha256 of arrays' shapes and float32 values, e.g. a model's
    `get_weights()`: the same weights give the same digest in any process.

    Example:

    >>> arrays_digest(model.get_weights())
    """
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(str(array.shape).encode())
        digest.update(array.astype("float32").tobytes())
    return digest.hexdigest()
