"""The paper's claim, checked on one dataset's cards: AFD against fgsm_rs
and pgd, with the test sample's noise allowed for."""

import math


# A gap within this many standard errors of the test sample is not called.
_NOISE_STANDARD_ERRORS = 2
_AXES = (("clean", "clean"), ("pgd", "PGD"), ("aa_lite", "AA-lite"),
         ("autoattack", "AutoAttack"))


def _strongest(ours, theirs):
    """The strongest robust evaluation both cards have: AutoAttack where
    both were measured with it, else AA-lite."""
    return "autoattack" if "autoattack" in ours and "autoattack" in theirs \
        else "aa_lite"


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
    """The gaps on `keys` as text, and their signs (see `_gap`)."""
    parts, signs = [], []
    for key, label in _AXES:
        if key in keys:
            points, sign = _gap(ours, theirs, key)
            parts.append(f"{label} {points:+.2f}" +
                         ("" if sign else " (within noise)"))
            signs.append(sign)
    return ", ".join(parts) + " percentage points", signs


def _baseline(group, afd, method):
    """The one card of `method` trained on the same net at the same budget."""
    matches = [c for c in group if c["training"]["method"] == method and
               c["model"]["architecture"] == afd["model"]["architecture"] and
               c["threat_model"] == afd["threat_model"]]
    return matches[0] if len(matches) == 1 else None


def claim_check(group):
    """The paper's claim, checked on one dataset's cards.

    The claim: AFD beats fgsm_rs on both clean and robust accuracy (PGD and
    AutoAttack, or AA-lite where a card has no AutoAttack), and comes close
    to pgd's robust accuracy at a fraction of its training time. Each AFD
    card is compared with the fgsm_rs and pgd cards of the same
    architecture and threat model. A gap within two standard
    errors of the test images counts as noise (one training run per method,
    so seed-to-seed variation is not included).

    Args:
        group: the cards of one dataset.

    Returns:
        Markdown text, one paragraph per AFD card; "" when there is nothing
        to compare.

    Example:

    >>> group = [afd_keras.zoo.get_info(n) for n in afd_keras.zoo.list_models(dataset="mnist")]
    >>> print(claim_check(group))
    """
    paragraphs = []
    for afd in (c for c in group if c["training"]["method"] == "afd"):
        ours, parts = afd["results"], []
        baseline = _baseline(group, afd, "fgsm_rs")
        if baseline:
            theirs = baseline["results"]
            text, signs = _gaps(ours, theirs,
                                ("clean", "pgd", _strongest(ours, theirs)))
            verdict = ("yes" if min(signs) > 0 else
                       "**no**" if min(signs) < 0 else
                       "**not shown** (a gap within noise)")
            parts.append(f"`{afd['name']}` against fgsm_rs: {text}; better "
                         f"on all three: {verdict}.")
            if theirs["pgd"]["accuracy"] < 0.01:
                parts.append("This fgsm_rs run overfit catastrophically (its "
                             "PGD accuracy collapsed), so it is a weak "
                             "baseline.")
        reference = _baseline(group, afd, "pgd")
        if reference:
            ratio = (afd["training"]["wall_time_seconds"] /
                     reference["training"]["wall_time_seconds"])
            theirs = reference["results"]
            keys = ("pgd", _strongest(ours, theirs))
            parts.append(
                f"Against pgd: {_gaps(ours, theirs, keys)[0]}"
                f", in {ratio:.2f}x pgd's training wall time.")
        if parts:
            paragraphs.append(" ".join(parts))
    return "\n\n".join(paragraphs)
