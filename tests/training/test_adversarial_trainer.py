"""Tests for afd_keras.AdversarialTrainer on tiny, seeded problems."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import afd_keras
from afd_keras import models
from afd_keras.data import sample
from afd_keras.training import METHODS

EPSILON = 0.3


def _tiny_classifier(conditional=False):
    return models.build("small_cnn", filters=(4, 8), dense_units=16,
                        conditional=conditional)


def _tiny_data(count=64, batch_size=32):
    images, labels = sample.read_split("mnist", "test")
    images = images[:count].astype("float32") / 255.0
    return tf.data.Dataset.from_tensor_slices(
        (images, labels[:count])).batch(batch_size)


def _trainer(method="afd", conditional=False, seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    trainer = afd_keras.AdversarialTrainer(
        _tiny_classifier(conditional), method=method, epsilon=EPSILON,
        seed=seed, **kwargs)
    trainer.compile(optimizer=keras.optimizers.Adam(3e-3), metrics=["accuracy"],
                    **({"run_eagerly": True} if kwargs.pop("eager", False) else {}))
    return trainer


@pytest.mark.parametrize("run_eagerly", [False, True], ids=["graph", "eager"])
@pytest.mark.parametrize("method", sorted(METHODS))
def test_fit_runs_every_method(method, run_eagerly):
    keras.utils.set_random_seed(0)
    trainer = afd_keras.AdversarialTrainer(_tiny_classifier(), method=method,
                                           epsilon=EPSILON, seed=0)
    trainer.compile(optimizer="sgd", metrics=["accuracy"], run_eagerly=run_eagerly)
    history = trainer.fit(_tiny_data(), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert 0.0 <= history.history["accuracy"][0] <= 1.0


@pytest.mark.parametrize("method,mixing", [
    ("standard", None), ("trades", None), ("afd", "none"), ("afd", "mixup"),
    ("afd", "interpolate"), ("afd", "mixup_input")])
def test_training_lowers_the_loss(method, mixing):
    trainer = _trainer(method, mixing=mixing)
    history = trainer.fit(_tiny_data(), epochs=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_same_seed_gives_same_weights():
    weights = []
    for _ in range(2):
        trainer = _trainer("afd", mixing="mixup", seed=7)
        trainer.fit(_tiny_data(), epochs=2, verbose=0)
        weights.append([w.numpy() for w in trainer.classifier.weights])
    for first, second in zip(*weights):
        np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("mixing", ["none", "interpolate", "mixup_input"])
def test_training_batch_stays_in_ball_and_box(mixing):
    trainer = _trainer("afd", mixing=mixing)
    x, y = next(iter(_tiny_data()))
    seeds = tf.constant([[1, 2], [3, 4]], tf.int32)
    x_train, _, _, condition = trainer._training_batch(  # pylint: disable=protected-access
        x, tf.cast(y, tf.int32), seeds[0], seeds[1])
    reference = x if mixing != "mixup_input" else None
    x_train = x_train.numpy()
    assert x_train.min() >= 0.0 and x_train.max() <= 1.0
    if reference is not None:
        assert np.abs(x_train - reference.numpy()).max() <= EPSILON + 1e-6
    if mixing == "interpolate":
        condition = condition.numpy()
        assert condition.shape == (32,) and 0 <= condition.min() <= condition.max() <= 1


@pytest.mark.parametrize("conditional,mixing,share", [
    (False, "none", 0.5), (True, "interpolate", 0.5)])
def test_afd_mixes_by_default_only_with_a_dial(conditional, mixing, share):
    trainer = _trainer("afd", conditional=conditional)
    assert (trainer.mixing, trainer.full_strength_share) == (mixing, share)
    assert _trainer("fgsm_rs", conditional=conditional).mixing == "none"


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_full_strength_share_sets_that_share_of_conditions_to_one(share):
    trainer = _trainer("afd", mixing="interpolate", full_strength_share=share)
    x, y = next(iter(_tiny_data(count=1000, batch_size=1000)))
    y = tf.cast(y, tf.int32)
    seeds = tf.constant([[1, 2], [3, 4]], tf.int32)
    _, _, _, condition = trainer._training_batch(  # pylint: disable=protected-access
        x, y, seeds[0], seeds[1])
    at_one = np.mean(condition.numpy() == 1.0)
    assert abs(at_one - share) < 0.05
    assert condition.numpy().min() >= 0.0


@pytest.mark.parametrize("objective", ["interpolate", "loss_weighted"])
def test_zero_strength_share_sets_that_share_of_conditions_to_zero(objective):
    settings = (dict(mixing="interpolate") if objective == "interpolate" else
                dict(objective="loss_weighted", conditional=True))
    trainer = _trainer("afd", full_strength_share=0.5, zero_strength_share=0.25,
                       **settings)
    x, y = next(iter(_tiny_data(count=1000, batch_size=1000)))
    seeds = tf.constant([[1, 2], [3, 4]], tf.int32)
    inputs, _, _, condition = trainer._training_batch(  # pylint: disable=protected-access
        x, tf.cast(y, tf.int32), seeds[0], seeds[1])
    condition = condition.numpy()
    assert abs(np.mean(condition == 0.0) - 0.25) < 0.05
    assert abs(np.mean(condition == 1.0) - 0.5) < 0.05
    # The examples at c = 0 are trained clean, the others perturbed.
    change = np.abs(inputs.numpy() - x.numpy()).reshape(len(x), -1).max(axis=1)
    assert np.all(change[condition == 0.0] == 0.0)
    assert np.all(change[condition == 1.0] > 0.9 * EPSILON)


def test_dual_batch_norm_needs_clean_examples_in_every_batch():
    classifier = afd_keras.models.build(
        "resnet9", input_shape=(28, 28, 1), mean=(0.5,), std=(0.5,),
        base_filters=2, conditional=True, dual_batch_norm=True)
    with pytest.raises(ValueError, match="set zero_strength_share > 0"):
        afd_keras.AdversarialTrainer(classifier, objective="loss_weighted",
                                     epsilon=EPSILON)
    trainer = afd_keras.AdversarialTrainer(
        classifier, objective="loss_weighted", epsilon=EPSILON,
        zero_strength_share=0.25)
    trainer.compile(optimizer="sgd")
    trainer.fit(_tiny_data(), epochs=1, verbose=0)


def test_conditional_afd_learns_the_condition_layers():
    trainer = _trainer("afd", conditional=True)
    trainer.fit(_tiny_data(), epochs=2, verbose=0)
    kernels = [layer.output_kernel.numpy()
               for layer in trainer.classifier.network.layers
               if hasattr(layer, "output_kernel")]
    assert kernels and all(np.abs(k).max() > 0 for k in kernels)


def test_trainer_round_trips_through_keras_file(tmp_path):
    trainer = _trainer("pgd", num_steps=3, mixing="none")
    trainer.fit(_tiny_data(), epochs=1, verbose=0)
    trainer.save(tmp_path / "trainer.keras")
    restored = keras.saving.load_model(tmp_path / "trainer.keras")
    settings = lambda config: {k: v for k, v in config.items() if k != "classifier"}
    assert settings(restored.get_config()) == settings(trainer.get_config())
    assert restored.optimizer is not None  # compiled again on load
    x, _ = next(iter(_tiny_data()))
    np.testing.assert_allclose(restored(x), trainer(x), atol=1e-5)


@pytest.mark.parametrize("kwargs,pattern", [
    (dict(epsilon=-0.1), r"Received: epsilon=-0.1"),
    (dict(method="fgsm_fast"), r"Received: method='fgsm_fast'"),
    (dict(init="gauss"), r"Received: init='gauss'"),
    (dict(mixing="cutmix"), r"Received: mixing='cutmix'"),
    (dict(num_steps=-1), r"Received: num_steps=-1"),
    (dict(mixup_alpha=0.0), r"Received: mixup_alpha=0.0"),
    (dict(full_strength_share=1.5), r"Received: full_strength_share=1.5"),
    (dict(full_strength_share=0.75, zero_strength_share=0.5),
     r"sum to at most 1. Received: full_strength_share=0.75"),
    (dict(method="trades", mixing="mixup"), r"trades does not mix"),
    (dict(method="fgsm_rs", zero_strength_share=0.25),
     r"read only by interpolate mixing and the loss_weighted objective. "
     r"Received: zero_strength_share=0.25 with mixing='none'"),
])
def test_invalid_arguments_raise_clear_errors(kwargs, pattern):
    kwargs.setdefault("epsilon", EPSILON)
    with pytest.raises(ValueError, match=pattern):
        afd_keras.AdversarialTrainer(_tiny_classifier(), **kwargs)


def test_classifier_must_be_a_keras_model():
    with pytest.raises(ValueError, match="Received: function"):
        afd_keras.AdversarialTrainer(lambda x: x)


def test_images_outside_unit_range_are_rejected():
    trainer = _trainer("afd")
    images = np.full((8, 28, 28, 1), 255.0, "float32")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"images in \[0, 1\]"):
        trainer.fit(images, np.zeros(8, "int32"), epochs=1, verbose=0)


def test_loss_weighted_objective_feeds_each_examples_weight_to_the_dial():
    trainer = _trainer("afd", conditional=True, objective="loss_weighted",
                       full_strength_share=0.25)
    images, labels = next(iter(_tiny_data(count=256, batch_size=256)))
    x_adv, condition = trainer.training_batch(images, labels)
    condition = condition.numpy()
    assert condition.shape == (256,)
    assert 0.0 <= condition.min() and condition.max() <= 1.0
    assert 0.15 < (condition == 1.0).mean() < 0.35
    # Every example is fully perturbed; the weight is in the loss, not x.
    delta = np.abs(x_adv.numpy() - images.numpy()).reshape(256, -1).max(axis=1)
    assert np.all(delta > 0.9 * EPSILON)
    history = trainer.fit(_tiny_data(), epochs=6, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_objectives_that_do_not_mix_refuse_mixing():
    with pytest.raises(ValueError, match="Objective loss_weighted does not mix"):
        _trainer("afd", objective="loss_weighted", mixing="mixup")
    with pytest.raises(ValueError, match="Received: objective='oat'"):
        _trainer("afd", objective="oat")


@pytest.mark.parametrize("mixing", ["mixup", "mixup_input"])
def test_condition_on_mixing_gives_the_dial_how_little_each_example_is_mixed(
        mixing):
    images, labels = next(iter(_tiny_data(count=256, batch_size=256)))
    _, condition = _trainer("afd", conditional=True, mixing=mixing,
                            condition_on_mixing=True).training_batch(images,
                                                                     labels)
    condition = np.broadcast_to(condition.numpy(), (256,))
    # |2 lam - 1| with lam ~ Beta(1, 1) is uniform on [0, 1].
    assert 0.0 <= condition.min() and condition.max() <= 1.0
    assert abs(condition.mean() - 0.5) < 0.08
    # Off, the dial reads 1 as before.
    _, condition = _trainer("afd", conditional=True, mixing=mixing
                            ).training_batch(images, labels)
    assert np.all(np.asarray(condition) == 1.0)
