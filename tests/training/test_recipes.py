"""Training recipes: every shipped file reads, lookups pick the right
version, overrides win, and bad files get one clear error."""

import pytest

from afd_keras.training import recipes
from afd_keras.training import run_folder

_GOOD = """description = "A test recipe."

[settings]
dataset = "mnist"
method = "fgsm_rs"
epochs = 3
"""


@pytest.mark.parametrize("recipe_id", recipes.list_recipes())
def test_every_shipped_recipe_reads_and_builds_a_config(recipe_id):
    recipe = recipes.get(recipe_id)
    assert recipe.id == recipe_id
    assert recipe.description
    config = recipes.train_config(recipe_id)
    assert config.recipe == recipe_id
    assert recipes.changes_from_recipe(config) == {}


def test_a_name_without_version_is_the_newest(tmp_path):
    (tmp_path / "toy.v1.toml").write_text(_GOOD)
    (tmp_path / "toy.v2.toml").write_text(_GOOD.replace("epochs = 3", "epochs = 4"))
    assert recipes.list_recipes(tmp_path) == ["toy@1", "toy@2"]
    assert recipes.get("toy", tmp_path).settings["epochs"] == 4
    assert recipes.get("toy@1", tmp_path).settings["epochs"] == 3
    with pytest.raises(ValueError, match=r"no version 3; it has \[1, 2\]"):
        recipes.get("toy@3", tmp_path)


def test_a_misnamed_file_among_the_recipes_is_an_error(tmp_path):
    (tmp_path / "toy.v1.toml").write_text(_GOOD)
    (tmp_path / "toy.v01.toml").write_text(_GOOD)
    with pytest.raises(ValueError, match=r"without leading zeros.*toy.v01"):
        recipes.get("toy", tmp_path)


def test_overrides_win_and_are_the_runs_changes(tmp_path):
    (tmp_path / "toy.v1.toml").write_text(_GOOD)
    config = recipes.train_config("toy", tmp_path, seed=2, model_dir="runs/x")
    assert (config.recipe, config.method, config.epochs, config.seed) == (
        "toy@1", "fgsm_rs", 3, 2)
    # Every setting the recipe leaves out is the default.
    assert config.optimizer == run_folder.TrainConfig().optimizer


def test_the_train_command_names_the_recipe_and_its_changes():
    config = recipes.train_config("mnist_afd", seed=1, conditional=False)
    assert recipes.changes_from_recipe(config) == {
        "seed": 1, "conditional": False}
    assert recipes.train_command(config, "runs/m", data_dir="$AFD_DATA_DIR") == (
        "afd-train --recipe=mnist_afd@1 --seed=1 --noconditional "
        "--data_dir=$AFD_DATA_DIR --model_dir=runs/m")


def test_a_run_without_a_recipe_spells_out_every_setting():
    command = recipes.train_command(
        run_folder.TrainConfig(method="fgsm_rs", epochs=2), "runs/m")
    assert "--recipe" not in command
    assert "--method=fgsm_rs" in command and "--epochs=2" in command
    assert command.endswith("--model_dir=runs/m")


def test_an_unknown_recipe_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'cifar10_afd'"):
        recipes.get("cifar10_afdd")


@pytest.mark.parametrize("file_name, content, message", [
    ("toy.v1.toml", _GOOD + "no_such_setting = 1\n",
     "Unknown setting.*no_such_setting"),
    # Where a run runs and reads from is the caller's, not the recipe's.
    ("toy.v1.toml", _GOOD + 'data_dir = "/data"\n', "Unknown setting.*data_dir"),
    ("toy.v1.toml", _GOOD + "epsilon = 2.0\n", r"epsilon must be in \[0, 1\]"),
    # TOML types: a quoted "false" would be truthy, a quoted number a string.
    ("toy.v1.toml", _GOOD + 'validation = "false"\n',
     r"validation must be a boolean. Received: validation='false'"),
    ("toy.v1.toml", _GOOD + 'learning_rate = "0.2"\n',
     r"learning_rate must be a number. Received: learning_rate='0.2'"),
    ("toy.v1.toml", _GOOD + "batch_size = true\n", r"batch_size must be an integer"),
    ("toy.v1.toml", _GOOD + 'method = "magic"\n', "not valid TOML"),
    ("toy.v1.toml", _GOOD.replace("fgsm_rs", "magic"), "Unknown method"),
    ("toy.v1.toml", 'description = "no settings"\n', r"a \[settings\] table"),
    ("Toy.toml", _GOOD, "named <name>.v<version>.toml"),
    # v01 would name the same version as v1.
    ("toy.v01.toml", _GOOD, "without leading zeros"),
    ("toy.v0.toml", _GOOD, "the version from 1"),
])
def test_a_bad_recipe_file_is_one_clear_error(tmp_path, file_name, content,
                                              message):
    path = tmp_path / file_name
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        recipes.read(str(path))
