"""afd_keras: adversarial feature diversity training for Keras.

Modules:
    data: datasets as [0, 1] image pipelines, offline first.
    models: the classifier architectures, built by name.
    layers: custom Keras layers.
    attacks: adversarial attacks.
    training: adversarial training in `model.fit`.
    evaluation: robustness evaluation and reports.
    zoo: pretrained robust models.
"""

from afd_keras import attacks
from afd_keras import data
from afd_keras import evaluation
from afd_keras import layers
from afd_keras import models
from afd_keras import training
from afd_keras import zoo
from afd_keras.training import AdversarialTrainer

__version__ = "0.1.0"
