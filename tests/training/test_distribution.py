"""Tests for afd_keras.training.distribution."""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from afd_keras.training import distribution


def test_auto_on_one_device_is_the_default_strategy(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    strategy = distribution.get_strategy("auto")
    assert strategy is tf.distribute.get_strategy()
    assert strategy.num_replicas_in_sync == 1


def test_auto_with_a_cluster_picks_multi_worker(monkeypatch):
    created = []
    monkeypatch.setenv("TF_CONFIG", json.dumps(
        {"cluster": {"worker": ["localhost:1", "localhost:2"]},
         "task": {"type": "worker", "index": 0}}))
    monkeypatch.setattr(tf.distribute, "MultiWorkerMirroredStrategy",
                        lambda: created.append(True) or "multi_worker")
    assert distribution.get_strategy("auto") == "multi_worker"
    assert created


def test_unknown_strategy_is_rejected():
    with pytest.raises(ValueError, match="Received: strategy='horovod'"):
        distribution.get_strategy("horovod")


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_mirrored_step_matches_one_device_and_replicas_draw_apart():
    script = os.path.join(os.path.dirname(__file__), "distributed_steps.py")
    result = subprocess.run([sys.executable, script], capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(result.stdout.strip().splitlines()[-1])
    assert results["replicas"] == 2
    assert results["jit_compile"] is False  # XLA cannot run replicated on CPUs
    for case in ("standard", "afd", "trades", "resnet9_standard"):
        # The step moved the weights.
        assert results[case]["weight_change"] > 1e-3
    # Two replicas on half batches move the weights as one device on the
    # global batch: exactly where no sign() is taken.
    for case in ("standard", "resnet9_standard"):
        assert results[case]["loss_difference"] < 1e-5
    assert results["standard"]["weight_difference"] < 1e-5
    # The attacks take sign() of input gradients, and rounding that differs
    # with the per-call batch (oneDNN's kernels on AVX2) flips the sign of
    # near-zero entries: on an AVX2-only CPU AFD's weights differ by 6% of
    # the step and TRADES' loss by 0.0014, on an AVX-512 one by 1e-8. The
    # bugs this guards against are far larger: a double loss scaling put
    # TRADES' loss off by 0.016, and halves the step (50% of the change).
    for case in ("afd", "trades"):
        assert results[case]["loss_difference"] < 5e-3
        assert (results[case]["weight_difference"]
                < 0.25 * results[case]["weight_change"])
    # Synchronized BatchNorm matches to 0.15% of the step; per-replica
    # statistics would miss by about 20%.
    resnet9 = results["resnet9_standard"]
    assert resnet9["weight_difference"] < 0.01 * resnet9["weight_change"]
    assert results["perturbations_differ"]
    assert results["max_perturbation"] <= 0.3 + 1e-6
    # Dual BN's masked moments span the replicas too (Keras BatchNorm's
    # masked moments stay per replica even when synchronized).
    assert results["dual_batch_norm"] < 1e-4


def test_multi_worker_training_ends_with_identical_weights(tmp_path):
    import keras  # pylint: disable=import-outside-toplevel
    ports = _free_ports(2)
    workers = [f"127.0.0.1:{port}" for port in ports]
    processes = []
    for index in range(2):
        env = {**os.environ, "TF_CONFIG": json.dumps({
            "cluster": {"worker": workers},
            "task": {"type": "worker", "index": index}})}
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "afd_keras_tools.train",
             f"--model_dir={tmp_path}", "--strategy=auto", "--epochs=2",
             "--steps_per_epoch=3", "--batch_size=32"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = [process.communicate(timeout=400) for process in processes]
    for process, (_, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stderr[-3000:]
    assert "Using the multi_worker distribution strategy" in outputs[0][1]
    chief = keras.saving.load_model(tmp_path / "classifier.keras")
    other = keras.saving.load_model(
        tmp_path / "workers" / "worker_1" / "classifier.keras")
    for a, b in zip(chief.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    # Each worker scored the whole test split with those weights.
    accuracies = [
        json.loads((folder / "summary.json").read_text())["clean_test_accuracy"]
        for folder in (tmp_path, tmp_path / "workers" / "worker_1")]
    assert accuracies[0] == accuracies[1] > 0.1


class _Resolver:

    def __init__(self, task_type, task_id, cluster):
        self.task_type, self.task_id, self._cluster = task_type, task_id, cluster

    def cluster_spec(self):
        return tf.train.ClusterSpec(self._cluster)


@pytest.mark.parametrize("task_type,task_id,cluster,expected", [
    (None, None, {}, ""),
    ("worker", 0, {"worker": ["a:1", "b:1"]}, ""),
    ("worker", 1, {"worker": ["a:1", "b:1"]}, "workers/worker_1"),
    ("chief", 0, {"chief": ["a:1"], "worker": ["b:1"]}, ""),
    ("worker", 0, {"chief": ["a:1"], "worker": ["b:1"]}, "workers/worker_0"),
])
def test_only_the_chief_writes_into_the_model_dir(task_type, task_id, cluster,
                                                  expected):
    strategy = type("Strategy", (), {"cluster_resolver": _Resolver(
        task_type, task_id, cluster)})()
    assert distribution.worker_dir("run", strategy) == os.path.join(
        "run", expected).rstrip(os.sep)


def test_jit_compile_is_kept_on_one_device():
    strategy = tf.distribute.get_strategy()
    for value in (True, False, "auto"):
        assert distribution.resolve_jit_compile(value, strategy) == value
