"""Times the parts of a training step, each as its own tf.function.

The attack pass of a one-step method is a forward pass plus the backward
pass to the input: 2 forwards of FLOPs. This times it with BatchNorm in
training mode (what the trainer's attack does, as in Wong et al. 2020) and
in inference mode, beside the forward pass and the full weight gradient,
in interleaved rounds (the fastest round counts), on CIFAR-10-shaped
random data (WORKSPACE_NOTES.md, "Performance").

Usage:
    python experiments/attack_pass.py [ARCHITECTURE] [ROUNDS]
    e.g. python experiments/attack_pass.py resnet9 5
"""

import sys
import time

import tensorflow as tf

from afd_keras import data
from afd_keras import models


def _parts(model, labels):
    def loss(images, training):
        return tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels, model(images, training=training)))

    def input_gradient(training):
        def part(images):
            with tf.GradientTape() as tape:
                tape.watch(images)
                value = loss(images, training)
            return tape.gradient(value, images)
        return part

    def weight_gradient(images):
        with tf.GradientTape() as tape:
            value = loss(images, True)
        return tape.gradient(value, model.trainable_variables)

    parts = {
        "forward (training mode)": lambda images: loss(images, True),
        "forward (inference mode)": lambda images: loss(images, False),
        "input gradient, BN training mode": input_gradient(True),
        "input gradient, BN inference mode": input_gradient(False),
        "weight gradient (training mode)": weight_gradient,
    }
    return {name: tf.function(part) for name, part in parts.items()}


def main(architecture="resnet9", num_rounds=5, batch_size=128):
    spec = data.get_spec("cifar10")
    model = models.build(architecture, input_shape=spec.image_shape,
                         num_classes=spec.num_classes, mean=spec.mean,
                         std=spec.std)
    images = tf.random.stateless_uniform((batch_size, *spec.image_shape),
                                         seed=(0, 0))
    labels = tf.random.stateless_uniform((batch_size,), seed=(0, 1), maxval=10,
                                         dtype=tf.int32)
    parts = _parts(model, labels)

    def run(part):
        tf.nest.map_structure(lambda t: t.numpy(), part(images))

    for part in parts.values():  # trace, then one untimed run
        run(part)
        run(part)
    fastest = dict.fromkeys(parts, float("inf"))
    for _ in range(num_rounds):
        for name, part in parts.items():
            start = time.perf_counter()
            run(part)
            fastest[name] = min(fastest[name], time.perf_counter() - start)
    forward = fastest["forward (training mode)"]
    print(f"{architecture}, batch {batch_size}, fastest of {num_rounds} rounds:")
    for name, seconds in fastest.items():
        print(f"  {name:36s} {1000 * seconds:8.1f} ms  "
              f"{seconds / forward:5.2f} forwards")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "resnet9",
         int(sys.argv[2]) if len(sys.argv) > 2 else 5)
