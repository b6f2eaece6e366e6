"""Custom Keras layers."""

from afd_keras.layers.conditional_scaling import ConditionalScaling
from afd_keras.layers.dual_batch_normalization import DualBatchNormalization
