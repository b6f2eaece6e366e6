"""Tests for afd_keras.evaluation.robustness."""

import json

import numpy as np
import pytest
import tensorflow as tf

from afd_keras import evaluation
from afd_keras import zoo
from afd_keras.evaluation import robustness
from afd_keras.evaluation import suite


def _dataset(mnist_sample_test, count=300):
    images, labels = mnist_sample_test
    return tf.data.Dataset.from_tensor_slices(
        (images[:count], labels[:count])).batch(128)


@pytest.fixture(scope="module", name="result")
def _result(undefended_mnist_model, mnist_sample_test):
    return evaluation.evaluate_robustness(
        undefended_mnist_model, _dataset(mnist_sample_test), 0.1,
        ["fgsm", "pgd:num_steps=10,step_size=0.025"], verbose=0)


def test_clean_accuracy_matches_the_model(result, undefended_mnist_model,
                                          mnist_sample_test):
    images, labels = mnist_sample_test
    predictions = np.argmax(undefended_mnist_model(images[:300]), axis=-1)
    assert result.clean_accuracy == pytest.approx(np.mean(predictions == labels[:300]))
    assert result.num_examples == 300


def test_attacks_lower_accuracy_and_worst_case_is_the_floor(result):
    fgsm, pgd = result.attack_accuracy.values()
    assert pgd <= fgsm < result.clean_accuracy
    assert result.robust_accuracy <= min(fgsm, pgd)
    assert result.warnings == []


def test_settings_timing_and_reports(result, tmp_path):
    assert result.attack_settings["pgd:num_steps=10,step_size=0.025"] == {
        "attack": "pgd", "num_steps": 10, "step_size": 0.025}
    assert result.seconds > 0 and result.examples_per_second > 0
    result.to_json(tmp_path / "report.json")
    loaded = json.loads((tmp_path / "report.json").read_text())
    assert loaded["robust_accuracy"] == result.robust_accuracy
    markdown = result.to_markdown()
    assert "| clean |" in markdown and "worst case" in markdown
    assert "step_size=0.025" in markdown


def test_num_examples_limits_the_evaluation(undefended_mnist_model,
                                            mnist_sample_test):
    result = evaluation.evaluate_robustness(
        undefended_mnist_model, _dataset(mnist_sample_test), 0.1, ["fgsm"],
        num_examples=50, verbose=0)
    assert result.num_examples == 50


def test_sanity_checks_run_and_pass_on_an_honest_model(result):
    names = {check["check"] for check in result.sanity_checks}
    assert {"iterative <= single-step",
            "more steps or restarts never raise accuracy",
            "accuracy ~0 at a budget reaching every image"} <= names
    assert all(check["passed"] for check in result.sanity_checks)
    assert "Sanity checks" in result.to_markdown()


def test_json_round_trip(result, tmp_path):
    result.to_json(tmp_path / "report.json")
    assert evaluation.RobustnessResult.from_json(tmp_path / "report.json") == result


@pytest.mark.parametrize("spec,pattern", [
    ("cw", r"Received: attack='cw'"),
    ("pgd:steps=3", r"Unknown setting for pgd"),
    ("pgd:num_steps", r"key=value pairs"),
    ("pgd:num_steps=2.5", r"pgd's num_steps must be of type int. "
                          r"Received: 'num_steps=2.5'"),
    ("pgd:epsilon=0.1", r"Unknown setting for pgd"),
])
def test_bad_attack_specs_are_rejected(spec, pattern):
    with pytest.raises(ValueError, match=pattern):
        evaluation.parse_attack(spec)



@pytest.mark.parametrize("text,specs", [
    ("fgsm,pgd:num_steps=40,step_size=0.01,aa_lite",
     ["fgsm", "pgd:num_steps=40,step_size=0.01", "aa_lite"]),
    ("square:max_queries=50", ["square:max_queries=50"]),
])
def test_a_comma_list_regroups_into_the_specs_it_was_made_of(text, specs):
    assert suite.split_specs(text.split(",")) == specs
    for spec in suite.expand(specs):
        suite.parse_attack(spec)


def test_the_old_semicolon_separator_is_refused_by_name():
    with pytest.raises(ValueError, match=r"separated by ','.*Received: "
                                         r"'pgd:num_steps=40;step_size=0.01'"):
        suite.split_specs(["pgd:num_steps=40;step_size=0.01", "aa_lite"])


def test_a_list_that_starts_with_a_setting_is_rejected():
    with pytest.raises(ValueError, match=r"starts with an attack name.*"
                                         r"Received: 'num_steps=3,pgd'"):
        suite.split_specs(["num_steps=3", "pgd"])

def test_a_suites_attacks_run_on_the_survivors_and_accumulate(
        undefended_mnist_model, mnist_sample_test, monkeypatch):
    monkeypatch.setitem(suite.SUITES, "quick",
                        ("fgsm", "pgd:num_steps=5,step_size=0.03"))
    attacked = []
    run = suite.run

    def recording_run(name, settings, model, x, y, **kwargs):
        attacked.append((name, len(y)))
        return run(name, settings, model, x, y, **kwargs)

    monkeypatch.setattr(robustness.suite, "run", recording_run)
    result = evaluation.evaluate_robustness(
        undefended_mnist_model, _dataset(mnist_sample_test, count=200), 0.1,
        ["quick"], sanity_examples=0, verbose=0)
    fgsm, pgd = result.attack_accuracy.values()
    # One batch of 128 and one of 72: pgd saw only what fgsm missed.
    correct = [n for name, n in attacked if name == "fgsm"]
    survivors = [n for name, n in attacked if name == "pgd"]
    assert sum(survivors) == round(fgsm * 200) < sum(correct)
    assert pgd < fgsm and result.robust_accuracy == pgd
    assert result.attack_settings["pgd:num_steps=5,step_size=0.03"][
        "after"] == "fgsm"
    assert "after" not in result.attack_settings["fgsm"]
    assert "AutoAttack's log" in result.to_markdown()


def test_run_after_chains_each_suite():
    assert suite.run_after(["fgsm", "aa_lite"]) == {
        "apgd_dlr:num_steps=100": "apgd_ce:num_steps=100",
        "square:max_queries=1000": "apgd_dlr:num_steps=100"}
    # Both suites start with the same attack: it runs once, on everything.
    assert suite.run_after(["aa_lite", "autoattack"])[
        "apgd_t:num_steps=100"] == "apgd_ce:num_steps=100"
    with pytest.raises(ValueError, match=r"would run after different attacks"):
        suite.run_after(["apgd_dlr:num_steps=100", "aa_lite"])


def test_the_autoattack_suite_parses_with_the_standard_settings():
    specs = suite.expand(["autoattack"])
    assert [suite.parse_attack(spec) for spec in specs] == [
        ("apgd_ce", {"num_steps": 100}), ("apgd_t", {"num_steps": 100}),
        ("fab_t", {"num_steps": 100}), ("square", {"max_queries": 5000})]


@pytest.mark.slow
def test_autoattack_is_never_weaker_than_aa_lite(mnist_sample_test):
    """On the same 100 examples of a robust zoo model (about 11 minutes)."""
    model = zoo.load("small_cnn_mnist_pgd_linf0.3")
    test = _dataset(mnist_sample_test, count=100)
    robust = {name: evaluation.evaluate_robustness(
        model, test, 0.3, [name], sanity_examples=0, verbose=0).robust_accuracy
        for name in ("aa_lite", "autoattack")}
    assert robust["autoattack"] <= robust["aa_lite"]


class _Killed(Exception):
    pass


def test_a_killed_evaluation_resumes_at_its_first_unfinished_batch(
        undefended_mnist_model, mnist_sample_test, tmp_path, monkeypatch):
    model, progress = undefended_mnist_model, str(tmp_path / "progress.npz")
    # FGSM and the suite's survivors chain: deterministic, so the resumed
    # result must be the uninterrupted one, count for count.
    attacks = ["fgsm", "pgd:num_steps=3,step_size=0.05"]
    whole = evaluation.evaluate_robustness(
        model, _dataset(mnist_sample_test), 0.1, ["fgsm"], verbose=0,
        sanity_examples=0)
    real, batches, killed = robustness._survives, [], []

    def killed_in_batch_2(model, name, settings, x, y, epsilon, norm, batch):
        batches.append(batch)
        if batch == 2 and not killed:
            killed.append(True)
            raise _Killed
        return real(model, name, settings, x, y, epsilon, norm, batch)

    monkeypatch.setattr(robustness, "_survives", killed_in_batch_2)
    with pytest.raises(_Killed):
        evaluation.evaluate_robustness(
            model, _dataset(mnist_sample_test), 0.1, attacks, verbose=0,
            sanity_examples=0, progress_file=progress)
    batches.clear()
    resumed = evaluation.evaluate_robustness(
        model, _dataset(mnist_sample_test), 0.1, attacks, verbose=0,
        sanity_examples=0, progress_file=progress)
    assert set(batches) == {2}  # batches 0 and 1 were not attacked again
    assert resumed.num_examples == 300
    assert resumed.attack_accuracy["fgsm"] == whole.attack_accuracy["fgsm"]
    assert resumed.clean_accuracy == whole.clean_accuracy
    # The costs of the batches done before the kill are counted once.
    for spec in attacks:
        assert resumed.attack_costs[spec]["forward_passes"] > 0
    assert (resumed.attack_costs["fgsm"]["forward_passes"] ==
            whole.attack_costs["fgsm"]["forward_passes"])

    # Other attacks: the file is not theirs, so everything runs afresh.
    batches.clear()
    evaluation.evaluate_robustness(
        model, _dataset(mnist_sample_test), 0.1, ["fgsm"], verbose=0,
        sanity_examples=0, progress_file=progress)
    assert set(batches) == {0, 1, 2}


def test_a_progress_file_is_used_only_up_to_the_first_batch_that_differs(
        undefended_mnist_model, mnist_sample_test, tmp_path, monkeypatch):
    model, progress = undefended_mnist_model, str(tmp_path / "progress.npz")
    images, labels = mnist_sample_test
    first = evaluation.evaluate_robustness(
        model, _dataset(mnist_sample_test), 0.1, ["fgsm"], verbose=0,
        sanity_examples=0, progress_file=progress)
    real, batches = robustness._survives, []
    monkeypatch.setattr(robustness, "_survives", lambda *args: (
        batches.append(args[-1]) or real(*args)))
    # The first 128 images again, then others: batch 0 is reused, with the
    # costs up to it only; batch 1 and after are evaluated afresh.
    mixed = tf.data.Dataset.from_tensor_slices((
        np.concatenate([images[:128], images[500:672]]),
        np.concatenate([labels[:128], labels[500:672]]))).batch(128)
    result = evaluation.evaluate_robustness(
        model, mixed, 0.1, ["fgsm"], verbose=0, sanity_examples=0,
        progress_file=progress)
    assert batches == [1, 2]
    fresh = evaluation.evaluate_robustness(model, mixed, 0.1, ["fgsm"],
                                           verbose=0, sanity_examples=0)
    assert result.attack_accuracy == fresh.attack_accuracy
    assert (result.attack_costs["fgsm"]["forward_passes"] ==
            fresh.attack_costs["fgsm"]["forward_passes"])
    assert first.attack_costs["fgsm"]["forward_passes"] > 0
