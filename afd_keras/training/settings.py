"""The hyperparameters of adversarial training, each declared once.

`TrainerSettings` lists every `AdversarialTrainer` hyperparameter with its
default, its allowed values and its help text. Everything else is derived
from its fields: the trainer's arguments and `get_config`, the run config
(`run_folder.TrainConfig` extends it), the settings a resumed run must keep,
the `afd-train` flags and a zoo card's hyperparameters. Adding a
hyperparameter is adding a field here and reading it in the trainer.
"""

import dataclasses
import json
import math
import typing

from afd_keras.training import methods
from afd_keras.training import mixing
from afd_keras.training import objectives
from afd_keras.training import perturbations


def setting(default, help_text, *, choices=None, minimum=None, maximum=None,
            exclusive_minimum=False, integer=False):
    """A dataclass field carrying its help text and its allowed values.

    Args:
        default: the default; None stands for "the method's default".
        help_text: one sentence for `--help`.
        choices: the allowed values, a tuple or a dict whose keys are.
        minimum: the smallest allowed value.
        maximum: the largest allowed value.
        exclusive_minimum: `minimum` itself is not allowed.
        integer: the value is an int.

    Example:

    >>> trades_beta: float = setting(6.0, "TRADES KL weight.", minimum=0.0)
    """
    return dataclasses.field(default=default, metadata={
        "help": help_text, "choices": choices, "minimum": minimum,
        "maximum": maximum, "exclusive_minimum": exclusive_minimum,
        "integer": integer})


def with_default(settings_class, name, default):
    """A copy of a settings class's field with another default, for a
    subclass that needs it.

    Example:

    >>> epsilon: float = with_default(TrainerSettings, "epsilon", 0.3)
    """
    field = next(f for f in dataclasses.fields(settings_class) if f.name == name)
    return dataclasses.field(default=default, metadata=field.metadata)


def check_field(field, value):
    """Raises a ValueError naming the received value if it is not allowed.

    None always passes: it stands for a default filled in later.
    """
    if value is None:
        return
    meta, name = field.metadata, field.name
    if meta.get("choices") is not None:
        # A tuple's choices hold for each of its items.
        items = value if isinstance(value, tuple) else (value,)
        if not set(items) <= set(meta["choices"]):
            raise ValueError(f"Unknown {name}; expected "
                             f"{'some' if isinstance(value, tuple) else 'one'}"
                             f" of {sorted(meta['choices'])}. Received: "
                             f"{name}={value!r}")
        return
    if meta.get("integer") and (not isinstance(value, int) or
                                isinstance(value, bool)):
        raise ValueError(f"{name} must be an integer. Received: {name}={value!r}")
    # A tuple's bounds hold for each of its items.
    items = value if isinstance(value, tuple) else (value,)
    items = [v for v in items if isinstance(v, (int, float)) and not math.isnan(v)]
    if not items:
        return
    low, high = meta.get("minimum"), meta.get("maximum")
    strict = meta.get("exclusive_minimum")
    too_low = low is not None and (min(items) <= low if strict else min(items) < low)
    too_high = high is not None and max(items) > high
    if too_low or too_high:
        bounds = (f"in [{low:g}, {high:g}]" if low is not None and high is not None
                  else f"{'>' if strict else '>='} {low:g}" if low is not None
                  else f"<= {high:g}")
        raise ValueError(f"{name} must be {bounds}. Received: {name}={value!r}")


def check_fields(settings):
    """Checks every field of a settings dataclass against its metadata."""
    for field in dataclasses.fields(settings):
        check_field(field, getattr(settings, field.name))


@dataclasses.dataclass(frozen=True)
class TrainerSettings:
    """The hyperparameters of one `AdversarialTrainer`.

    Each field's help text (also `afd-train --help`) documents it. A None
    stands for the method's default (`methods.METHODS`); `resolve` fills
    those in.

    Example:

    >>> settings = TrainerSettings(method="fgsm_rs", epsilon=8 / 255)
    >>> settings.resolve(conditional=False).step_size
    0.0392156862745098
    """

    method: str = setting(
        "afd", "Training method.", choices=methods.METHODS)
    epsilon: float = setting(
        8 / 255, "L-inf budget on [0, 1] images (0.3 MNIST, 0.1 "
        "Fashion-MNIST, 8/255 CIFAR-10).", minimum=0.0, maximum=1.0)
    step_size: float | None = setting(
        None, "Attack step size (default: the method's multiple of "
        "epsilon).", minimum=0.0)
    num_steps: int | None = setting(
        None, "Attack steps per training step (default: the method's).",
        minimum=0, integer=True)
    init: str | None = setting(
        None, "Initial perturbation (default: the method's).",
        choices=perturbations.INITS)
    mixing: str | None = setting(
        None, "Example mixing: mixup (of adversarial examples of different "
        "images, labels mixed alike), interpolate (x + c delta, c the "
        "condition) or mixup_input (the attack runs on mixed inputs) "
        "(default: the method's; for afd, interpolate with --conditional, "
        "else none).", choices=mixing.MIXINGS)
    condition_on_mixing: bool = setting(
        False, "With mixup or mixup_input and a conditional classifier: the "
        "dial reads |2 lam - 1|, 1 for an unmixed example and 0 for a half "
        "and half mix, instead of 1 (the mixing coefficient as the "
        "condition).")
    mixup_alpha: float = setting(
        1.0, "Beta(a, a) parameter of the mixup modes.", minimum=0.0,
        exclusive_minimum=True)
    full_strength_share: float | None = setting(
        None, "With interpolate or loss_weighted: the share of examples at "
        "full strength (c = 1); the others draw c ~ U(0, 1) (default: the "
        "method's, 0.5 for afd).", minimum=0.0, maximum=1.0)
    zero_strength_share: float = setting(
        0.0, "With interpolate or loss_weighted: the share of examples at "
        "zero strength (c = 0: trained clean; a dual-BN net routes them "
        "through its clean statistics). The full- and zero-strength shares "
        "sum to at most 1; OAT puts 1/6 of each batch at 0.", minimum=0.0,
        maximum=1.0)
    trades_beta: float = setting(6.0, "TRADES KL weight.", minimum=0.0)
    init_scale: float | None = setting(
        None, "Starting noise radius as a multiple of epsilon (default: the "
        "method's, 2 for n_fgsm, else 1).", minimum=0.0)
    projection: str | None = setting(
        None, "ball: keep the training perturbation in the eps-ball and "
        "[0, 1]; box: only in [0, 1] (default: the method's, box for "
        "n_fgsm).", choices=perturbations.PROJECTIONS)
    objective: str | None = setting(
        None, "What a step minimises (default: the method's). "
        "loss_weighted: (1 - lam) CE(x) + lam CE(x_adv), lam per example "
        "and read by the dial (Once-for-All AT).",
        choices=objectives.OBJECTIVES)
    seed: int | None = setting(None, "Random seed.", integer=True)

    def resolve(self, conditional):
        """Fills every None with the method's default and checks the result.

        Args:
            conditional: whether the classifier has a condition dial; the
                method's mixing may depend on it.

        Returns:
            A `TrainerSettings` without None, except `seed`.

        Raises:
            ValueError: a value outside its allowed range or choices.
        """
        check_fields(self)
        defaults = methods.METHODS[self.method]
        objective = self.objective or defaults.objective
        mixing_mode = self.mixing
        if mixing_mode is None:
            mixing_mode = (
                "none" if not objectives.OBJECTIVES[objective].mixes else
                defaults.conditional_mixing if conditional and
                defaults.conditional_mixing else defaults.mixing)
        if mixing_mode != "none" and not objectives.OBJECTIVES[objective].mixes:
            raise ValueError(f"Objective {objective} does not mix examples. "
                             f"Received: mixing={mixing_mode!r}")

        def default(name, value):
            return getattr(defaults, name) if value is None else value

        resolved = dataclasses.replace(
            self, objective=objective, mixing=mixing_mode,
            init=default("init", self.init),
            num_steps=default("num_steps", self.num_steps),
            init_scale=default("init_scale", self.init_scale),
            projection=default("projection", self.projection),
            full_strength_share=default("full_strength_share",
                                        self.full_strength_share),
            step_size=(defaults.step_size_ratio * self.epsilon
                       if self.step_size is None else self.step_size))
        check_fields(resolved)
        # A tolerance, so that shares meant to sum to 1 are not refused for
        # float rounding.
        shares = resolved.full_strength_share + resolved.zero_strength_share
        if shares > 1 + 1e-9:
            raise ValueError(
                "The full- and zero-strength shares must sum to at most 1. "
                f"Received: full_strength_share={resolved.full_strength_share!r}, "
                f"zero_strength_share={resolved.zero_strength_share!r}")
        draws_condition = (resolved.mixing == "interpolate" or
                           objectives.OBJECTIVES[objective].weights_by_condition)
        if resolved.zero_strength_share > 0 and not draws_condition:
            raise ValueError(
                "zero_strength_share is read only by interpolate mixing and "
                "the loss_weighted objective. Received: zero_strength_share="
                f"{resolved.zero_strength_share!r} with mixing="
                f"{resolved.mixing!r}, objective={objective!r}")
        # Plain Python numbers, so that the config serialises to JSON.
        return dataclasses.replace(resolved, **{
            field.name: (int if field.metadata["integer"] else float)(
                getattr(resolved, field.name))
            for field in dataclasses.fields(TrainerSettings)
            if getattr(resolved, field.name) is not None and (
                field.metadata["integer"] or field.metadata["minimum"] is not None)})


def value_type(field):
    """The field's type without None: bool, int, float, str, dict or tuple
    (of the `item_type`)."""
    if typing.get_origin(field.type) is tuple:
        return tuple
    types = [t for t in typing.get_args(field.type) if t is not type(None)]
    return types[0] if types else field.type


def setting_fields(settings_class):
    """The fields declared with `setting`; others hold state, not settings,
    and get no flag."""
    return [field for field in dataclasses.fields(settings_class)
            if "help" in field.metadata]


def item_type(field):
    """The type of a tuple field's items: `tuple[str, ...]` gives str."""
    return typing.get_args(field.type)[0]


def flag_name(field):
    """The command-line flag of a field (its name, unless it says another)."""
    return field.metadata.get("flag", field.name)


def command_line(settings, *, skip=(), only=None):
    """The flags that reproduce `settings`, every value spelled out.

    Defaults are written too, so the command means the same after a
    default changes; only None (the method's default), False and an empty
    dict are left out, unless `only` names the field.

    Args:
        settings: a settings dataclass, e.g. a `run_folder.TrainConfig`.
        skip: field names to leave out.
        only: if given, the field names to write, e.g. a run's changes to
            its recipe; a False among them is written as `--noflag`.

    Returns:
        A list of `--flag=value` strings.

    Example:

    >>> command_line(TrainerSettings(method="fgsm_rs"), skip=("seed",))
    ['--method=fgsm_rs', '--epsilon=0.0313725...', '--mixup_alpha=1.0', ...]
    """
    arguments = []
    for field in setting_fields(settings):
        value = getattr(settings, field.name)
        if only is not None and field.name in only and value is False:
            arguments.append(f"--no{flag_name(field)}")
            continue
        if (field.name in skip or (only is not None and field.name not in only)
                or value is None or value is False or value == {}):
            continue
        if value is True:
            arguments.append(f"--{flag_name(field)}")
        elif isinstance(value, dict):
            arguments.append(f"--{flag_name(field)}=" + ",".join(
                f"{k}={json.dumps(v)}" for k, v in value.items()))
        elif isinstance(value, tuple):
            arguments.append(f"--{flag_name(field)}=" + ",".join(
                v if isinstance(v, str) else f"{v:g}" for v in value))
        else:
            arguments.append(f"--{flag_name(field)}={value}")
    return arguments
