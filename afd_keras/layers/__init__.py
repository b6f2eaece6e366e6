"""Custom Keras layers."""

from afd_keras.layers.conditional_scaling import ConditionalScaling
