"""DualBatchNormalization: separate BatchNorm statistics for the dial's
clean end (condition 0) and for every other condition."""

import keras
import tensorflow as tf
from keras import ops


@keras.saving.register_keras_serializable(package="afd_keras")
class DualBatchNormalization(keras.layers.Layer):
    """BatchNorm with two sets of statistics and affine weights, chosen per
    example by its condition: 0 takes the clean set, anything else the
    adversarial set.

    Clean and adversarial images have different feature statistics; one
    BatchNorm fitted to their mixture serves neither end of the dial well.
    Once-for-All Adversarial Training routes the examples trained at
    lam = 0 (clean) through their own BatchNorm and all others through a
    second one, and evaluates lam = 0 with the first. Here each set's batch
    moments are computed over its own examples only (masked sums), so a
    mixed batch needs no split; with `synchronized` the sums and counts are
    added over the replicas first. A set with no examples in the batch
    (e.g. the clean set during an attack at condition 1) leaves its moving
    statistics alone: Keras BatchNorm's masked moments would read them as
    zero and drag them there.

    Reference:
        Wang et al., "Once-for-All Adversarial Training: In-Situ Tradeoff
        between Robustness and Accuracy for Free", NeurIPS 2020 (dual BN).

    Args:
        synchronized: synchronise batch statistics across replicas.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: a list `[features, condition]`; `features` has shape
            (batch, ..., channels), `condition` shape (batch,).
        training: whether to normalise with batch statistics (and update
            the moving ones) or with the moving statistics.

    Returns:
        A tensor shaped like `features`.

    Example:

    >>> layer = DualBatchNormalization()
    >>> features = keras.ops.ones((2, 8, 8, 4))
    >>> layer([features, keras.ops.array([0.0, 1.0])]).shape
    (2, 8, 8, 4)
    """

    def __init__(self, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(synchronized, bool):
            raise ValueError("`synchronized` must be a bool. Received: "
                             f"synchronized={synchronized!r}")
        self.synchronized = synchronized
        # Sublayers are created here so that Keras tracks their weights.
        self.clean_norm = keras.layers.BatchNormalization(
            synchronized=synchronized, dtype=self.dtype_policy,
            name="clean_norm")
        self.adversarial_norm = keras.layers.BatchNormalization(
            synchronized=synchronized, dtype=self.dtype_policy,
            name="adversarial_norm")

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ValueError("DualBatchNormalization expects inputs [features, "
                             f"condition]. Received: input_shape={input_shape}")
        features_shape, condition_shape = input_shape
        if len(condition_shape) != 1:
            raise ValueError("The condition must have shape (batch,). "
                             f"Received: input_shape={input_shape}")
        self.clean_norm.build(features_shape)
        self.adversarial_norm.build(features_shape)

    def call(self, inputs, training=None):
        features, condition = inputs
        clean = ops.equal(ops.cast(condition, "float32"), 0.0)
        # One value per example, broadcast over the positions and channels.
        clean_examples = ops.reshape(
            clean, (-1,) + (1,) * (len(features.shape) - 1))
        if training and self.trainable:
            clean_out = self._normalise_with_batch_moments(
                self.clean_norm, features, clean_examples)
            adversarial_out = self._normalise_with_batch_moments(
                self.adversarial_norm, features, ops.logical_not(clean_examples))
        else:
            clean_out = self.clean_norm(features, training=False)
            adversarial_out = self.adversarial_norm(features, training=False)
        return ops.where(clean_examples, clean_out, adversarial_out)

    def _normalise_with_batch_moments(self, norm, features, selected):
        """`norm`'s training-mode output from the moments of the selected
        examples, updating its moving statistics if there are any."""
        # BatchNorm's arithmetic is float32 under mixed precision too.
        values = ops.cast(features, "float32")
        weights = ops.cast(selected, "float32")
        axes = tuple(range(len(features.shape) - 1))
        count = ops.sum(ops.broadcast_to(weights, ops.shape(values)[:-1] + (1,)))
        sums = [ops.sum(values * weights, axis=axes),
                ops.sum(ops.square(values) * weights, axis=axes)]
        if self.synchronized:
            replica = tf.distribute.get_replica_context()
            if replica is not None:
                count, *sums = replica.all_reduce(tf.distribute.ReduceOp.SUM,
                                                  [count] + sums)
        mean = sums[0] / ops.maximum(count, 1.0)
        variance = ops.relu(sums[1] / ops.maximum(count, 1.0) - ops.square(mean))
        keep = ops.where(count > 0, norm.momentum, 1.0)
        norm.moving_mean.assign(norm.moving_mean * keep + mean * (1.0 - keep))
        norm.moving_variance.assign(
            norm.moving_variance * keep + variance * (1.0 - keep))
        out = (values - mean) * ops.rsqrt(variance + norm.epsilon)
        out = (out * ops.cast(norm.gamma, "float32")
               + ops.cast(norm.beta, "float32"))
        return ops.cast(out, features.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "synchronized": self.synchronized}
