"""Checks against gradient masking (Carlini et al. 2019, "On Evaluating
Adversarial Robustness", section 5).

A defence that only hides its gradients shows tell-tale orderings: an
iterative attack doing worse than a single step, more steps or restarts
raising accuracy, no attack succeeding even with a huge budget, or a
black-box attack beating the white-box ones. Each check states what it
compared; a failed check is a warning in the evaluation report.
"""

import inspect

import numpy as np

from afd_keras.attacks.pgd import madry_step_size
from afd_keras.evaluation import suite

# Accuracies differ by sampling noise; orderings allow this much slack.
TOLERANCE = 0.005
# "About zero": the most a model may keep at a budget that allows any image.
LARGE_EPSILON_ACCURACY = 0.05
_ITERATIVE = ("pgd", "apgd_ce", "apgd_dlr", "apgd_t", "mim")
_EFFORT = ("num_steps", "num_restarts", "max_queries", "binary_search_steps",
           "num_target_classes")


def _check(name, passed, detail):
    return {"check": name, "passed": bool(passed), "detail": detail}


def _settings(name, settings):
    """The attack's settings with its defaults filled in."""
    params = inspect.signature(suite.ATTACKS[name]).parameters
    full = {key: p.default for key, p in params.items()
            if p.default is not inspect.Parameter.empty}
    full.update(settings)
    full.pop("seed", None)
    return full


def _more_effort(name, strong, weak):
    """True if `strong` differs from `weak` only by at least as much effort."""
    a, b = _settings(name, strong), _settings(name, weak)
    same = all(a[k] == b[k] for k in a if k not in _EFFORT)
    return same and a != b and all(a[k] >= b[k] for k in _EFFORT if k in a)


def ordering_checks(parsed, accuracy, tolerance=TOLERANCE, after=None):
    """The checks that compare attacks run on the same examples.

    Args:
        parsed: spec -> (attack name, settings), as `suite.parse_attack`.
        accuracy: spec -> accuracy under that attack.
        tolerance: the slack allowed in each comparison.
        after: spec -> the spec run just before it in its suite, for the
            attacks that ran only on the earlier attacks' survivors; their
            accuracy is the one left after them all. Such an accuracy is
            never the weaker side of a comparison (alone, the attack might
            leave more), and a black-box attack among them is compared with
            the accuracy the attacks before it left.

    Returns:
        A list of checks: dicts with "check", "passed" and "detail".
    """
    after = after or {}
    checks = []
    name = {spec: parsed[spec][0] for spec in accuracy}
    for weak in (s for s in accuracy if name[s] == "fgsm" and s not in after):
        for strong in (s for s in accuracy if name[s] in _ITERATIVE):
            checks.append(_check(
                "iterative <= single-step",
                accuracy[strong] <= accuracy[weak] + tolerance,
                f"{strong}: {accuracy[strong]:.4f} vs {weak}: "
                f"{accuracy[weak]:.4f}"))
    for strong in accuracy:
        for weak in (s for s in accuracy if s not in after):
            if (name[strong] == name[weak] and
                    _more_effort(name[strong], parsed[strong][1], parsed[weak][1])):
                checks.append(_check(
                    "more steps or restarts never raise accuracy",
                    accuracy[strong] <= accuracy[weak] + tolerance,
                    f"{strong}: {accuracy[strong]:.4f} vs {weak}: "
                    f"{accuracy[weak]:.4f}"))
    white = {s: a for s, a in accuracy.items() if name[s] in suite.WHITE_BOX}
    for black in (s for s in accuracy if name[s] == "square"):
        if black in after:
            # It attacked what the earlier attacks missed: it may find little.
            earlier = _chain(after, black)
            if any(name[s] in suite.WHITE_BOX for s in earlier):
                before = accuracy[after[black]]
                checks.append(_check(
                    "black-box >= white-box",
                    accuracy[black] >= before - tolerance,
                    f"{black} after {' + '.join(reversed(earlier))}: "
                    f"{accuracy[black]:.4f} vs {before:.4f} before it"))
        elif white:
            best = min(white, key=white.get)
            checks.append(_check(
                "black-box >= white-box",
                accuracy[black] >= white[best] - tolerance,
                f"{black}: {accuracy[black]:.4f} vs {best}: {white[best]:.4f}"))
    return checks


def _chain(after, spec):
    """The specs run before `spec` in its suite, the latest first."""
    earlier = []
    while spec in after:
        spec = after[spec]
        earlier.append(spec)
    return earlier


def large_epsilon(norm, image_shape):
    """A budget that reaches every image: 0.5 in L-inf (any image is within
    0.5 of mid-grey), and the matching L2 radius."""
    return 0.5 if norm == "linf" else 0.5 * float(np.sqrt(np.prod(image_shape)))


def probe_attacks(epsilon, norm, image_shape, num_steps=20):
    """The probe's attacks, label -> (name, settings, epsilon): FGSM, PGD-K,
    PGD-2K with 2 restarts, and PGD-K at a budget that reaches every image.
    The last one is labelled `LARGE`."""
    big = large_epsilon(norm, image_shape)
    step = madry_step_size(epsilon, num_steps)
    return {
        "fgsm": ("fgsm", {}, epsilon),
        f"pgd:num_steps={num_steps}": (
            "pgd", {"num_steps": num_steps, "step_size": step}, epsilon),
        f"pgd:num_steps={2 * num_steps},num_restarts=2": (
            "pgd", {"num_steps": 2 * num_steps, "step_size": step,
                    "num_restarts": 2}, epsilon),
        LARGE: ("pgd", {"num_steps": num_steps,
                        "step_size": madry_step_size(big, num_steps)}, big),
    }


LARGE = "pgd at a budget reaching every image"


def probe_checks(attacks, accuracy):
    """The probe's checks: orderings, and accuracy ~0 at a huge budget.

    Args:
        attacks: `probe_attacks(...)`.
        accuracy: label -> accuracy on the probe's examples.
    """
    parsed = {label: (name, settings)
              for label, (name, settings, _) in attacks.items()}
    checks = ordering_checks(
        parsed, {label: a for label, a in accuracy.items() if label != LARGE})
    big = attacks[LARGE][2]
    checks.append(_check(
        "accuracy ~0 at a budget reaching every image",
        accuracy[LARGE] <= LARGE_EPSILON_ACCURACY,
        f"pgd at eps={big:g}: {accuracy[LARGE]:.4f} (at most "
        f"{LARGE_EPSILON_ACCURACY} expected)"))
    return checks
