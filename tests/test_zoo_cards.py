"""Every published model: a valid card, verified weights, and numbers the
evaluation code reproduces."""

import numpy as np
import pytest

import afd_keras
from afd_keras.data import sample
from afd_keras.zoo import cards
from afd_keras.zoo import tables
from conftest import REPO_ROOT

PUBLISHED = cards.names()


def test_the_zoo_is_installed_with_the_package():
    assert PUBLISHED, f"no model cards in {cards.zoo_dir()}"


@pytest.mark.parametrize("name", PUBLISHED)
def test_card_validates_against_the_schema(name):
    cards.validate(afd_keras.zoo.get_info(name))


@pytest.mark.parametrize("name", PUBLISHED)
def test_weights_load_and_match_the_cards_sample_accuracy(name):
    card = afd_keras.zoo.get_info(name)
    model = afd_keras.zoo.load(name)  # verifies the sha256 first
    images, labels = sample.read_split(card["dataset"], "test")
    logits = model.predict(images.astype("float32") / 255.0, batch_size=500,
                           verbose=0)
    accuracy = float(np.mean(logits.argmax(1) == labels))
    assert accuracy == pytest.approx(card["results"]["sample"]["accuracy"],
                                     abs=0.01)


def test_readme_table_is_generated_from_the_cards():
    table = tables.markdown([afd_keras.zoo.get_info(n) for n in PUBLISHED])
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert tables.replace_section(readme, table) == readme


@pytest.mark.slow
@pytest.mark.parametrize("name", PUBLISHED)
def test_pgd_on_the_first_1000_matches_the_card(name, shared_data_dir):
    card = afd_keras.zoo.get_info(name)
    subset = card["results"]["pgd"]["subset"]
    attack = next(iter(card["results"]["pgd"]["attacks"]))
    test = afd_keras.data.load(card["dataset"], "test", batch_size=500,
                               data_dir=shared_data_dir,
                               num_examples=subset["num_examples"])
    result = afd_keras.evaluation.evaluate_robustness(
        afd_keras.zoo.load(name), test, card["threat_model"]["epsilon"],
        [attack], sanity_examples=0, verbose=0)
    assert result.robust_accuracy == pytest.approx(subset["accuracy"], abs=0.02)


def _card(method, clean, pgd, aa_lite, seconds=60.0, epsilon=8 / 255):
    """The parts of a card that the tables read."""
    return {"name": f"net_cifar10_{method}", "dataset": "cifar10",
            "threat_model": {"norm": "linf", "epsilon": epsilon},
            "training": {"method": method, "wall_time_seconds": seconds,
                         "epochs": 15},
            "results": {"clean": {"accuracy": clean, "num_examples": 10000},
                        "pgd": {"accuracy": pgd, "attacks": {"pgd:...": {}}},
                        "aa_lite": {"accuracy": aa_lite, "num_examples": 1000},
                        "condition_sweep": []}}


@pytest.mark.parametrize("afd, verdict", [
    (_card("afd", 0.90, 0.50, 0.45), "better on all three: yes"),
    (_card("afd", 0.90, 0.50, 0.39), "better on all three: **no**"),
    (_card("afd", 0.80, 0.50, 0.45), "better on all three: **no**"),
])
def test_claim_needs_afd_ahead_of_fgsm_rs_on_every_axis(afd, verdict):
    fgsm_rs = _card("fgsm_rs", 0.85, 0.40, 0.40)
    pgd = _card("pgd", 0.88, 0.55, 0.50, seconds=240.0)
    text = tables.claim([_card("standard", 0.99, 0.0, 0.0), fgsm_rs, afd, pgd])
    assert verdict in text
    assert "at 0.25x its training time" in text


def test_claim_is_empty_without_an_afd_card():
    assert tables.claim([_card("fgsm_rs", 0.85, 0.40, 0.40)]) == ""


@pytest.mark.parametrize("epsilon, text", [
    (8 / 255, "eps = 8/255."), (0.3, "eps = 0.3."), (0.0314, "eps = 0.0314.")])
def test_table_names_pixel_level_budgets_as_such(epsilon, text):
    table = tables.markdown([_card("afd", 0.9, 0.5, 0.45, epsilon=epsilon)])
    assert text in table
    assert "| `net_cifar10_afd` | afd | 15 | 90.00% | 50.00% | 45.00% |" in table
