"""sha256 verification: its memo never hides a replaced file."""

import hashlib
import os

import pytest

from afd_keras.utils import checksums
from afd_keras.utils import errors


def test_a_file_replaced_with_its_size_and_mtime_kept_is_hashed_again(
        tmp_path):
    path = tmp_path / "weights.h5"
    path.write_bytes(b"published")
    published = hashlib.sha256(b"published").hexdigest()
    checksums.verify(path, published, len(b"published"))
    stat = os.stat(path)
    # Same size, and the old mtime put back, as `cp -p` or `rsync -t` would.
    path.write_bytes(b"tampered!")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(errors.ChecksumError, match=published):
        checksums.verify(path, published, len(b"published"))
