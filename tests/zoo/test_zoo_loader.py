"""The zoo's loader and its checks (cards, hashes, download, names), on the
tiny published run of the `published` fixture (conftest.py).
"""

import json
import os
import shutil

import keras
import numpy as np
import pytest
from conftest import TINY_ZOO_MODEL as NAME

import afd_keras
from afd_keras.utils import errors
from afd_keras.zoo import cards
from afd_keras.zoo import weights as weights_lib


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


def test_condition_without_a_dial_is_a_clear_error(zoo_copy):
    _edit_card(zoo_copy, lambda card: card["model"]["arguments"].update(
        conditional=False))
    with pytest.raises(ValueError, match="without a dial"):
        afd_keras.zoo.load(NAME, zoo_dir=zoo_copy)
