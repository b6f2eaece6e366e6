"""The attacks an evaluation can name, and the named suites of attacks."""

import functools
import inspect

from afd_keras import attacks
from afd_keras.attacks import art_attacks
from afd_keras.attacks import cleverhans_attacks

ATTACKS = {
    "fgsm": attacks.fgsm,
    "pgd": attacks.pgd,
    "apgd_ce": functools.partial(attacks.apgd, loss="ce"),
    "apgd_dlr": functools.partial(attacks.apgd, loss="dlr"),
    "apgd_t": attacks.apgd_t,
    "fab_t": attacks.fab_t,
    "square": attacks.square,
    # ART's Square: the cross-check of ours (about 3x the forward passes).
    "square_art": art_attacks.square,
    "mim": cleverhans_attacks.momentum_iterative,
    "cw_l2": cleverhans_attacks.carlini_wagner_l2,
}
# "aa_lite": AutoAttack's untargeted core (Croce & Hein 2020) at CPU cost.
# Square is black-box, so it also checks the gradient attacks for masking.
# "autoattack": the standard version's attacks and settings (Croce & Hein
# 2020): APGD-CE, APGD-T (9 targets), FAB-T (9 targets) and Square with
# 5000 queries.
# The attacks of a suite run in turn on the examples that survived the
# earlier ones, as AutoAttack runs them (see `evaluate_robustness`).
SUITES = {
    "aa_lite": ("apgd_ce:num_steps=100", "apgd_dlr:num_steps=100",
                "square:max_queries=1000"),
    "autoattack": ("apgd_ce:num_steps=100", "apgd_t:num_steps=100",
                   "fab_t:num_steps=100", "square:max_queries=5000"),
}
_SEEDED = {name for name, fn in ATTACKS.items()
           if "seed" in inspect.signature(fn).parameters}
# Parameters an evaluation sets for every attack, not per attack.
_NOT_SETTINGS = ("model", "x", "y", "epsilon", "norm")
WHITE_BOX = ("fgsm", "pgd", "apgd_ce", "apgd_dlr", "apgd_t", "fab_t", "mim",
             "cw_l2")


def expand(specs):
    """Replaces suite names by their attacks, keeping the order.

    Example: `expand(["fgsm", "aa_lite"])` gives fgsm, apgd_ce, apgd_dlr
    and square.
    """
    expanded = []
    for spec in specs:
        expanded.extend(SUITES.get(spec, (spec,)))
    return expanded


def run_after(specs):
    """Maps each attack to the one it runs after, for the attacks of suites.

    An attack of a suite runs only on the examples that survived the
    suite's earlier attacks, so its accuracy is the one left after all of
    them, as AutoAttack reports it. An attack listed alone, or first in
    its suite, runs on every example.

    Example: `run_after(["fgsm", "aa_lite"])` gives {"apgd_dlr:num_steps=100":
    "apgd_ce:num_steps=100", "square:max_queries=1000":
    "apgd_dlr:num_steps=100"}.

    Raises:
        ValueError: an attack listed where it would run after different
            attacks (e.g. alone and inside a suite).
    """
    previous_of = {}
    for spec in specs:
        members = SUITES.get(spec, (spec,))
        for previous, member in zip((None,) + members[:-1], members):
            if previous_of.setdefault(member, previous) != previous:
                raise ValueError(
                    f"{member!r} would run after different attacks; an "
                    "attack runs once per evaluation, so list it once. "
                    f"Received: attacks={list(specs)!r}")
    return {member: previous for member, previous in previous_of.items()
            if previous is not None}


def split_specs(items):
    """Regroups a comma-separated list of attack specs split at every comma.

    A spec's settings are separated by commas too, so an item that holds a
    setting ("key=value") but no attack name belongs to the spec before it.

    Example: `split_specs("fgsm,pgd:num_steps=40,step_size=0.01,aa_lite"
    .split(","))` gives ["fgsm", "pgd:num_steps=40,step_size=0.01",
    "aa_lite"].

    Raises:
        ValueError: a setting before any attack name, or a ';' (the old
            separator of settings; it is ',' everywhere now).
    """
    specs = []
    for item in items:
        item = item.strip()
        if ";" in item:
            raise ValueError(
                "Attack settings are separated by ',', as in "
                f"'pgd:num_steps=40,step_size=0.01'. Received: {item!r}")
        if "=" in item.partition(":")[0]:
            if not specs:
                raise ValueError(
                    "An attack list starts with an attack name, not a "
                    f"setting. Received: {','.join(items)!r}")
            specs[-1] += "," + item
        elif item:
            specs.append(item)
    return specs


def parse_attack(spec):
    """Parses "name" or "name:key=value,..." into (name, settings).

    Example: "pgd:num_steps=40,step_size=0.01,num_restarts=1".

    Raises:
        ValueError: an unknown attack or a malformed setting.
    """
    name, _, rest = spec.partition(":")
    if name not in ATTACKS:
        raise ValueError(f"Unknown attack; expected one of "
                         f"{sorted(ATTACKS) + sorted(SUITES)}. Received: "
                         f"attack={spec!r}")
    settings = {}
    for item in filter(None, rest.split(",")):
        key, equals, value = item.partition("=")
        if not equals:
            raise ValueError(f"Attack settings are key=value pairs. Received: "
                             f"{item!r} in {spec!r}")
        parameters = inspect.signature(ATTACKS[name]).parameters
        if key not in parameters or key in _NOT_SETTINGS:
            raise ValueError(f"Unknown setting for {name}. Received: {key!r} "
                             f"in {spec!r}")
        # A setting takes the type of its default (a default of None, as
        # for step sizes, stands for a float).
        kind = int if type(parameters[key].default) is int else float
        try:
            settings[key] = kind(value)
        except ValueError:
            raise ValueError(f"{name}'s {key} must be of type {kind.__name__}. "
                             f"Received: {item!r} in {spec!r}") from None
    return name, settings


def run(name, settings, model, x, y, *, epsilon, norm, batch_index):
    """Runs the attack `name` on one batch; seeded attacks get a new seed
    per batch, reproducibly."""
    fn = ATTACKS[name]
    if name in _SEEDED:
        settings = {**settings,
                    "seed": settings.get("seed", 0) * 100003 + batch_index}
    return fn(model, x, y, epsilon=epsilon, norm=norm, **settings)
