"""What every absl tool shares: one-line errors, and flags derived from
settings dataclasses."""

import dataclasses
import json
import os
import sys

from absl import app
from absl import flags

from afd_keras.training import settings

# Errors a user can cause and fix: bad arguments, missing, unreadable or
# corrupt files (OSError covers FileNotFoundError and PermissionError), a
# diverged run.
_USER_ERRORS = (ValueError, OSError, FloatingPointError)


def run(main):
    """Runs an absl `main`; a user error exits 2 with one line, no traceback.

    Args:
        main: the tool's `main(argv)`.
    """

    def guarded_main(argv):
        try:
            return main(argv)
        except _USER_ERRORS as e:
            tool = os.path.basename(sys.argv[0])
            sys.stderr.write(f"{tool}: error: {e}\n")
            sys.exit(2)

    # `--help` lists the flags of the module named by sys.argv[0]; a console
    # script's flags live in the tool's module (and here, for those derived
    # from a settings dataclass), so list them under the script too.
    by_module = flags.FLAGS.flags_by_module_dict()
    for module in (main.__module__, __name__):
        for flag in by_module.get(module, ()):
            flags.FLAGS.register_flag_by_module(sys.argv[0], flag)
    app.run(guarded_main)


def register_choices_validator(flag_holder, choices):
    """Requires every item of a list flag to be one of `choices`."""
    flags.register_validator(
        flag_holder.name, lambda values: set(values) <= set(choices),
        message=f"--{flag_holder.name} takes a comma-separated subset of: "
        f"{', '.join(choices)}.")


def define_flags(settings_class):
    """Declares one absl flag per field of a settings dataclass.

    Each flag takes the field's name (or its metadata's "flag"), default and
    help text; choices become an enum, bounds become flag bounds, and a dict
    field is a list of name=value pairs (values read as JSON when they
    parse), and a tuple field a comma-separated list of numbers or names
    (each one of the choices, if given). Adding a field adds its flag;
    fields not declared with `setting` get none (state, not settings).

    Args:
        settings_class: a dataclass whose fields come from
            `training.settings.setting`.

    Returns:
        A dict from field name to flag holder.

    Example:

    >>> _SETTINGS = cli.define_flags(run_folder.TrainConfig)
    """
    holders = {}
    for field in settings.setting_fields(settings_class):
        meta = field.metadata
        name, kind = settings.flag_name(field), settings.value_type(field)
        default = None if field.default is dataclasses.MISSING else field.default
        if kind is tuple and settings.item_type(field) is str:
            holder = flags.DEFINE_list(name, list(default), meta["help"])
            if meta.get("choices") is not None:
                register_choices_validator(holder, sorted(meta["choices"]))
        elif meta.get("choices") is not None:
            holder = flags.DEFINE_enum(name, default, list(meta["choices"]),
                                       meta["help"])
        elif kind is bool:
            holder = flags.DEFINE_boolean(name, default, meta["help"])
        elif kind is dict:
            holder = flags.DEFINE_list(name, [], meta["help"])
            flags.register_validator(
                name, lambda pairs: all("=" in p and p.split("=")[0]
                                        for p in pairs),
                message=f"--{name} takes name=value pairs, e.g. "
                "depth=16,width=4.")
        elif kind is tuple:
            holder = flags.DEFINE_list(name, [f"{v:g}" for v in default],
                                       meta["help"])
            flags.register_validator(
                name, lambda values: all(_is_number(v) for v in values),
                message=f"--{name} takes comma-separated numbers.")
        elif kind in (int, float):
            define = flags.DEFINE_integer if kind is int else flags.DEFINE_float
            holder = define(name, default, meta["help"],
                            lower_bound=meta.get("minimum"),
                            upper_bound=meta.get("maximum"))
        else:
            holder = flags.DEFINE_string(name, default, meta["help"])
        holders[field.name] = holder
    return holders


def settings_from_flags(settings_class, holders):
    """Builds the settings dataclass from the flags of `define_flags`."""
    return settings_class(**_flag_values(settings_class, holders))


def given_flags(settings_class, holders):
    """The fields whose flags were given on the command line, as a dict:
    what overrides a recipe (`training.recipes.train_config`)."""
    return {name: value for name, value in
            _flag_values(settings_class, holders).items()
            if flags.FLAGS[holders[name].name].present}


def _flag_values(settings_class, holders):
    values = {}
    for field in settings.setting_fields(settings_class):
        value = holders[field.name].value
        if settings.value_type(field) is dict:
            value = dict(_name_value(pair) for pair in value)
        elif settings.value_type(field) is tuple:
            value = tuple(settings.item_type(field)(v) for v in value)
        values[field.name] = value
    return values


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _name_value(pair):
    name, _, value = pair.partition("=")
    try:
        return name, json.loads(value)
    except json.JSONDecodeError:
        return name, value
