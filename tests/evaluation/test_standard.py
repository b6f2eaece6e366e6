"""The standard evaluation's saved pieces: suites run chunk by chunk, and a
killed evaluation resumes at its first unfinished chunk."""

import pytest

from afd_keras.evaluation import robustness
from afd_keras.evaluation import standard

LOAD_KWARGS = {"source": "sample", "data_dir": None}


def _saved(tmp_path, model):
    return standard.SavedEvaluation(str(tmp_path / "evaluation.json"),
                                    standard.weights_digest(model), True)


class _Killed(Exception):
    pass


def test_a_killed_autoattack_resumes_at_its_first_unfinished_chunk(
        undefended_mnist_model, tmp_path, monkeypatch):
    # At 0.3 APGD-CE fools the undefended model everywhere, so the later
    # attacks have no survivors and the test stays quick.
    model = undefended_mnist_model
    settings = standard.EvaluationSettings(autoattack_examples=10,
                                           chunk_examples=4)
    real = robustness.evaluate_robustness
    calls = []

    def killed_in_the_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise _Killed
        return real(*args, **kwargs)

    monkeypatch.setattr(robustness, "evaluate_robustness",
                        killed_in_the_second_chunk)
    with pytest.raises(_Killed):
        standard.card_autoattack(model, "mnist", 0.3, _saved(tmp_path, model),
                                 settings=settings, load_kwargs=LOAD_KWARGS,
                                 verbose=0)

    calls.clear()
    monkeypatch.setattr(robustness, "evaluate_robustness",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    result = standard.card_autoattack(
        model, "mnist", 0.3, _saved(tmp_path, model), settings=settings,
        load_kwargs=LOAD_KWARGS, verbose=0)
    # Chunks [4:8] and [8:10]; [0:4] was saved before the kill.
    assert len(calls) == 2
    assert result["num_examples"] == 10

    assert 0 <= result["accuracy"] <= 1


def test_chunks_merge_into_the_unchunked_result(undefended_mnist_model,
                                                tmp_path):
    # FGSM is deterministic, so chunking must not change a single count.
    model = undefended_mnist_model
    test, _ = standard._test_split("mnist", LOAD_KWARGS)
    evaluate = standard._evaluator(model, 0.05, verbose=0)

    def chunked(size):
        (tmp_path / str(size)).mkdir()
        return standard._in_chunks(
            _saved(tmp_path / str(size), model), "fgsm", {}, evaluate, test,
            30, ["fgsm"], size)

    whole, merged = chunked(30), chunked(7)
    assert merged["num_examples"] == whole["num_examples"] == 30
    for key in ("clean", "robust"):
        assert merged[key] == pytest.approx(whole[key], abs=1e-12)
    assert merged["attacks"]["fgsm"]["accuracy"] == pytest.approx(
        whole["attacks"]["fgsm"]["accuracy"], abs=1e-12)
    assert 0 < merged["robust"] < merged["clean"]


def test_the_condition_sweep_records_the_worst_case_of_its_attacks(published):
    _, _, card = published
    for point in card["results"]["condition_sweep"]:
        assert point["robust_attacks"] == ["apgd_ce", "apgd_dlr"]
        assert 0 <= point["robust"] <= point["clean"]


def test_unknown_sweep_attacks_are_refused():
    with pytest.raises(ValueError, match="Received: sweep_attacks"):
        standard.EvaluationSettings(sweep_attacks=("apgd_ce", "no_such"))


def test_a_whole_piece_saved_before_chunking_is_used_as_it_is(
        undefended_mnist_model, tmp_path, monkeypatch):
    model = undefended_mnist_model
    old = {"clean": 0.9, "robust": 0.125, "num_examples": 8,
           "attacks": {"apgd_ce:num_steps=100": {"accuracy": 0.125}},
           "sanity_checks_passed": True, "seconds": 12.0}
    saved = standard.SavedEvaluation(str(tmp_path / "evaluation.json"),
                                     standard.weights_digest(model),
                                     allowed=False)
    saved.pieces["autoattack"] = {"settings": {
        "num_examples": 8, "split": "sample test", "epsilon": 0.3},
        "result": old}
    monkeypatch.setattr(robustness, "evaluate_robustness", None)
    result = standard.card_autoattack(
        model, "mnist", 0.3, saved,
        settings=standard.EvaluationSettings(autoattack_examples=8),
        load_kwargs=LOAD_KWARGS, verbose=0)
    assert result["accuracy"] == 0.125 and result["seconds"] == 12.0
