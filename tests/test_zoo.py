"""The zoo's loader, verification and publishing, on a tiny published run.

The run trains 3 steps on the embedded sample and is published with a small
evaluation; its numbers are meaningless, its files and checks are real.
"""

import json
import os
import shutil
import subprocess
import sys

import keras
import numpy as np
import pytest

import afd_keras
from afd_keras.evaluation import standard
from afd_keras.training import run as run_lib
from afd_keras.training import run_folder
from afd_keras.utils import errors
from afd_keras.zoo import cards
from afd_keras.zoo import publishing
from afd_keras.zoo import weights as weights_lib

NAME = "tiny_mnist_afd"
SMALL_EVALUATION = standard.EvaluationSettings(
    pgd_steps=5, pgd_examples=40, aa_lite_examples=8, autoattack_examples=8,
    sweep_examples=8, conditions=(0.0, 1.0), sanity_examples=8)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A finished conditional AFD run and the zoo it was published into."""
    root = tmp_path_factory.mktemp("zoo_test")
    run_dir = str(root / "run")
    run_lib.train(run_folder.TrainConfig(
        model_dir=run_dir, source="sample", epochs=1, steps_per_epoch=3,
        conditional=True, seed=0))
    zoo_dir = str(root / "zoo")
    card = publishing.publish(run_dir, zoo_dir, name=NAME, source="sample",
                              settings=SMALL_EVALUATION, verbose=0)
    return run_dir, zoo_dir, card


@pytest.fixture
def zoo_copy(published, tmp_path):
    """A private copy of the published zoo, free to damage."""
    _, zoo_dir, _ = published
    copy = tmp_path / "zoo"
    shutil.copytree(zoo_dir, copy)
    return copy


def _edit_card(zoo_dir, edit):
    path = zoo_dir / f"{NAME}.json"
    card = json.loads(path.read_text())
    edit(card)
    path.write_text(json.dumps(card))


def test_published_card_is_valid_and_describes_its_file(published):
    _, zoo_dir, card = published
    cards.validate(card)
    assert cards.read(NAME, zoo_dir) == card
    weights = os.path.join(zoo_dir, card["files"]["weights"])
    assert os.path.getsize(weights) == card["files"]["size_bytes"]
    results = card["results"]
    assert results["clean"]["num_examples"] == 40
    assert results["aa_lite"]["num_examples"] == 8
    assert results["autoattack"]["num_examples"] == 8
    assert [a["attack"] for a in results["autoattack"]["attacks"].values()] == [
        "apgd_ce", "apgd_t", "fab_t", "square"]
    assert [p["condition"] for p in results["condition_sweep"]] == [0.0, 1.0]
    assert results["sample"]["num_examples"] == 1000
    assert card["training"]["hyperparameters"]["init"] == "sign"
    assert card["reproduce"]["train"].startswith("afd-train ")
    assert "--conditional" in card["reproduce"]["train"]


def test_load_gives_a_model_on_unit_images_at_the_card_condition(
        published, mnist_sample_test):
    _, zoo_dir, card = published
    model = afd_keras.zoo.load(NAME, zoo_dir=zoo_dir)
    images, labels = mnist_sample_test
    logits = model.predict(images, batch_size=500, verbose=0)
    assert logits.shape == (1000, 10)
    accuracy = float(np.mean(logits.argmax(1) == labels))
    assert accuracy == pytest.approx(card["results"]["sample"]["accuracy"],
                                     abs=1e-6)
    assert float(model.condition.numpy()) == card["model"]["condition"]
    model.set_condition(0.0)
    assert float(model.condition.numpy()) == 0.0


def test_loaded_model_works_with_attacks_and_keras_saving(
        published, mnist_sample_test, tmp_path):
    _, zoo_dir, _ = published
    model = afd_keras.zoo.load(NAME, zoo_dir=zoo_dir)
    images, labels = mnist_sample_test
    x, y = images[:16], labels[:16]
    x_adv = afd_keras.attacks.pgd(model, x, y, epsilon=0.3, num_steps=3)
    assert np.max(np.abs(np.asarray(x_adv) - x)) <= 0.3 + 1e-6
    assert 0.0 <= np.min(x_adv) and np.max(x_adv) <= 1.0
    path = tmp_path / "copy.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(reloaded.predict(x, verbose=0),
                               model.predict(x, verbose=0), atol=1e-5)


def test_saved_weights_are_compressed_and_load_unchanged(published,
                                                         tmp_path):
    _, zoo_dir, _ = published
    model = afd_keras.zoo.load(NAME, zoo_dir=zoo_dir)
    path = str(tmp_path / "copy.weights.h5")
    weights_lib.save(model, path)
    plain = str(tmp_path / "plain.weights.h5")
    model.save_weights(plain)
    assert os.path.getsize(path) < os.path.getsize(plain)
    reloaded = afd_keras.zoo.load(NAME, weights=None, zoo_dir=zoo_dir)
    reloaded.load_weights(path)
    for ours, theirs in zip(reloaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    assert sorted(os.listdir(tmp_path)) == ["copy.weights.h5",
                                            "plain.weights.h5"]


def test_list_models_filters(published):
    _, zoo_dir, _ = published
    assert afd_keras.zoo.list_models(zoo_dir=zoo_dir) == [NAME]
    assert afd_keras.zoo.list_models("mnist", "linf", zoo_dir=zoo_dir) == [NAME]
    assert afd_keras.zoo.list_models("cifar10", zoo_dir=zoo_dir) == []
    assert afd_keras.zoo.list_models(threat_model="l2", zoo_dir=zoo_dir) == []


def test_list_models_refuses_a_misspelt_filter(published):
    _, zoo_dir, _ = published
    with pytest.raises(ValueError, match="Did you mean 'mnist'"):
        afd_keras.zoo.list_models("mnsit", zoo_dir=zoo_dir)


def test_flipped_byte_is_refused_before_loading(zoo_copy):
    weights = zoo_copy / f"{NAME}.weights.h5"
    content = bytearray(weights.read_bytes())
    content[len(content) // 2] ^= 0xFF
    weights.write_bytes(bytes(content))
    with pytest.raises(errors.ChecksumError, match="expected"):
        afd_keras.zoo.load(NAME, zoo_dir=zoo_copy)


def test_truncated_weights_are_refused(zoo_copy):
    weights = zoo_copy / f"{NAME}.weights.h5"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(errors.ChecksumError, match="truncated"):
        afd_keras.zoo.load(NAME, zoo_dir=zoo_copy)


def test_unknown_name_suggests_the_closest(published):
    _, zoo_dir, _ = published
    with pytest.raises(ValueError, match="Did you mean 'tiny_mnist_afd'"):
        afd_keras.zoo.load("tiny_mnist_afdd", zoo_dir=zoo_dir)


@pytest.mark.parametrize("name", ["../zoo/tiny_mnist_afd", "..", "a/b",
                                  "/etc/passwd", "tiny_mnist_afd/../x",
                                  "Tiny", ""])
def test_names_cannot_leave_the_zoo(published, name):
    _, zoo_dir, _ = published
    with pytest.raises(ValueError, match="cannot leave the zoo"):
        afd_keras.zoo.get_info(name, zoo_dir=zoo_dir)


@pytest.fixture
def served(zoo_copy, tmp_path):
    """The weights moved out of the zoo copy, which names them by a file:// URL."""
    path = tmp_path / "served.weights.h5"
    shutil.move(zoo_copy / f"{NAME}.weights.h5", path)
    _edit_card(zoo_copy, lambda card: card["files"].update(url=path.as_uri()))
    return path


def test_file_url_with_a_wrong_hash_is_refused(zoo_copy, served, tmp_path):
    del served
    _edit_card(zoo_copy, lambda card: card["files"].update(sha256="0" * 64))
    with pytest.raises(errors.ChecksumError, match="refused and deleted"):
        afd_keras.zoo.load(NAME, zoo_dir=zoo_copy, cache_dir=tmp_path / "cache")
    assert not list((tmp_path / "cache").rglob("*.h5"))


def test_file_url_with_the_right_hash_downloads_and_loads(
        zoo_copy, served, tmp_path, published):
    model = afd_keras.zoo.load(NAME, zoo_dir=zoo_copy,
                               cache_dir=tmp_path / "cache")
    cached = tmp_path / "cache" / weights_lib.CACHE_SUBDIR / f"{NAME}.weights.h5"
    assert cached.read_bytes() == served.read_bytes()
    reference = afd_keras.zoo.load(NAME, zoo_dir=published[1])
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_missing_weights_are_a_clear_error(zoo_copy, tmp_path):
    with pytest.raises(FileNotFoundError, match="No weights file at"):
        afd_keras.zoo.load(NAME, weights=tmp_path / "absent.weights.h5",
                           zoo_dir=zoo_copy)
    (zoo_copy / f"{NAME}.weights.h5").unlink()
    with pytest.raises(FileNotFoundError, match="card gives no URL"):
        afd_keras.zoo.load(NAME, zoo_dir=zoo_copy)


def test_a_stale_cached_download_is_replaced(zoo_copy, served, tmp_path):
    # A cached copy of an older version of the model, e.g. before a republish.
    cached = tmp_path / "cache" / weights_lib.CACHE_SUBDIR / f"{NAME}.weights.h5"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"older weights")
    afd_keras.zoo.load(NAME, zoo_dir=zoo_copy, cache_dir=tmp_path / "cache")
    assert cached.read_bytes() == served.read_bytes()


def test_architecture_mismatch_is_a_clear_error(zoo_copy):
    _edit_card(zoo_copy, lambda card: card["model"]["arguments"].update(
        num_classes=5))
    with pytest.raises(ValueError, match="do not fit the architecture"):
        afd_keras.zoo.load(NAME, zoo_dir=zoo_copy)


def test_invalid_card_names_the_field(zoo_copy):
    _edit_card(zoo_copy, lambda card: card["files"].update(sha256="abc"))
    with pytest.raises(ValueError, match="files/sha256"):
        afd_keras.zoo.get_info(NAME, zoo_dir=zoo_copy)


def test_weights_none_gives_the_bare_architecture(published):
    _, zoo_dir, card = published
    model = afd_keras.zoo.load(NAME, weights=None, zoo_dir=zoo_dir)
    assert model.count_params() == card["model"]["num_parameters"]


def test_publish_refuses_to_overwrite(published):
    run_dir, zoo_dir, _ = published
    with pytest.raises(FileExistsError, match="overwrite"):
        publishing.publish(run_dir, zoo_dir, name=NAME, source="sample",
                           settings=SMALL_EVALUATION, verbose=0)


def test_publish_refuses_without_an_evaluation(published, tmp_path):
    run_dir, _, _ = published
    # A different PGD setting has no saved evaluation.
    with pytest.raises(ValueError, match="never published without"):
        publishing.publish(
            run_dir, str(tmp_path / "zoo"), name=NAME, source="sample",
            evaluate=False, verbose=0,
            settings=standard.EvaluationSettings(
                **{**SMALL_EVALUATION.__dict__, "pgd_steps": 6}))
    assert not (tmp_path / "zoo" / f"{NAME}.json").exists()


def test_publish_reuses_the_saved_evaluation(published, tmp_path):
    run_dir, _, card = published
    again = publishing.publish(run_dir, str(tmp_path / "zoo"), name=NAME,
                               source="sample", evaluate=False, verbose=0,
                               settings=SMALL_EVALUATION)
    assert again["results"] == card["results"]


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


def _run_tool(module, *args, env=None):
    return subprocess.run(
        [sys.executable, "-m", f"afd_keras_tools.{module}", *args],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, **(env or {})})


@pytest.mark.parametrize("run,name,error,pattern", [
    ("empty", NAME, ValueError, "not a finished training run"),
    ("published", NAME, FileExistsError, "is published already"),
    ("published", "../x", ValueError, "cannot leave the zoo")])
def test_publish_refuses(run, name, error, pattern, published, tmp_path):
    run_dir, zoo_dir, _ = published
    with pytest.raises(error, match=pattern):
        publishing.publish(run_dir if run == "published" else str(tmp_path),
                           zoo_dir, name=name, source="sample",
                           settings=SMALL_EVALUATION, verbose=0)


# Each tool run costs seconds of TF start-up: one per path to the error.
def test_publish_tool_errors_are_one_line(published):
    run_dir, zoo_dir, _ = published
    for args, pattern in [
            ([f"--run={run_dir}", f"--zoo_dir={zoo_dir}", f"--name={NAME}"],
             "is published already"),
            ([f"--run={run_dir}", "--readme=no_such_readme.md"],
             "no_such_readme.md")]:
        result = _run_tool("publish", "--readme=", "--source=sample", *args)
        assert result.returncode == 2, result.stderr
        assert pattern in result.stderr
        assert "Traceback" not in result.stderr


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


def test_weights_path_must_be_the_published_file(published, zoo_copy, tmp_path):
    _, zoo_dir, card = published
    copy = tmp_path / "copy.weights.h5"
    shutil.copyfile(os.path.join(zoo_dir, card["files"]["weights"]), copy)
    model = afd_keras.zoo.load(NAME, weights=str(copy), zoo_dir=zoo_dir)
    assert model.count_params() == card["model"]["num_parameters"]
    other = tmp_path / "other.weights.h5"
    afd_keras.zoo.load(NAME, weights=None, zoo_dir=zoo_dir).save_weights(other)
    with pytest.raises(errors.ChecksumError, match="expected"):
        afd_keras.zoo.load(NAME, weights=str(other), zoo_dir=zoo_dir)


def test_sample_numbers_are_labelled_as_such(published):
    _, _, card = published
    for piece in ("clean", "pgd", "aa_lite"):
        assert card["results"][piece]["split"] == "sample test"


def test_publish_needs_the_full_data_unless_asked_for_the_sample(
        published, tmp_path):
    run_dir, _, _ = published
    with pytest.raises(ValueError, match="needs the data"):
        publishing.publish(run_dir, str(tmp_path / "zoo"), name="other")


def test_condition_without_a_dial_is_a_clear_error(zoo_copy):
    _edit_card(zoo_copy, lambda card: card["model"]["arguments"].update(
        conditional=False))
    with pytest.raises(ValueError, match="without a dial"):
        afd_keras.zoo.load(NAME, zoo_dir=zoo_copy)


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
