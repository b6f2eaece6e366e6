"""The paper's claim, checked on one dataset's cards: AFD against the
single-step baselines and pgd, seed against seed, with the test sample's
noise allowed for."""

import json
import math
import re


# A gap within this many standard errors of the test sample is not called.
_NOISE_STANDARD_ERRORS = 2
# The baselines AFD must beat on both axes, in the order the text gives.
_SINGLE_STEP_BASELINES = ("fgsm_rs", "n_fgsm")
_AXES = (("clean", "clean"), ("pgd", "PGD"), ("aa_lite", "AA-lite"),
         ("autoattack", "AutoAttack"))


def _strongest(ours, theirs):
    """The strongest robust evaluation every card has: AutoAttack where all
    were measured with it, else AA-lite."""
    cards = list(ours) + list(theirs)
    return ("autoattack" if all("autoattack" in c["results"] for c in cards)
            else "aa_lite")


def _gap(ours, theirs, key):
    """The accuracy gap on `key` in percentage points, and its sign once
    the test sample's noise is allowed for: +1, -1, or 0 (within noise)."""
    a, b = ours[key], theirs[key]
    p, q = a["accuracy"], b["accuracy"]
    # Two binomial proportions: the standard error of their difference.
    error = math.sqrt(p * (1 - p) / a["num_examples"] +
                      q * (1 - q) / b["num_examples"])
    points = round(100 * (p - q), 2)
    if abs(p - q) <= _NOISE_STANDARD_ERRORS * error:
        return points, 0
    return points, 1 if p > q else -1


def _gaps(ours, theirs, keys):
    """The gaps on `keys` as text, and their signs (see `_gap`): on each
    axis, the worst of `ours` (cards of several seeds) against the best of
    `theirs`."""
    parts, signs = [], []
    for key, label in _AXES:
        if key in keys:
            worst = min(ours, key=lambda c: c["results"][key]["accuracy"])
            best = max(theirs, key=lambda c: c["results"][key]["accuracy"])
            points, sign = _gap(worst["results"], best["results"], key)
            parts.append(f"{label} {points:+.2f}" +
                         ("" if sign else " (within noise)"))
            signs.append(sign)
    return ", ".join(parts) + " percentage points", signs


def _family(card):
    """What makes cards seeds of one model: the recipe that trained them
    (or the name without its seed suffix), the net and the threat model."""
    recipe = card["training"].get("recipe") or re.sub(r"_seed\d+$", "",
                                                      card["name"])
    return (recipe, card["model"]["architecture"],
            json.dumps(card["threat_model"], sort_keys=True))


def _families(group, method):
    """The cards of `method`, as lists of seeds of one model each."""
    families = {}
    for card in group:
        if card["training"]["method"] == method:
            families.setdefault(_family(card), []).append(card)
    return list(families.values())


def _baseline(group, afd, method):
    """The seeds of the one `method` model trained on the same net at the
    same budget as `afd` (seeds of one model), or None."""
    _, architecture, threat_model = _family(afd[0])
    matches = [f for f in _families(group, method)
               if _family(f[0])[1:] == (architecture, threat_model)]
    return matches[0] if len(matches) == 1 else None


def _described(cards, which):
    """A model's name, with its seeds when there are several."""
    if len(cards) == 1:
        return f"`{cards[0]['name']}`"
    seeds = ", ".join(str(c["training"].get("seed")) for c in cards)
    return f"`{cards[0]['name']}` (seeds {seeds}: the {which} on each axis)"


def claim_check(group):
    """The paper's claim, checked on one dataset's cards.

    The claim: AFD beats the single-step baselines (fgsm_rs, n_fgsm) on
    both clean and robust accuracy (PGD and AutoAttack, or AA-lite where a
    card has no AutoAttack), and comes close to pgd's robust accuracy at a
    fraction of its training time. Each AFD model is compared with the
    baselines of the same architecture and threat model. Where a model
    was trained with several seeds (cards of one recipe), AFD's worse seed
    on each axis is compared with the baseline's better one. A gap within
    two standard errors of the test images counts as noise.

    Args:
        group: the cards of one dataset.

    Returns:
        Markdown text, one paragraph per AFD model; "" when there is
        nothing to compare.

    Example:

    >>> group = [afd_keras.zoo.get_info(n) for n in afd_keras.zoo.list_models(dataset="mnist")]
    >>> print(claim_check(group))
    """
    paragraphs = []
    for afd in _families(group, "afd"):
        parts = []
        for method in _SINGLE_STEP_BASELINES:
            baseline = _baseline(group, afd, method)
            if not baseline:
                continue
            text, signs = _gaps(afd, baseline,
                                ("clean", "pgd", _strongest(afd, baseline)))
            verdict = ("yes" if min(signs) > 0 else
                       "**no**" if min(signs) < 0 else
                       "**not shown** (a gap within noise)")
            parts.append(f"{_described(afd, 'worse')} against {method} "
                         f"{_described(baseline, 'better')}: {text}; better "
                         f"on all three: {verdict}.")
            if min(c["results"]["pgd"]["accuracy"] for c in baseline) < 0.01:
                parts.append(f"This {method} run overfit catastrophically (its "
                             "PGD accuracy collapsed), so it is a weak "
                             "baseline.")
        reference = _baseline(group, afd, "pgd")
        if reference:
            ratio = (afd[0]["training"]["wall_time_seconds"] /
                     reference[0]["training"]["wall_time_seconds"])
            keys = ("pgd", _strongest(afd, reference))
            parts.append(
                f"Against pgd: {_gaps(afd, reference, keys)[0]}"
                f", in {ratio:.2f}x pgd's training wall time.")
        if parts:
            paragraphs.append(" ".join(parts))
    return "\n\n".join(paragraphs)
