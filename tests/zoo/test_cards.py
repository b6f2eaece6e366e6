"""Every published model: a valid card, verified weights, and numbers the
evaluation code reproduces."""

import dataclasses
import os
import shlex
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import afd_keras
from afd_keras.data import sample
from afd_keras.evaluation import suite
from afd_keras.training import recipes
from afd_keras.zoo import cards
from afd_keras.zoo import readme as readme_lib
from afd_keras.zoo import tables
from conftest import REPO_ROOT

PUBLISHED = cards.names()


def test_the_schema_lists_what_the_registries_hold():
    # The schema is a published file, so it is written out, and kept equal
    # to the registries here.
    properties = cards.schema()["properties"]
    assert properties["dataset"]["enum"] == list(afd_keras.data.catalog.DATASETS)
    assert properties["threat_model"]["properties"]["norm"]["enum"] == list(
        afd_keras.attacks.norms.NORMS)
    assert properties["training"]["properties"]["method"]["enum"] == list(
        afd_keras.training.METHODS)


def test_the_zoo_is_installed_with_the_package():
    assert PUBLISHED, f"no model cards in {cards.zoo_dir()}"


def test_a_plain_pip_install_ships_every_card_weights_file_and_recipe(tmp_path):
    # Tests run from an editable install, which reads zoo/ in place; a wheel
    # holds only what setup.py's package_data lists. A copy, so that no
    # earlier build/ folder can fill the gaps.
    source = tmp_path / "source"
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(
        ".*", "build", "dist", "*.egg-info", "runs", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {os.path.basename(n) for n in archive.namelist()
                   if n.startswith("afd_keras_zoo/")}
        shipped_recipes = {os.path.basename(n) for n in archive.namelist()
                           if n.startswith("afd_keras/recipes/")}
    for name in PUBLISHED:
        assert {f"{name}.json", f"{name}.weights.h5"} <= shipped, name
    assert shipped_recipes == set(os.listdir(recipes.RECIPE_DIR))


@pytest.mark.parametrize("name", PUBLISHED)
def test_card_validates_against_the_schema(name):
    cards.validate(afd_keras.zoo.get_info(name))


@pytest.mark.parametrize("name", PUBLISHED)
def test_the_card_names_the_recipe_that_trained_it(name):
    # The recipe file, with the card's changes to it, gives every
    # hyperparameter the card lists, and the card's command names both.
    card = afd_keras.zoo.get_info(name)
    training = card["training"]
    config = recipes.train_config(training["recipe"],
                                  **training["recipe_changes"])
    resolved = {**dataclasses.asdict(config), **dataclasses.asdict(
        config.trainer_settings().resolve(config.conditional))}
    assert {key: resolved[key] for key in training["hyperparameters"]} == (
        training["hyperparameters"])
    assert (config.dataset, config.architecture, config.conditional,
            config.epochs, config.seed) == (
        card["dataset"], card["model"]["architecture"],
        card["model"]["arguments"]["conditional"], training["epochs"],
        training["seed"])
    assert card["reproduce"]["train"] == recipes.train_command(
        config, f"runs/{name}", data_dir="$AFD_DATA_DIR")


@pytest.mark.parametrize("name", PUBLISHED)
def test_the_cards_evaluate_command_names_attacks_afd_evaluate_reads(name):
    command = afd_keras.zoo.get_info(name)["reproduce"]["evaluate"]
    attacks = shlex.split(command.partition("--attacks=")[2])[0]
    for spec in suite.expand(suite.split_specs(attacks.split(","))):
        suite.parse_attack(spec)


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
    assert readme_lib.replace_section(readme, table) == readme


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

