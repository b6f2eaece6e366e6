"""Training recipes: the settings of a zoo model's run, as a versioned file.

A recipe is a TOML file in `afd_keras/recipes/`, named
`<name>.v<version>.toml`, whose `[settings]` table holds `afd-train` flags
(the fields of `run_folder.TrainConfig`, under their flag names):

    description = "CIFAR-10, FGSM with random init (Wong et al. 2020)."

    [settings]
    dataset = "cifar10"
    method = "fgsm_rs"
    epochs = 15

A setting a recipe leaves out takes `afd-train`'s default. Where a run runs
and reads from (`run_folder.RESUMABLE_CHANGES`) is never in a recipe.
`afd-train --recipe=NAME` starts from the newest version of NAME and
`--recipe=NAME@VERSION` from that one; flags given on the command line
override the recipe's settings (a second seed: `--seed=1`). The run records
the exact version it used, and a zoo card names it. A recipe file never
changes once a card names it: a new setting is a new version.
"""

import dataclasses
import os
import re
import shlex
import tomllib

from afd_keras.training import run_folder
from afd_keras.training import settings as settings_lib
from afd_keras.utils import messages

RECIPE_DIR = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "recipes")

_FILE_NAME = re.compile(r"^(?P<name>[a-z0-9_]+)\.v(?P<version>[1-9][0-9]*)\.toml$")
_FILE_NAME_RULE = ("A recipe file is named <name>.v<version>.toml, the name "
                   "in lowercase letters, digits and underscores, the "
                   "version from 1, without leading zeros.")
_RECIPE_ID = re.compile(r"^(?P<name>[a-z0-9_]+)(@(?P<version>[0-9]+))?$")


@dataclasses.dataclass(frozen=True)
class Recipe:
    """One version of a training recipe.

    Attributes:
        name: the recipe's name, e.g. "cifar10_fgsm_rs".
        version: its version, from 1.
        description: one or two sentences on what it trains and why.
        settings: `TrainConfig` field names to values.

    Example:

    >>> recipe = recipes.get("mnist_afd")
    >>> recipe.id, recipe.settings["epsilon"]
    ('mnist_afd@1', 0.3)
    """

    name: str
    version: int
    description: str
    settings: dict

    @property
    def id(self):
        """The exact version, as runs and cards name it: NAME@VERSION."""
        return f"{self.name}@{self.version}"


def _files(directory):
    """{(name, version): path} of the recipe files in `directory`."""
    found = {}
    for file_name in sorted(os.listdir(directory)):
        if not file_name.endswith(".toml"):
            continue
        # A misnamed recipe is an error, not a file silently left out.
        match = _FILE_NAME.match(file_name)
        if not match:
            raise ValueError(f"{_FILE_NAME_RULE} Received: "
                             f"{os.path.join(directory, file_name)}")
        found[match["name"], int(match["version"])] = os.path.join(
            directory, file_name)
    return found


def list_recipes(directory=RECIPE_DIR):
    """The ids (NAME@VERSION) of every recipe version, sorted.

    Example:

    >>> "cifar10_fgsm_rs@1" in recipes.list_recipes()
    True
    """
    return [f"{name}@{version}" for name, version in sorted(_files(directory))]


def read(path):
    """Reads and checks one recipe file.

    Args:
        path: a `<name>.v<version>.toml` file.

    Returns:
        A `Recipe`.

    Raises:
        ValueError: a bad file name, bad TOML, an unknown setting, a setting
            that is not the recipe's to fix, or a value out of range.
        OSError: the file cannot be read.

    Example:

    >>> recipes.read("afd_keras/recipes/mnist_afd.v1.toml").id
    'mnist_afd@1'
    """
    match = _FILE_NAME.match(os.path.basename(path))
    if not match:
        raise ValueError(f"{_FILE_NAME_RULE} Received: {path}")
    with open(path, "rb") as f:
        try:
            content = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise ValueError(f"{path} is not valid TOML: {e}") from e
    unknown_keys = set(content) - {"description", "settings"}
    if unknown_keys or not isinstance(content.get("settings"), dict):
        raise ValueError(f"{path} must hold a description and a [settings] "
                         f"table, nothing else. Received: {sorted(content)}")
    fields = {settings_lib.flag_name(field): field
              for field in dataclasses.fields(run_folder.TrainConfig)
              if field.name not in (*run_folder.RESUMABLE_CHANGES, "recipe")}
    recipe_settings = {}
    for flag, value in content["settings"].items():
        if flag not in fields:
            raise ValueError(
                f"{path}: {messages.unknown_name_message('setting', flag, fields)}"
                " (where a run runs and reads from is not a recipe's "
                "setting)")
        _check_type(path, fields[flag], value)
        settings_lib.check_field(fields[flag], value)
        recipe_settings[fields[flag].name] = value
    return Recipe(name=match["name"], version=int(match["version"]),
                  description=str(content.get("description", "")),
                  settings=recipe_settings)


# What a TOML value of each field type may be, and its name: TOML has no
# tuples, and an integer is a valid float.
_TOML_TYPES = {bool: ((bool,), "a boolean"), int: ((int,), "an integer"),
               float: ((int, float), "a number"), str: ((str,), "a string"),
               dict: ((dict,), "a table"), tuple: ((list,), "an array")}


def _check_type(path, field, value):
    kind = settings_lib.value_type(field)
    allowed, name = _TOML_TYPES.get(kind, ((object,), "a value"))
    # bool is an int in Python, but `seed = true` is a mistake.
    if not isinstance(value, allowed) or (kind is not bool and
                                          isinstance(value, bool)):
        raise ValueError(f"{path}: {field.name} must be {name}. "
                         f"Received: {field.name}={value!r}")


def get(recipe_id, directory=RECIPE_DIR):
    """Looks a recipe up by NAME (its newest version) or NAME@VERSION.

    Args:
        recipe_id: e.g. "cifar10_afd" or "cifar10_afd@1".
        directory: the folder of recipe files.

    Returns:
        A `Recipe`.

    Raises:
        ValueError: an unknown recipe or version, or a bad recipe file.

    Example:

    >>> recipes.get("cifar10_fgsm_rs").settings["method"]
    'fgsm_rs'
    """
    match = _RECIPE_ID.match(str(recipe_id))
    files = _files(directory)
    names = sorted({name for name, _ in files})
    if not match or match["name"] not in names:
        raise ValueError(messages.unknown_name_message(
            "recipe", recipe_id, names))
    versions = sorted(v for name, v in files if name == match["name"])
    version = int(match["version"] or versions[-1])
    if version not in versions:
        raise ValueError(f"Recipe {match['name']} has no version {version}; "
                         f"it has {versions}. Received: {recipe_id}")
    return read(files[match["name"], version])


def train_config(recipe=None, directory=RECIPE_DIR, **overrides):
    """The `TrainConfig` of a run: a recipe's settings, then `overrides`.

    Args:
        recipe: a recipe id (NAME or NAME@VERSION), or None for the
            defaults alone.
        directory: the folder of recipe files.
        **overrides: `TrainConfig` fields that replace the recipe's, e.g.
            `model_dir` and `seed`.

    Returns:
        A `run_folder.TrainConfig` whose `recipe` is the exact version used.

    Raises:
        ValueError: an unknown recipe or a bad recipe file.

    Example:

    >>> config = recipes.train_config("cifar10_afd", seed=1,
    ...                               model_dir="runs/cifar10_afd_seed1")
    >>> config.recipe, config.seed
    ('cifar10_afd@1', 1)
    """
    if recipe is None:
        return run_folder.TrainConfig(**overrides)
    found = get(recipe, directory)
    return run_folder.TrainConfig(**{**found.settings, **overrides,
                                     "recipe": found.id})


def changes_from_recipe(config):
    """The settings of `config` that differ from its recipe's, where the run
    runs and reads from aside: what a card lists next to the recipe's name.

    Args:
        config: a `TrainConfig` with a `recipe`.

    Returns:
        A dict of field names to values; empty when the run is the recipe.

    Example:

    >>> recipes.changes_from_recipe(recipes.train_config("mnist_afd", seed=1))
    {'seed': 1}
    """
    reference = train_config(config.recipe)
    return {field.name: getattr(config, field.name)
            for field in dataclasses.fields(config)
            if field.name not in run_folder.RESUMABLE_CHANGES
            and getattr(config, field.name) != getattr(reference, field.name)}


def train_command(config, model_dir, *, data_dir=None):
    """The `afd-train` command that trains `config` again, as a string.

    A run from a recipe is named by its recipe and its changes to it; any
    other run by every setting, spelled out (`settings.command_line`).

    Args:
        config: a `TrainConfig`.
        model_dir: the run folder the command writes.
        data_dir: the `--data_dir` to write, e.g. "$AFD_DATA_DIR"; None
            leaves it out.

    Returns:
        The command, e.g. "afd-train --recipe=mnist_afd@1 --seed=1
        --model_dir=runs/mnist_afd_seed1".

    Example:

    >>> recipes.train_command(recipes.train_config("mnist_afd", seed=1),
    ...                       "runs/mnist_afd_seed1")
    'afd-train --recipe=mnist_afd@1 --seed=1 --model_dir=runs/mnist_afd_seed1'
    """
    if config.recipe:
        # The recipe file holds the settings; only the changes are spelled
        # out.
        flags = [f"--recipe={config.recipe}", *settings_lib.command_line(
            config, only=changes_from_recipe(config))]
    else:
        flags = settings_lib.command_line(config, skip=(
            "model_dir", *run_folder.RESUMABLE_CHANGES))
    if data_dir:
        flags.append(f"--data_dir={data_dir}")
    # "$AFD_DATA_DIR" stays unquoted, for the shell to expand.
    return " ".join(["afd-train", *flags, f"--model_dir={shlex.quote(model_dir)}"])
