"""Tests for afd_keras.quickstart: the main job really learns."""

import pytest

from afd_keras import quickstart


def test_one_epoch_on_the_sample_beats_chance_by_far():
    with pytest.warns(UserWarning, match="embedded sample"):
        result = quickstart.run(epochs=1, verbose=0)
    assert result["num_train"] == 10000 and result["num_test"] == 1000
    # Chance is 10%; one epoch of a small CNN on 10k MNIST images is ~95%.
    assert result["test_accuracy"] > 0.9
