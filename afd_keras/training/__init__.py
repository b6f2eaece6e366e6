"""Adversarial training in `model.fit`: AFD and its baselines."""

from afd_keras.training.adversarial_trainer import AdversarialTrainer
from afd_keras.training.methods import METHODS
from afd_keras.training.objectives import OBJECTIVES
from afd_keras.training.settings import TrainerSettings
