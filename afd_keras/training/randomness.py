"""Per-replica random seeds for stateless TF random ops in a train step."""

import tensorflow as tf


def replica_seed(seed_generator):
    """Draws a stateless seed that differs on every replica of a strategy.

    A `keras.random.SeedGenerator` gives every replica of a MirroredStrategy
    the same numbers. Folding in the replica's id in the sync group (global
    across workers) makes the perturbations and mixing differ per replica,
    while staying reproducible from the generator's seed.

    Args:
        seed_generator: the model's `keras.random.SeedGenerator`.

    Returns:
        An int32 tensor of shape (2,) for `tf.random.stateless_*` ops.
    """
    seed = tf.cast(tf.math.floormod(seed_generator.next(), tf.int32.max), tf.int32)
    replica_id = tf.distribute.get_replica_context()
    replica_id = (0 if replica_id is None
                  else replica_id.replica_id_in_sync_group)
    return tf.random.experimental.stateless_fold_in(seed, replica_id)
