"""Publishing a run into the zoo, and the publish and evaluate tools on it,
with the tiny published run of the `published` fixture (conftest.py).
"""

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import TINY_ZOO_MODEL as NAME

from afd_keras.evaluation import standard
from afd_keras.training import run_folder
from afd_keras.zoo import cards
from afd_keras.zoo import publishing


def test_publish_refuses_to_overwrite(published, small_evaluation):
    run_dir, zoo_dir, _ = published
    with pytest.raises(FileExistsError, match="overwrite"):
        publishing.publish(run_dir, zoo_dir, name=NAME, source="sample",
                           settings=small_evaluation, verbose=0)


def test_publish_refuses_without_an_evaluation(published, tmp_path,
                                               small_evaluation):
    run_dir, _, _ = published
    # A different PGD setting has no saved evaluation.
    with pytest.raises(ValueError, match="never published without"):
        publishing.publish(
            run_dir, str(tmp_path / "zoo"), name=NAME, source="sample",
            evaluate=False, verbose=0,
            settings=standard.EvaluationSettings(
                **{**small_evaluation.__dict__, "pgd_steps": 6}))
    assert not (tmp_path / "zoo" / f"{NAME}.json").exists()


def test_publish_reuses_the_saved_evaluation(published, tmp_path,
                                             small_evaluation):
    run_dir, _, card = published
    again = publishing.publish(run_dir, str(tmp_path / "zoo"), name=NAME,
                               source="sample", evaluate=False, verbose=0,
                               settings=small_evaluation)
    assert again["results"] == card["results"]


def test_a_saved_evaluation_at_another_budget_is_not_reused(
        published, tmp_path, small_evaluation):
    run_dir, _, card = published
    other = dataclasses.replace(small_evaluation, epsilon=0.2)
    with pytest.raises(ValueError, match="No saved evaluation"):
        publishing.publish(run_dir, str(tmp_path / "zoo"), name=NAME,
                           source="sample", evaluate=False, verbose=0,
                           settings=other)
    assert card["threat_model"]["epsilon"] != 0.2


def test_publish_refuses_an_unfinished_run(tmp_path):
    (tmp_path / "run").mkdir()
    with pytest.raises(ValueError, match="not a finished training run"):
        publishing.publish(str(tmp_path / "run"), str(tmp_path / "zoo"))


def test_default_names():
    config = run_folder.TrainConfig(model_dir="x", dataset="cifar10",
                                 architecture="resnet9", epsilon=8 / 255)
    assert publishing.default_name(config) == "resnet9_cifar10_afd_linf8_255"
    config = run_folder.TrainConfig(model_dir="x", epsilon=0.3)
    assert publishing.default_name(config) == "small_cnn_mnist_afd_linf0.3"
    # A run trained at a larger budget is named by the one it defends.
    assert publishing.default_name(config, 0.2) == "small_cnn_mnist_afd_linf0.2"


def _run_tool(module, *args, env=None):
    return subprocess.run(
        [sys.executable, "-m", f"afd_keras_tools.{module}", *args],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, **(env or {})})


@pytest.mark.parametrize("run,name,error,pattern", [
    ("empty", NAME, ValueError, "not a finished training run"),
    ("published", NAME, FileExistsError, "is published already"),
    ("published", "../x", ValueError, "cannot leave the zoo")])
def test_publish_refuses(
        run, name, error, pattern, published, tmp_path, small_evaluation):
    run_dir, zoo_dir, _ = published
    with pytest.raises(error, match=pattern):
        publishing.publish(run_dir if run == "published" else str(tmp_path),
                           zoo_dir, name=name, source="sample",
                           settings=small_evaluation, verbose=0)


# Each tool run costs seconds of TF start-up: one per path to the error.
def test_publish_tool_errors_are_one_line(published):
    run_dir, zoo_dir, _ = published
    for args, pattern in [
            ([f"--run={run_dir}", f"--zoo_dir={zoo_dir}", f"--name={NAME}"],
             "is published already"),
            ([f"--run={run_dir}", "--readme=no_such_readme.md"],
             "no_such_readme.md"),
            ([f"--run={run_dir}", "--conditions=0,2"],
             r"conditions must be in [0, 1]")]:
        result = _run_tool("publish", "--readme=", "--source=sample", *args)
        assert result.returncode == 2, result.stderr
        assert pattern in result.stderr
        assert "Traceback" not in result.stderr


def test_the_cards_publish_command_repeats_its_evaluation_settings(published):
    _, _, card = published
    command = card["reproduce"]["publish"].split()
    for flag in ("--pgd_steps=5", "--pgd_examples=40", "--aa_lite_examples=8",
                 "--conditions=0,1", "--sanity_examples=8", "--source=sample"):
        assert flag in command


def test_evaluate_tool_takes_a_zoo_name(published):
    _, zoo_dir, _ = published
    result = _run_tool("evaluate", f"--model={NAME}", "--source=sample",
                       "--num_examples=20", "--attacks=fgsm",
                       "--sanity_examples=0", env={cards.ZOO_DIR_ENV: zoo_dir})
    assert result.returncode == 0, result.stderr
    assert "| clean |" in result.stdout
    result = _run_tool("evaluate", "--model=no_such_model", "--source=sample",
                       env={cards.ZOO_DIR_ENV: zoo_dir})
    assert result.returncode == 2
    assert "no_such_model" in result.stderr and "Traceback" not in result.stderr


def test_sample_numbers_are_labelled_as_such(published):
    _, _, card = published
    for piece in ("clean", "pgd", "aa_lite"):
        assert card["results"][piece]["split"] == "sample test"


def test_publish_needs_the_full_data_unless_asked_for_the_sample(
        published, tmp_path):
    run_dir, _, _ = published
    with pytest.raises(ValueError, match="needs the data"):
        publishing.publish(run_dir, str(tmp_path / "zoo"), name="other")


def test_evaluate_tool_tells_a_missing_run_from_a_zoo_name(tmp_path):
    result = _run_tool("evaluate", f"--model={tmp_path / 'missing_run'}")
    assert result.returncode == 2 and "No model at" in result.stderr
    result = _run_tool("evaluate", "--model=mnist_run")
    assert result.returncode == 2 and "Unknown zoo model" in result.stderr


def test_autoattack_is_added_from_the_shipped_weights_and_resumes(
        zoo_copy, tmp_path, monkeypatch):
    card = cards.read(NAME, zoo_copy)
    del card["results"]["autoattack"]
    cards.write(card, str(zoo_copy))
    weights = (zoo_copy / card["files"]["weights"]).read_bytes()
    updated = publishing.add_autoattack(
        NAME, str(tmp_path / "work"), zoo_dir=str(zoo_copy), num_examples=8,
        source="sample", verbose=0)
    assert cards.read(NAME, zoo_copy) == updated
    assert updated["results"]["autoattack"]["num_examples"] == 8
    assert {k: v for k, v in updated["results"].items() if k != "autoattack"} == (
        card["results"])
    assert (zoo_copy / card["files"]["weights"]).read_bytes() == weights

    # A second run reads the saved evaluation instead of attacking again.
    def no_evaluation(*args, **kwargs):
        raise AssertionError("evaluated again")
    monkeypatch.setattr(standard.robustness, "evaluate_robustness",
                        no_evaluation)
    assert publishing.add_autoattack(
        NAME, str(tmp_path / "work"), zoo_dir=str(zoo_copy), num_examples=8,
        source="sample", verbose=0) == updated


def test_the_card_records_the_monitor_curve(published):
    run_dir, _, card = published
    _, config = run_folder.read_run(run_dir)
    monitor = card["training"]["monitor"]
    assert monitor["examples"] == config.monitor_examples
    assert [point["epoch"] for point in monitor["curve"]] == list(
        range(1, config.epochs + 1))
    assert all(0 <= p["pgd_accuracy"] <= p["clean_accuracy"] + 0.05
               for p in monitor["curve"])
