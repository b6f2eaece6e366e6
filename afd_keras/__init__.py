"""afd_keras: adversarial feature diversity training for Keras.

Modules:
    data: datasets as [0, 1] image pipelines, offline first.
    models: the classifier architectures, built by name.
"""

from afd_keras import data
from afd_keras import models

__version__ = "0.1.0"
