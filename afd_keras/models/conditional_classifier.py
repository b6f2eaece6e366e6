"""ConditionalClassifier: an images-only model with a condition dial."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="afd_keras")
class ConditionalClassifier(keras.Model):
    """Wraps a network on [images, condition] so it can be called on images.

    The network's ConditionalScaling layers read one condition per example.
    Training feeds a condition per example. At inference the model uses its
    dial, `condition`, which is saved with the weights. One trained model
    gives a whole accuracy/robustness curve: 0 is the clean end, 1 the
    robust end.

    Args:
        network: a functional model with inputs `[images, condition]`,
            where `condition` has shape (batch,), that outputs logits.
        default_condition: the dial's initial value, in [0, 1].
        **kwargs: base model arguments (`name`, ...).

    Example:

    >>> model = afd_keras.models.build("small_cnn", conditional=True)
    >>> model.set_condition(0.5)
    >>> logits = model(images)                          # at the dial
    >>> logits = model(images, condition=conditions)    # per example
    """

    def __init__(self, network, default_condition=1.0, **kwargs):
        super().__init__(**kwargs)
        _check_condition(default_condition)
        self.network = network
        self.default_condition = float(default_condition)
        self.condition = self.add_weight(
            shape=(), name="condition", trainable=False,
            initializer=keras.initializers.Constant(self.default_condition))
        # A functional network is built already, and so is its wrapper.
        self.built = network.built

    def call(self, images, condition=None, training=None):
        if condition is None:
            condition = ops.broadcast_to(
                ops.cast(self.condition, images.dtype), ops.shape(images)[:1])
        return self.network([images, condition], training=training)

    def set_condition(self, value):
        """Sets the inference dial.

        Args:
            value: a float in [0, 1].
        """
        _check_condition(value)
        self.condition.assign(float(value))

    def build(self, input_shape):
        if not self.network.built:
            self.network.build([input_shape, input_shape[:1]])

    def compute_output_shape(self, input_shape):
        return self.network.compute_output_shape([input_shape, input_shape[:1]])

    def get_config(self):
        return {**super().get_config(),
                "network": keras.saving.serialize_keras_object(self.network),
                "default_condition": self.default_condition}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["network"] = keras.saving.deserialize_keras_object(
            config["network"])
        return cls(**config)


def _check_condition(value):
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"The condition must be in [0, 1]. Received: {value!r}")
