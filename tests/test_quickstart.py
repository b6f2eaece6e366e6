"""Tests for afd_keras.quickstart: the main job evaluates a zoo model."""

import os

from afd_keras import quickstart


def test_quickstart_evaluates_the_zoo_model_and_plots(tmp_path):
    result = quickstart.run(conditions=(0.0, 1.0), num_steps=5,
                            num_examples=100, output_dir=str(tmp_path),
                            verbose=0)
    assert os.path.getsize(result["plot"]) > 0
    assert "| this model | 0 |" in result["markdown"]
    assert "| this model | 1 |" in result["markdown"]
    assert quickstart.DEFAULT_BASELINE in result["markdown"]
    assert result["card"]["name"] == quickstart.DEFAULT_MODEL
