"""Peak resident memory of a short training run, in a fresh process."""

import os
import subprocess
import sys
import tempfile

# The child trains, then prints its own peak RSS (Linux reports KiB).
_CHILD = """
import resource, sys
from afd_keras.training import run
run.train(run.TrainConfig(
    model_dir=sys.argv[1], dataset=sys.argv[2], architecture=sys.argv[3],
    method=sys.argv[4], batch_size=int(sys.argv[5]), epochs=1,
    steps_per_epoch=int(sys.argv[6]), data_dir=sys.argv[7] or None,
    source=sys.argv[8]))
print("peak_kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def measure_peak_memory(*, dataset, architecture, method, batch_size,
                        num_steps=5, data_dir=None, source="auto"):
    """Peak resident memory (MiB) of a `num_steps`-step training run.

    Each run is its own process, so the peaks do not mix.

    Args:
        dataset: the dataset name.
        architecture: the architecture name.
        method: the training method.
        batch_size: the global batch size.
        num_steps: training steps.
        data_dir: the data folder.
        source: where to read the data from.

    Returns:
        The peak RSS in MiB.

    Raises:
        RuntimeError: the run failed; the message holds its last output.

    Example:

    >>> measure_peak_memory(dataset="cifar10", architecture="resnet9",
    ...                     method="afd", batch_size=128)
    """
    with tempfile.TemporaryDirectory() as model_dir:
        result = subprocess.run(
            [sys.executable, "-c", _CHILD, model_dir, dataset, architecture,
             method, str(batch_size), str(num_steps), data_dir or "", source],
            capture_output=True, text=True, check=False,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    if result.returncode != 0:
        raise RuntimeError(f"The memory run failed: {result.stderr[-500:]}")
    kib = int(result.stdout.split("peak_kib")[-1].split()[0])
    return kib / 1024
