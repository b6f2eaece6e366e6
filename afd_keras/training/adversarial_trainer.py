"""AdversarialTrainer: AFD and its baselines as a `keras.Model.train_step`."""

import dataclasses
import typing

import keras
import numpy as np
import tensorflow as tf

from afd_keras.attacks import norms
from afd_keras.models.conditional_classifier import ConditionalClassifier
from afd_keras.training import methods
from afd_keras.training import mixing
from afd_keras.training import perturbations
from afd_keras.training import randomness

_SEED_STATE = "seed_generator_state"


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
        method: "standard", "fgsm_rs", "pgd", "trades" or "afd".
        epsilon: the L-inf budget on [0, 1] images.
        step_size: the attack step alpha; defaults to the method's multiple
            of epsilon.
        num_steps: attack steps K; defaults to the method's.
        init: "zero", "uniform", "sign" or "normal"; defaults to the method's.
        mixing: "none"; "mixup" (mixup of adversarial examples of different
            images, labels mixed alike); "interpolate" (x + c * delta with
            c ~ U(0, 1) per example); or "mixup_input" (the attack runs on
            mixup-mixed inputs). Defaults to the method's, which for "afd"
            is "interpolate" with a conditional classifier and "none"
            otherwise.
        mixup_alpha: the Beta(alpha, alpha) parameter of the mixup modes.
        full_strength_share: with "interpolate", the share of examples kept
            at full strength (c = 1); the others draw c ~ U(0, 1). Training
            the dial's robust end on more examples keeps it robust. Defaults
            to the method's (0.5 for "afd", else 0).
        trades_beta: the weight of the TRADES KL term.
        init_scale: the starting noise's radius as a multiple of epsilon;
            defaults to the method's (2 for "n_fgsm", else 1).
        objective: "clean", "adversarial", "trades" or "loss_weighted"
            (see `OBJECTIVES`); defaults to the method's. "loss_weighted"
            trains (1 - lam) CE(x) + lam CE(x_adv) with lam drawn per
            example (1 for a `full_strength_share`, else U(0, 1)) and read
            by the dial, as in Once-for-All Adversarial Training.
        projection: "ball" keeps every iterate in the epsilon-ball and
            [0, 1]; "box" only in [0, 1] (N-FGSM: the training perturbation
            can reach init_scale * eps + step_size). Defaults to the
            method's.
        seed: seeds the perturbations and mixing.
        **kwargs: base model arguments (`name`, ...).

    Example:

    >>> clf = afd_keras.models.build("small_cnn")
    >>> model = AdversarialTrainer(clf, method="afd", epsilon=0.3)
    >>> model.compile(optimizer="sgd", metrics=["accuracy"])
    >>> model.fit(afd_keras.data.load("mnist", "train", batch_size=128))
    """

    def __init__(self, classifier, method="afd", epsilon=8 / 255, *,
                 step_size=None, num_steps=None, init=None, mixing=None,
                 mixup_alpha=1.0, full_strength_share=None, trades_beta=6.0,
                 init_scale=None, projection=None, objective=None, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        if method not in methods.METHODS:
            raise ValueError(f"Unknown method; expected one of "
                             f"{sorted(methods.METHODS)}. Received: method={method!r}")
        defaults = methods.METHODS[method]
        conditional = isinstance(classifier, ConditionalClassifier)
        init = defaults.init if init is None else init
        objective = defaults.objective if objective is None else objective
        if objective not in OBJECTIVES:
            raise ValueError(f"Unknown objective; expected one of "
                             f"{sorted(OBJECTIVES)}. Received: "
                             f"objective={objective!r}")
        if mixing is None and not OBJECTIVES[objective].mixes:
            mixing = "none"
        if mixing is None:
            mixing = (defaults.conditional_mixing if conditional and
                      defaults.conditional_mixing else defaults.mixing)
        mixing_mode = mixing
        if full_strength_share is None:
            full_strength_share = defaults.full_strength_share
        init_scale = defaults.init_scale if init_scale is None else init_scale
        projection = defaults.projection if projection is None else projection
        num_steps = defaults.num_steps if num_steps is None else num_steps
        if step_size is None:
            step_size = defaults.step_size_ratio * epsilon
        _validate(classifier, method, epsilon, step_size, num_steps, init,
                  mixing_mode, mixup_alpha, full_strength_share, trades_beta,
                  init_scale, projection, objective)
        self.classifier = classifier
        self.method = method
        self.epsilon = float(epsilon)
        self.step_size = float(step_size)
        self.num_steps = int(num_steps)
        self.init = init
        self.mixing = mixing_mode
        self.mixup_alpha = float(mixup_alpha)
        self.full_strength_share = float(full_strength_share)
        self.trades_beta = float(trades_beta)
        self.init_scale = float(init_scale)
        self.projection = projection
        self.objective = objective
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._conditional = conditional
        self._kl_divergence = keras.losses.KLDivergence()
        self.built = classifier.built

    def compile(self, optimizer="rmsprop", loss=None, **kwargs):
        """Compiles; the loss defaults to sparse cross-entropy on logits."""
        if loss is None:
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        super().compile(optimizer=optimizer, loss=loss, **kwargs)
        # Mixup's second label term reuses the same loss, scaled the same way.
        self._label_loss = keras.losses.get(loss)

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
            y_pred = self._logits(batch.inputs, batch.condition, training=True)
            loss = OBJECTIVES[self.objective].training_loss(
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
        objective = OBJECTIVES[self.objective]
        if objective.attack_loss is None:
            return TrainingBatch(x, condition=0.0)
        y_other, lam = None, None
        if self.mixing == "mixup_input":
            x, permutation, lam = mixing.mixup(x, self.mixup_alpha, mix_seed)
            y_other = tf.gather(y, permutation)
        # The condition is drawn before the attack when the attack reads it.
        loss_weight = (_interpolation_strength(
            tf.shape(y), self.full_strength_share, mix_seed, x.dtype)
                       if objective.weights_by_condition else None)
        attack_condition = 1.0 if loss_weight is None else loss_weight
        delta = self._perturbation(x, y, y_other, lam, attack_condition,
                                   init_seed)
        if loss_weight is not None:
            return TrainingBatch(x + delta, condition=loss_weight)
        if self.mixing == "interpolate":
            strength = _interpolation_strength(tf.shape(y), self.full_strength_share,
                                               mix_seed, x.dtype)
            return TrainingBatch(x + _per_example(strength, x) * delta,
                                 condition=strength)
        x_adv = x + delta
        if self.mixing == "mixup":
            x_adv, permutation, lam = mixing.mixup(x_adv, self.mixup_alpha,
                                                   mix_seed)
            y_other = tf.gather(y, permutation)
        return TrainingBatch(x_adv, y_other, lam)

    def _perturbation(self, x, y, y_other, lam, condition, seed):
        delta = perturbations.initial_perturbation(
            x, self.epsilon, self.init, seed, self.init_scale, self.projection)
        attack_loss = OBJECTIVES[self.objective].attack_loss(
            self, x, y, y_other, lam, condition)
        return norms.gradient_steps(
            x, delta, attack_loss,
            perturbations.projection_radius(self.epsilon, self.projection),
            self.step_size, self.num_steps)

    def _logits(self, images, condition, training):
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
            "method": self.method,
            "epsilon": self.epsilon,
            "step_size": self.step_size,
            "num_steps": self.num_steps,
            "init": self.init,
            "mixing": self.mixing,
            "mixup_alpha": self.mixup_alpha,
            "full_strength_share": self.full_strength_share,
            "trades_beta": self.trades_beta,
            "init_scale": self.init_scale,
            "projection": self.projection,
            "objective": self.objective,
            "seed": self.seed,
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


def _cross_entropy_attack(trainer, x, y, y_other, lam, condition):
    """CE of the perturbed images, mixed like the labels under mixup."""
    del x

    def attack_loss(x_adv):
        logits = trainer._logits(x_adv, condition, training=True)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits)
        if lam is not None:
            loss = lam * loss + (1.0 - lam) * (
                tf.nn.sparse_softmax_cross_entropy_with_logits(y_other, logits))
        return tf.reduce_sum(loss)

    return attack_loss


def _kl_attack(trainer, x, y, y_other, lam, condition):
    """TRADES: KL(clean || perturbed) predictions."""
    del y, y_other, lam
    clean_probs = tf.stop_gradient(
        tf.nn.softmax(trainer._logits(x, 0.0, training=True)))

    def attack_loss(x_adv):
        return tf.reduce_sum(keras.losses.kl_divergence(
            clean_probs, tf.nn.softmax(trainer._logits(x_adv, condition, True))))

    return attack_loss


def _cross_entropy_loss(trainer, x, y, batch, y_pred, sample_weight):
    """CE on the training inputs; mixup adds the second label's term."""
    del x
    weight_a, weight_b = _mix_weights(sample_weight, batch.lam)
    loss = trainer.compute_loss(x=batch.inputs, y=y, y_pred=y_pred,
                                sample_weight=weight_a)
    if batch.lam is not None:
        loss += trainer._label_loss(batch.other_labels, y_pred,
                                    sample_weight=weight_b)
    return loss


def _trades_loss(trainer, x, y, batch, y_pred, sample_weight):
    """CE(clean) + beta KL(clean || adversarial) (Zhang et al. 2019)."""
    clean_logits = trainer._logits(x, 0.0, training=True)
    return trainer.compute_loss(
        x=x, y=y, y_pred=clean_logits, sample_weight=sample_weight
    ) + trainer.trades_beta * trainer._kl_divergence(
        tf.nn.softmax(clean_logits), tf.nn.softmax(y_pred),
        sample_weight=sample_weight)


def _loss_weighted_loss(trainer, x, y, batch, y_pred, sample_weight):
    """(1 - lam) CE(x) + lam CE(x_adv), both at condition lam (OAT)."""
    lam = batch.condition
    clean_logits = trainer._logits(x, lam, training=True)
    weight_adv, weight_clean = _mix_weights(sample_weight, lam)
    return (trainer.compute_loss(x=x, y=y, y_pred=clean_logits,
                                 sample_weight=weight_clean) +
            trainer.compute_loss(x=batch.inputs, y=y, y_pred=y_pred,
                                 sample_weight=weight_adv))


@dataclasses.dataclass(frozen=True)
class Objective:
    """What a training step maximises and minimises.

    Attributes:
        attack_loss: builds the loss the attack ascends; None trains on clean
            inputs only.
        training_loss: the loss the classifier descends.
        weights_by_condition: each example draws lam (1 for a
            `full_strength_share` of the examples, else U(0, 1)), which
            weights its clean and adversarial terms and is its condition.
        mixes: whether the `mixing` modes apply.
    """

    attack_loss: typing.Callable | None
    training_loss: typing.Callable
    weights_by_condition: bool = False
    mixes: bool = True


OBJECTIVES = {
    "clean": Objective(None, _cross_entropy_loss, mixes=False),
    "adversarial": Objective(_cross_entropy_attack, _cross_entropy_loss),
    "trades": Objective(_kl_attack, _trades_loss, mixes=False),
    # Once-for-All Adversarial Training (Wang et al., NeurIPS 2020): the
    # dial reads the loss weight, so c = 0 is the standard end.
    "loss_weighted": Objective(_cross_entropy_attack, _loss_weighted_loss,
                               weights_by_condition=True, mixes=False),
}


def _interpolation_strength(shape, full_share, seed, dtype):
    """c = 1 for a `full_share` of the examples, c ~ U(0, 1) for the rest."""
    # The uniform draw uses `seed` itself: full_share = 0 repeats older runs.
    strength = tf.random.stateless_uniform(shape, seed, dtype=dtype)
    full = tf.random.stateless_uniform(
        shape, tf.random.experimental.stateless_fold_in(seed, 1)) < full_share
    return tf.where(full, tf.ones_like(strength), strength)


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


def _mix_weights(sample_weight, lam):
    if lam is None:
        return sample_weight, None
    if sample_weight is None:
        return lam, 1.0 - lam
    sample_weight = tf.cast(tf.reshape(sample_weight, [-1]), lam.dtype)
    return sample_weight * lam, sample_weight * (1.0 - lam)


def _checked_images(x):
    message = "AdversarialTrainer expects images in [0, 1]; received values"
    with tf.control_dependencies([
            tf.debugging.assert_greater_equal(x, tf.cast(0.0, x.dtype),
                                              message=message + " below 0"),
            tf.debugging.assert_less_equal(x, tf.cast(1.0, x.dtype),
                                           message=message + " above 1")]):
        return tf.identity(x)


def _validate(classifier, method, epsilon, step_size, num_steps, init,
              mixing_mode, mixup_alpha, full_strength_share, trades_beta,
              init_scale, projection, objective):
    if not isinstance(classifier, keras.Model):
        raise ValueError("`classifier` must be a keras.Model mapping [0, 1] "
                         f"images to logits. Received: {type(classifier).__name__}")
    checks = [
        (0.0 <= epsilon <= 1.0, f"epsilon must be in [0, 1]. Received: epsilon={epsilon!r}"),
        (step_size >= 0.0, f"step_size must be >= 0. Received: step_size={step_size!r}"),
        (isinstance(num_steps, int) and num_steps >= 0,
         f"num_steps must be an integer >= 0. Received: num_steps={num_steps!r}"),
        (init in perturbations.INITS,
         f"Unknown init; expected one of {perturbations.INITS}. Received: init={init!r}"),
        (mixing_mode in mixing.MIXINGS,
         f"Unknown mixing; expected one of {mixing.MIXINGS}. Received: mixing={mixing_mode!r}"),
        (mixup_alpha > 0.0, f"mixup_alpha must be > 0. Received: mixup_alpha={mixup_alpha!r}"),
        (0.0 <= full_strength_share <= 1.0,
         "full_strength_share must be in [0, 1]. Received: "
         f"full_strength_share={full_strength_share!r}"),
        (trades_beta >= 0.0, f"trades_beta must be >= 0. Received: trades_beta={trades_beta!r}"),
        (init_scale >= 0.0, f"init_scale must be >= 0. Received: init_scale={init_scale!r}"),
        (projection in perturbations.PROJECTIONS,
         f"Unknown projection; expected one of {perturbations.PROJECTIONS}. "
         f"Received: projection={projection!r}"),
        (OBJECTIVES[objective].mixes or mixing_mode == "none",
         f"Objective {objective} does not mix examples. Received: "
         f"mixing={mixing_mode!r}"),
    ]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)
