"""The machine's measured float32 matmul peak: the yardstick for GFLOP/s."""

import time

import tensorflow as tf


def matmul_peak_gflops(size=2048, num_repeats=10, dtype=tf.float32):
    """Times a large square matmul and returns its GFLOP/s.

    Args:
        size: the matrices are `size` x `size`.
        num_repeats: timed products; the fastest counts (noise only slows).
        dtype: the matmul dtype.

    Returns:
        GFLOP/s of the fastest product (2 * size^3 FLOPs each).

    Example:

    >>> peak = matmul_peak_gflops()
    """
    a = tf.random.stateless_uniform((size, size), seed=(0, 0), dtype=dtype)
    b = tf.random.stateless_uniform((size, size), seed=(0, 1), dtype=dtype)
    matmul = tf.function(tf.matmul)
    matmul(a, b).numpy()  # warm-up
    fastest = float("inf")
    for _ in range(num_repeats):
        start = time.perf_counter()
        matmul(a, b).numpy()
        fastest = min(fastest, time.perf_counter() - start)
    return 2 * size ** 3 / fastest / 1e9
