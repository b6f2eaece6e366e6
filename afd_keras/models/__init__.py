"""Classifier architectures, built by name.

Every model takes [0, 1] NHWC images, normalises them inside with the
dataset's statistics, and outputs logits.
"""

from afd_keras.models.conditional_classifier import ConditionalClassifier
from afd_keras.models.registry import build
from afd_keras.models.registry import list_architectures
