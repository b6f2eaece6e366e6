"""Picks the `tf.distribute` strategy: one CPU up to many GPUs or machines."""

import json
import os

from absl import logging
import tensorflow as tf

STRATEGIES = ("auto", "default", "mirrored", "multi_worker", "tpu")


def get_strategy(name="auto"):
    """Returns a `tf.distribute.Strategy` by name.

    Args:
        name: "auto" picks MultiWorkerMirroredStrategy when TF_CONFIG
            describes a cluster, MirroredStrategy when more than one GPU is
            visible, and the default strategy otherwise. "default",
            "mirrored", "multi_worker" and "tpu" force one.

    Returns:
        The strategy; build the model, optimizer and metrics in its scope.

    Raises:
        ValueError: an unknown name.
    """
    if name not in STRATEGIES:
        raise ValueError(f"Unknown strategy; expected one of {STRATEGIES}. "
                         f"Received: strategy={name!r}")
    if name == "auto":
        cluster = json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster")
        if cluster:
            name = "multi_worker"
        elif len(tf.config.list_logical_devices("GPU")) > 1:
            name = "mirrored"
        else:
            name = "default"
    logging.info("Using the %s distribution strategy.", name)
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "tpu":
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    return tf.distribute.get_strategy()
