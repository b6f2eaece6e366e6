"""Tests for afd_keras.training.distribution."""

import json

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
