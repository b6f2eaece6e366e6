"""Tests for afd_keras.data.network."""

import socket
import time

from afd_keras.data import network


def test_offline_switch_answers_without_probing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("probed the network although AFD_OFFLINE=1")

    monkeypatch.setattr(socket, "create_connection", refuse)
    assert network.is_online() is False


def test_unreachable_host_answers_false_within_seconds(monkeypatch):
    monkeypatch.delenv("AFD_OFFLINE")
    network._probe.cache_clear()

    def hang(*args, **kwargs):
        time.sleep(30)
        raise OSError("no route")

    monkeypatch.setattr(socket, "create_connection", hang)
    start = time.time()
    try:
        assert network.is_online() is False
    finally:
        network._probe.cache_clear()
    assert time.time() - start < 5
