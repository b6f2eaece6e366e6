"""AdversarialTrainer: AFD and its baselines as a `keras.Model.train_step`."""

import dataclasses
import typing

import keras
import numpy as np
import tensorflow as tf

from afd_keras.layers import DualBatchNormalization
from afd_keras.models.conditional_classifier import ConditionalClassifier
from afd_keras.training import methods
from afd_keras.training import mixing
from afd_keras.training import perturbations
from afd_keras.training import objectives
from afd_keras.training import randomness
from afd_keras.training.settings import TrainerSettings

_SEED_STATE = "seed_generator_state"
SETTING_NAMES = tuple(f.name for f in dataclasses.fields(TrainerSettings))


@keras.saving.register_keras_serializable(package="afd_keras")
class AdversarialTrainer(keras.Model):
    """Trains a classifier on adversarial examples with plain `model.fit`.

    Each step draws a starting perturbation delta_0, takes `num_steps`
    signed-gradient steps of size `step_size` inside the L-inf ball of
    radius `epsilon`, optionally mixes examples, and trains on the result.
    The methods differ only in their defaults (see `methods.METHODS`):

    - "standard": clean training.
    - "fgsm_rs": uniform init, one step of 1.25 eps (Wong et al. 2020).
    - "n_fgsm": noise U(-2 eps, 2 eps), one step of eps, no projection onto
      the ball, only into [0, 1] (de Jorge et al. 2022).
    - "pgd": uniform init, 10 steps of eps / 4 (Madry et al. 2018).
    - "trades": CE(clean) + beta * KL(clean || adversarial), with the KL
      maximised in 10 steps (Zhang et al. 2019).
    - "afd": sign init eps * sign(U(-1, 1)), then one step of 1.25 eps
      (Xue et al. 2024, reconstructed; see WORKSPACE_NOTES.md). With a
      conditional classifier (ConditionalScaling), it also mixes clean and
      adversarial inputs, x + c * delta, with c = 1 for half the examples
      and c ~ U(0, 1) for the rest, and c is the condition. Without one,
      mixing is off: alone, it lowered robust accuracy.

    Every component can be overridden, which gives the ablations. When the
    classifier is a `ConditionalClassifier`, each example's condition is the
    strength of its perturbation: 0 for clean, 1 for a full perturbation, c
    for the interpolation `x + c * delta`.

    Args:
        classifier: a `keras.Model` mapping [0, 1] images to logits.
        **kwargs: the hyperparameters, as fields of `TrainerSettings`
            (each field's help text documents it; None or leaving it out
            takes the method's default), and base model arguments (`name`,
            ...). Each setting reads back as
            an attribute, e.g. `trainer.step_size`.

    Example:

    >>> clf = afd_keras.models.build("small_cnn")
    >>> model = AdversarialTrainer(clf, method="afd", epsilon=0.3)
    >>> model.compile(optimizer="sgd", metrics=["accuracy"])
    >>> model.fit(afd_keras.data.load("mnist", "train", batch_size=128))
    """

    def __init__(self, classifier, **kwargs):
        settings = {name: kwargs.pop(name) for name in SETTING_NAMES
                    if name in kwargs}
        super().__init__(**kwargs)
        if not isinstance(classifier, keras.Model):
            raise ValueError("`classifier` must be a keras.Model mapping [0, 1] "
                             "images to logits. Received: "
                             f"{type(classifier).__name__}")
        conditional = isinstance(classifier, ConditionalClassifier)
        self.settings = TrainerSettings(**settings).resolve(conditional)
        if (self.settings.zero_strength_share == 0
                and _has_dual_batch_norm(classifier)):
            # Its clean statistics would only ever see empty batches.
            raise ValueError("A classifier with DualBatchNormalization needs "
                             "clean examples in every batch: set "
                             "zero_strength_share > 0. Received: "
                             "zero_strength_share=0.0")
        self.classifier = classifier
        self.seed_generator = keras.random.SeedGenerator(self.settings.seed)
        self._conditional = conditional
        self.kl_divergence = keras.losses.KLDivergence()
        self.built = classifier.built

    def __getattr__(self, name):
        # Every setting reads as an attribute: trainer.epsilon, trainer.mixing.
        if name in SETTING_NAMES and "settings" in self.__dict__:
            return getattr(self.__dict__["settings"], name)
        raise AttributeError(f"{type(self).__name__!r} object has no "
                             f"attribute {name!r}")

    def compile(self, optimizer="rmsprop", loss=None, **kwargs):
        """Compiles; the loss defaults to sparse cross-entropy on logits."""
        if loss is None:
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        super().compile(optimizer=optimizer, loss=loss, **kwargs)
        # Mixup's second label term reuses the same loss, scaled the same way.
        self.label_loss = keras.losses.get(loss)

    def compile_from_config(self, config):
        # Keras skips overridden compile() methods on load; this restores the
        # optimizer and loss so that a loaded trainer resumes training.
        self.compile(**keras.saving.deserialize_keras_object(config))
        if self.built:
            self.optimizer.build(self.trainable_variables)

    def save_own_variables(self, store):
        # Keras saves no SeedGenerator state; a resumed run must continue
        # the stream of perturbations, not restart it.
        super().save_own_variables(store)
        store[_SEED_STATE] = np.asarray(self.seed_generator.state.numpy())

    def load_own_variables(self, store):
        if _SEED_STATE in store:
            self.seed_generator.state.assign(np.asarray(store[_SEED_STATE]))
        super().load_own_variables(
            {key: store[key] for key in store.keys() if key != _SEED_STATE})

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Before training, Keras 3 averages one batch over the replicas to
        # learn its shapes, which MultiWorkerMirroredStrategy cannot do
        # (keras-team/keras#20585). One replica's batch has the shapes.
        strategy = self._distribute_strategy
        if iterator is None or not isinstance(
                strategy, tf.distribute.MultiWorkerMirroredStrategy):
            return super()._maybe_symbolic_build(iterator, data_batch)
        for _, _, batches in iterator:
            data_batch = tf.nest.map_structure(
                lambda value: strategy.experimental_local_results(value)[0],
                next(batches))
            break
        with strategy.scope():
            self._symbolic_build(data_batch=data_batch)
        return None

    def call(self, images, training=None):
        return self.classifier(images, training=training)

    def build(self, input_shape):
        if not self.classifier.built:
            self.classifier.build(input_shape)

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        x = _checked_images(x)
        y = tf.reshape(tf.cast(y, tf.int32), [-1])
        batch = self._training_batch(x, y, *self._step_seeds())
        with tf.GradientTape() as tape:
            y_pred = self.logits(batch.inputs, batch.condition, training=True)
            loss = objectives.OBJECTIVES[self.objective].training_loss(
                self, x, y, batch, y_pred, sample_weight)
            # Keras losses divide by the replica count, so the summed
            # gradients equal one device's on the global batch.
            scaled_loss = self.optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled_loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        self._update_loss_metric(loss)
        return _reducible(self.compute_metrics(batch.inputs, y, y_pred,
                                               sample_weight))

    def test_step(self, data):
        return _reducible(super().test_step(data))

    def training_batch(self, x, y):
        """Returns the batch a training step on (x, y) would train on.

        It draws from the same seed stream as `train_step`, so it shows what
        the method does (the perturbation, the mixing, the conditions);
        under a strategy, call it in `strategy.run` to see each replica's.
        Like a step, it advances the seed stream: calling it between
        training steps changes the perturbations that follow.

        Args:
            x: images in [0, 1], NHWC.
            y: int labels of shape (batch,).

        Returns:
            (inputs, condition): the images trained on, and the condition
            (a scalar, or one value per example) given to a conditional
            classifier.

        Example:

        >>> x_adv, condition = trainer.training_batch(images, labels)
        """
        x = _checked_images(tf.convert_to_tensor(x))
        y = tf.reshape(tf.cast(y, tf.int32), [-1])
        batch = self._training_batch(x, y, *self._step_seeds())
        return batch.inputs, batch.condition

    def _step_seeds(self):
        """(init_seed, mix_seed): new every step, different on every replica."""
        return tf.unstack(tf.random.experimental.stateless_split(
            randomness.replica_seed(self.seed_generator), 2))

    def _training_batch(self, x, y, init_seed, mix_seed):
        """Builds the batch to train on, as a `TrainingBatch`."""
        objective = objectives.OBJECTIVES[self.objective]
        if objective.attack_loss is None:
            return TrainingBatch(x, condition=0.0)
        y_other, lam = None, None
        if self.mixing == "mixup_input":
            x, permutation, lam = mixing.mixup(x, self.mixup_alpha, mix_seed)
            y_other = tf.gather(y, permutation)
        # The condition is drawn before the attack when the attack reads it.
        loss_weight = (_interpolation_strength(
            tf.shape(y), self.full_strength_share, self.zero_strength_share,
            mix_seed, x.dtype)
                       if objective.weights_by_condition else None)
        attack_condition = (loss_weight if loss_weight is not None else
                            self._mixing_condition(lam))
        # An example at lam = 0 has no adversarial term, so it stays clean in
        # the attack too: a dual-BN net's clean statistics then see clean
        # images only.
        perturbed = (None if loss_weight is None else
                     _per_example(tf.cast(loss_weight > 0, x.dtype), x))
        delta = self._perturbation(x, y, y_other, lam, attack_condition,
                                   init_seed, perturbed)
        if loss_weight is not None:
            return TrainingBatch(x + delta, condition=loss_weight)
        if self.mixing == "interpolate":
            strength = _interpolation_strength(
                tf.shape(y), self.full_strength_share, self.zero_strength_share,
                mix_seed, x.dtype)
            return TrainingBatch(x + _per_example(strength, x) * delta,
                                 condition=strength)
        x_adv = x + delta
        if self.mixing == "mixup":
            x_adv, permutation, lam = mixing.mixup(x_adv, self.mixup_alpha,
                                                   mix_seed)
            y_other = tf.gather(y, permutation)
        return TrainingBatch(x_adv, y_other, lam,
                             condition=self._mixing_condition(lam))

    def _mixing_condition(self, lam):
        """|2 lam - 1| with `condition_on_mixing` (1 unmixed, 0 half and
        half), else 1: the dial reads how little an example is mixed."""
        if lam is None or not self.condition_on_mixing:
            return 1.0
        return tf.abs(2.0 * lam - 1.0)

    def _perturbation(self, x, y, y_other, lam, condition, seed,
                      perturbed=None):
        """The attack's perturbation; zero where `perturbed` (one 0 or 1
        per example, broadcast like `x`) is 0."""
        delta = perturbations.initial_perturbation(
            x, self.epsilon, self.init, seed, self.init_scale, self.projection)
        if perturbed is not None:
            delta *= perturbed
        attack_loss = objectives.OBJECTIVES[self.objective].attack_loss(
            self, x, y, y_other, lam, condition)
        delta = perturbations.gradient_steps(
            x, delta, attack_loss,
            perturbations.projection_radius(self.epsilon, self.projection),
            self.step_size, self.num_steps)
        return delta if perturbed is None else delta * perturbed

    def logits(self, images, condition, training):
        """The classifier's logits, at `condition` if it has a dial."""
        if not self._conditional:
            return self.classifier(images, training=training)
        condition = tf.broadcast_to(tf.cast(condition, images.dtype),
                                    tf.shape(images)[:1])
        return self.classifier(images, condition=condition, training=training)

    def _update_loss_metric(self, loss):
        # compute_loss divides by the replica count; report the true value.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss * replicas)

    def get_config(self):
        return {
            **super().get_config(),
            "classifier": keras.saving.serialize_keras_object(self.classifier),
            **dataclasses.asdict(self.settings),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["classifier"] = keras.saving.deserialize_keras_object(
            config["classifier"])
        return cls(**config)


class TrainingBatch(typing.NamedTuple):
    """What one step trains on.

    Attributes:
        inputs: the images the classifier sees.
        other_labels: with mixup, the labels of the second images.
        lam: with mixup, the weight of the first image's label.
        condition: the dial's value, a scalar or one per example.
    """

    inputs: tf.Tensor
    other_labels: tf.Tensor | None = None
    lam: tf.Tensor | None = None
    condition: typing.Any = 1.0


def _interpolation_strength(shape, full_share, zero_share, seed, dtype):
    """c = 1 for a `full_share` of the examples, c = 0 for a `zero_share`,
    c ~ U(0, 1) for the rest."""
    # The uniform draw uses `seed` itself: full_share = 0 repeats older runs,
    # and zero_share = 0 those from before it existed.
    strength = tf.random.stateless_uniform(shape, seed, dtype=dtype)
    share_draw = tf.random.stateless_uniform(
        shape, tf.random.experimental.stateless_fold_in(seed, 1))
    strength = tf.where(share_draw < full_share, tf.ones_like(strength), strength)
    return tf.where((share_draw >= full_share) &
                    (share_draw < full_share + zero_share),
                    tf.zeros_like(strength), strength)


def _has_dual_batch_norm(model):
    """Whether `model` or any model inside it has a DualBatchNormalization."""
    for layer in getattr(model, "layers", ()):
        if isinstance(layer, DualBatchNormalization) or _has_dual_batch_norm(layer):
            return True
    return False


def _reducible(logs):
    """Gives scalar step results the axis Keras 3 averages workers along.

    Under MultiWorkerMirroredStrategy, Keras reduces each result with
    `strategy.reduce("MEAN", value, axis=0)`, which fails on scalars
    (keras-team/keras#20585).
    """
    if not isinstance(tf.distribute.get_strategy(),
                      tf.distribute.MultiWorkerMirroredStrategy):
        return logs
    return {key: tf.expand_dims(value, 0) for key, value in logs.items()}


def _per_example(values, x):
    return tf.reshape(values, [-1] + [1] * (len(x.shape) - 1))


def _checked_images(x):
    message = "AdversarialTrainer expects images in [0, 1]; received values"
    with tf.control_dependencies([
            tf.debugging.assert_greater_equal(x, tf.cast(0.0, x.dtype),
                                              message=message + " below 0"),
            tf.debugging.assert_less_equal(x, tf.cast(1.0, x.dtype),
                                           message=message + " above 1")]):
        return tf.identity(x)
