"""Tests for afd_keras.training.schedules."""

import keras
import numpy as np
import pytest

from afd_keras.training import schedules


def test_one_cycle_rises_to_the_peak_and_returns_to_zero():
    schedule = schedules.OneCycle(0.2, total_steps=100)
    values = np.array([float(schedule(step)) for step in range(101)])
    assert values[0] == 0.0 and values[100] == pytest.approx(0.0, abs=1e-7)
    assert values.argmax() == 40 and values.max() == pytest.approx(0.2)
    assert (np.diff(values[:41]) > 0).all() and (np.diff(values[40:]) < 0).all()


def test_one_cycle_round_trips():
    schedule = schedules.OneCycle(0.1, total_steps=50, peak_fraction=0.3)
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(schedule))
    assert float(restored(15)) == pytest.approx(float(schedule(15)))


def test_piecewise_drops_tenfold_at_half_and_three_quarters():
    schedule = schedules.build_schedule("piecewise", 0.1, total_steps=100)
    assert float(schedule(10)) == pytest.approx(0.1)
    assert float(schedule(60)) == pytest.approx(0.01)
    assert float(schedule(90)) == pytest.approx(0.001)


def test_constant_is_the_plain_rate():
    assert schedules.build_schedule("constant", 0.05, 10) == 0.05


def test_unknown_schedule_is_rejected():
    with pytest.raises(ValueError, match="Received: schedule='cosine'"):
        schedules.build_schedule("cosine", 0.1, 10)
