"""ConditionalScaling: per-channel feature modulation from a condition (FiLM)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="afd_keras")
class ConditionalScaling(keras.layers.Layer):
    """Scales and shifts features per channel by amounts computed from a condition.

    Computes `h * (1 + gamma(c)) + beta(c)`. `gamma` and `beta` come from a
    small MLP on the condition `c` (one hidden ReLU layer). The output
    kernel starts at zero, so the layer is the identity at initialisation.

    Reference:
        Perez et al., "FiLM: Visual Reasoning with a General Conditioning
        Layer", AAAI 2018; Wang et al., "Once-for-All Adversarial Training"
        (OAT), NeurIPS 2020, which puts it after the normalisation layers.

    Args:
        hidden_units: width of the MLP's hidden layer.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: a list `[features, condition]`. `features` has shape
            (batch, ..., channels); `condition` has shape (batch,) or
            (batch, condition_dim), one condition per example.

    Returns:
        A tensor shaped like `features`.

    Example:

    >>> layer = ConditionalScaling(hidden_units=16)
    >>> features = keras.ops.ones((2, 8, 8, 4))
    >>> out = layer([features, keras.ops.array([0.0, 1.0])])
    >>> out.shape
    (2, 8, 8, 4)
    """

    def __init__(self, hidden_units=64, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(hidden_units, int) or hidden_units < 1:
            raise ValueError("`hidden_units` must be a positive integer. "
                             f"Received: hidden_units={hidden_units!r}")
        self.hidden_units = hidden_units

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ValueError("ConditionalScaling expects inputs [features, "
                             f"condition]. Received: input_shape={input_shape}")
        features_shape, condition_shape = input_shape
        channels = features_shape[-1]
        condition_dim = 1 if len(condition_shape) == 1 else condition_shape[-1]
        if channels is None or condition_dim is None:
            raise ValueError("The channel and condition dimensions must be "
                             f"known. Received: input_shape={input_shape}")
        self.hidden_kernel = self.add_weight(
            shape=(condition_dim, self.hidden_units), name="hidden_kernel",
            initializer="glorot_uniform")
        self.hidden_bias = self.add_weight(
            shape=(self.hidden_units,), name="hidden_bias", initializer="zeros")
        # Zero output weights make gamma = beta = 0: the identity at init.
        self.output_kernel = self.add_weight(
            shape=(self.hidden_units, 2 * channels), name="output_kernel",
            initializer="zeros")
        self.output_bias = self.add_weight(
            shape=(2 * channels,), name="output_bias", initializer="zeros")

    def call(self, inputs):
        features, condition = inputs
        condition = ops.cast(condition, self.compute_dtype)
        if len(condition.shape) == 1:
            condition = ops.expand_dims(condition, -1)
        hidden = ops.relu(ops.matmul(condition, self.hidden_kernel) +
                          self.hidden_bias)
        gamma, beta = ops.split(
            ops.matmul(hidden, self.output_kernel) + self.output_bias, 2, axis=-1)
        # (batch, channels) -> (batch, 1, ..., 1, channels) to broadcast.
        broadcast_shape = (-1,) + (1,) * (len(features.shape) - 2) + (
            features.shape[-1],)
        gamma = ops.reshape(gamma, broadcast_shape)
        beta = ops.reshape(beta, broadcast_shape)
        return features * (1.0 + gamma) + beta

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "hidden_units": self.hidden_units}
