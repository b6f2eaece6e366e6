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


def worker_dir(model_dir, strategy):
    """The folder this worker writes its checkpoints and logs to.

    Every worker of a multi-worker run checkpoints, so each can resume,
    but only the chief writes into `model_dir`; the others write into
    `model_dir/workers/<type>_<index>`, so workers sharing a file system
    never overwrite each other.

    Args:
        model_dir: the run's folder.
        strategy: the run's strategy.

    Returns:
        A folder path.

    Example:

    >>> worker_dir("runs/x", tf.distribute.get_strategy())
    'runs/x'
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    task_type = getattr(resolver, "task_type", None)
    task_id = getattr(resolver, "task_id", None) or 0
    if task_type is None:
        return model_dir
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    if task_type == "chief" or (task_type == "worker" and task_id == 0
                                and not has_chief):
        return model_dir
    return os.path.join(model_dir, "workers", f"{task_type}_{task_id}")


def resolve_jit_compile(jit_compile, strategy):
    """The `jit_compile` value to compile with under `strategy`.

    Args:
        jit_compile: True, False or "auto" (Keras' choice: XLA only on
            accelerators and without a strategy).
        strategy: the run's strategy.

    Returns:
        `jit_compile`, or False with a log line where XLA cannot run: a
        strategy with more than one replica on CPU devices.

    Example:

    >>> trainer.compile(optimizer="sgd", jit_compile=resolve_jit_compile(
    ...     True, strategy))
    """
    if jit_compile is True and strategy.num_replicas_in_sync > 1:
        devices = strategy.extended.worker_devices
        if all("CPU" in device.upper() for device in devices):
            logging.info("XLA cannot compile a step replicated over CPU "
                         "devices (%s); jit_compile is turned off.",
                         ", ".join(devices))
            return False
    return jit_compile
