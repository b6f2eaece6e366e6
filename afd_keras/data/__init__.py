"""Datasets as `tf.data` pipelines of [0, 1] float images and int labels.

Example:

>>> import afd_keras
>>> ds = afd_keras.data.load("mnist", "train", batch_size=128, shuffle=True)
"""

from afd_keras.data import sample
from afd_keras.data.catalog import DatasetSpec
from afd_keras.data.catalog import get_spec
from afd_keras.data.catalog import list_datasets
from afd_keras.data.loader import DATA_DIR_ENV
from afd_keras.data.loader import load
from afd_keras.utils.errors import ChecksumError
from afd_keras.utils.errors import DataFormatError
from afd_keras.utils.errors import DataNotFoundError
