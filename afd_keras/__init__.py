"""afd_keras: adversarial feature diversity training for Keras.

Modules, each importing only those listed above it:
    utils: error messages, checksums and machine facts.
    data: datasets as [0, 1] image pipelines, offline first.
    layers: custom Keras layers.
    models: the classifier architectures, built by name.
    attacks: adversarial attacks.
    training: adversarial training in `model.fit`.
    evaluation: robustness evaluation and reports.
    zoo: pretrained robust models.
    benchmarks, quickstart: what the tools run.
"""

from afd_keras import attacks
from afd_keras import data
from afd_keras import evaluation
from afd_keras import layers
from afd_keras import models
from afd_keras import training
from afd_keras import zoo
from afd_keras.training import AdversarialTrainer

from afd_keras.utils.version import __version__  # noqa: F401
