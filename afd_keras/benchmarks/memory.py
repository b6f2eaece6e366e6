"""Peak resident memory of a short training run, in a fresh process, by
phase: after import, after the input pipeline's first batch, after the
training steps."""

import json
import os
import subprocess
import sys

PHASES = ("import", "input_pipeline", "training")

# Each mark is the peak up to that phase (KiB). VmHWM belongs to the
# process's own address space, which exec replaces. ru_maxrss does not
# reset on exec, so a child forked from a large parent reported the
# parent's peak for every phase; it is only the fallback off Linux.
_CHILD = """
import json, re, resource, sys
import keras
from afd_keras import data, models
from afd_keras.training import AdversarialTrainer
def peak():
    try:
        with open("/proc/self/status") as status:
            return int(re.search(r"VmHWM:\\s*(\\d+)", status.read())[1])
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
dataset, architecture, method, batch_size, num_steps, data_dir, source = (
    sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
    sys.argv[6] or None, sys.argv[7])
marks = {"import": peak()}
train = data.load(dataset, "train", batch_size=batch_size, shuffle=True,
                  augment=True, data_dir=data_dir, source=source, seed=0,
                  drop_remainder=True)
next(iter(train))
marks["input_pipeline"] = peak()
spec = data.get_spec(dataset)
classifier = models.build(architecture, input_shape=spec.image_shape,
                          num_classes=spec.num_classes, mean=spec.mean,
                          std=spec.std)
trainer = AdversarialTrainer(classifier, method=method, epsilon=0.03, seed=0)
trainer.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9))
trainer.fit(train.take(num_steps), epochs=1, verbose=0, shuffle=False)
marks["training"] = peak()
print("peak_kib", json.dumps(marks))
"""


def measure_peak_memory(*, dataset, architecture, method, batch_size,
                        num_steps=5, data_dir=None, source="auto"):
    """Peak resident memory (MiB) of a `num_steps`-step training run.

    The run loads the training split (cached, shuffled, augmented), builds
    the model and trains it with `fit`, in its own process so that the
    peaks do not mix.

    Args:
        dataset: the dataset name.
        architecture: the architecture name.
        method: the training method.
        batch_size: the global batch size.
        num_steps: training steps.
        data_dir: the data folder.
        source: where to read the data from.

    Returns:
        A dict: phase (`PHASES`) -> peak RSS in MiB up to the end of it.

    Raises:
        RuntimeError: the run failed; the message holds its last output.

    Example:

    >>> measure_peak_memory(dataset="cifar10", architecture="resnet9",
    ...                     method="afd", batch_size=128)["training"]
    """
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, dataset, architecture, method,
         str(batch_size), str(num_steps), data_dir or "", source],
        capture_output=True, text=True, check=False,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    if result.returncode != 0:
        raise RuntimeError(f"The memory run failed: {result.stderr[-500:]}")
    marks = json.loads(result.stdout.split("peak_kib", 1)[1])
    return {phase: marks[phase] / 1024 for phase in PHASES}
