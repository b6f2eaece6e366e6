"""One replicated AFD step against one device; run by test_distribution.py.

It runs in its own process because TensorFlow must split the CPU into two
logical devices before it starts. Prints one JSON line of results.
"""

import json

import tensorflow as tf

_CPU = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    _CPU, [tf.config.LogicalDeviceConfiguration()] * 2)

# pylint: disable=wrong-import-position
import keras  # noqa: E402
import numpy as np  # noqa: E402

from afd_keras import data  # noqa: E402
from afd_keras import layers  # noqa: E402
from afd_keras import models  # noqa: E402
from afd_keras.training import distribution  # noqa: E402
from afd_keras.training.adversarial_trainer import AdversarialTrainer  # noqa: E402


def _trainer(strategy, weights, architecture="small_cnn", **kwargs):
    with strategy.scope():
        classifier = models.build(architecture)
        classifier.set_weights(weights)
        trainer = AdversarialTrainer(classifier, epsilon=0.3, seed=1, **kwargs)
        trainer.compile(optimizer=keras.optimizers.SGD(0.5))
    return trainer


def _one_step(strategy, weights, batch, **kwargs):
    trainer = _trainer(strategy, weights, **kwargs)
    history = trainer.fit(tf.data.Dataset.from_tensors(batch), verbose=0)
    return history.history["loss"][0], trainer.classifier.get_weights()


def main():
    images, labels = next(iter(data.load("mnist", "train", batch_size=16,
                                         source="sample")))
    keras.utils.set_random_seed(0)
    weights = models.build("small_cnn").get_weights()
    one_device = tf.distribute.get_strategy()
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    results = {"replicas": mirrored.num_replicas_in_sync,
               "jit_compile": distribution.resolve_jit_compile(True, mirrored)}
    # A deterministic start (zero init) makes one device and two replicas
    # comparable. TRADES adds a second loss term; resnet9 has BatchNorm,
    # whose statistics must span the global batch. (Its clean step: the
    # sign of an FGSM gradient flips on rounding noise where BatchNorm
    # couples the examples.)
    rng = np.random.default_rng(0)
    cifar_like = (rng.random((16, 32, 32, 3), dtype=np.float32),
                  rng.integers(0, 10, 16).astype(np.int32))
    cases = {"standard": ("small_cnn", "standard", (images, labels)),
             "afd": ("small_cnn", "afd", (images, labels)),
             "trades": ("small_cnn", "trades", (images, labels)),
             "resnet9_standard": ("resnet9", "standard", cifar_like)}
    for name, (architecture, method, batch) in cases.items():
        keras.utils.set_random_seed(0)
        start = models.build(architecture).get_weights()
        loss_1, weights_1 = _one_step(one_device, start, batch,
                                      architecture=architecture,
                                      method=method, init="zero")
        loss_2, weights_2 = _one_step(mirrored, start, batch,
                                      architecture=architecture,
                                      method=method, init="zero")
        results[name] = {
            "loss_difference": abs(loss_1 - loss_2),
            "weight_difference": max(float(np.max(np.abs(a - b)))
                                     for a, b in zip(weights_1, weights_2)),
            "weight_change": max(float(np.max(np.abs(a - b)))
                                 for a, b in zip(weights_1, start)),
        }
    # Both replicas get the same images: their sign-initialised
    # perturbations must still differ.
    trainer = _trainer(mirrored, weights, method="afd")
    per_replica = mirrored.run(trainer.training_batch, args=(images, labels))
    deltas = [(inputs - images).numpy() for inputs in
              mirrored.experimental_local_results(per_replica[0])]
    results["perturbations_differ"] = bool(not np.allclose(deltas[0], deltas[1]))
    results["max_perturbation"] = float(max(np.max(np.abs(d)) for d in deltas))
    results["dual_batch_norm"] = _dual_batch_norm_difference(mirrored)
    print(json.dumps(results))


def _dual_batch_norm_difference(mirrored):
    """Largest gap between DualBatchNormalization(synchronized=True) on two
    replicas with very different halves and one layer on the whole batch,
    over the outputs and both sets' moving statistics."""
    rng = np.random.default_rng(0)
    features = rng.normal(size=(8, 4, 4, 3)).astype(np.float32)
    features[4:] += 10.0  # the second replica's half
    condition = np.array([0, 1, 0, 1, 0, 0, 1, 1], np.float32)
    whole = layers.DualBatchNormalization(synchronized=True)
    expected = whole([features, condition], training=True).numpy()
    with mirrored.scope():
        split = layers.DualBatchNormalization(synchronized=True)
        split.build([(4, 4, 4, 3), (4,)])
    halves = mirrored.experimental_distribute_values_from_function(
        lambda context: (features[4 * context.replica_id_in_sync_group:][:4],
                         condition[4 * context.replica_id_in_sync_group:][:4]))
    outputs = mirrored.run(lambda x, c: split([x, c], training=True),
                           args=halves)
    got = np.concatenate([o.numpy() for o in
                          mirrored.experimental_local_results(outputs)])
    gaps = [np.max(np.abs(got - expected))] + [
        np.max(np.abs(a.numpy() - b.numpy()))
        for a, b in zip(split.non_trainable_weights, whole.non_trainable_weights)]
    return float(max(gaps))


if __name__ == "__main__":
    main()
