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


# What makes a dial a dial (issue 22): distinct points that trade clean for
# robust accuracy, from near the standard model's clean accuracy to at least
# fgsm_rs's robustness.
_DIAL_POINTS = 4
_DIAL_CLEAN_GAP = 0.03
# Two points closer than this in robust accuracy count as one.
_DISTINCT = 0.01


def _apgd_worst_case(card):
    """fgsm_rs's accuracy under APGD-CE then APGD-DLR, the sweep's attacks:
    AA-lite's cumulative accuracy after its APGD-DLR, on the same images."""
    attacks = card["results"]["aa_lite"].get("attacks", {})
    return next((a["accuracy"] for spec, a in attacks.items()
                 if spec.startswith("apgd_dlr")), None)


def dial_check(group):
    """Whether each AFD dial model's condition sweep trades.

    A dial trades when at least 4 of its points are distinct (1 point
    apart in robust accuracy); clean accuracy falls as robust accuracy
    rises (no point more robust and cleaner than another beyond two
    standard errors of the sweep's images, and the most robust point less
    clean than the cleanest beyond them); its clean end is within 3 points
    of the standard model's clean accuracy; and its robust end is at least
    fgsm_rs's (its better seed) under the same attacks on the same first
    test images (AA-lite's APGD-CE and APGD-DLR).
    Only sweeps that record their APGD worst case (`robust`) are checked.

    Args:
        group: the cards of one dataset.

    Returns:
        Markdown text, one paragraph per dial model; "" when none has an
        APGD sweep.

    Example:

    >>> print(dial_check(group))
    """
    paragraphs = []
    for card in (c for c in group if c["training"]["method"] == "afd"):
        sweep = sorted(card["results"]["condition_sweep"],
                       key=lambda p: p["condition"])
        if not sweep or "robust" not in sweep[0]:
            continue
        standard = _baseline(group, [card], "standard")
        fgsm_rs = _baseline(group, [card], "fgsm_rs")
        n = sweep[0]["num_examples"]
        by_robust = sorted(sweep, key=lambda p: p["robust"])
        distinct = by_robust[:1]
        for point in by_robust[1:]:
            if point["robust"] - distinct[-1]["robust"] >= _DISTINCT:
                distinct.append(point)

        def noise(a, b):
            return _NOISE_STANDARD_ERRORS * math.sqrt(
                (a * (1 - a) + b * (1 - b)) / n)

        clean_end, robust_end = by_robust[0], by_robust[-1]
        # Along the dial: no point both more robust and cleaner than another
        # beyond noise, and the robust end clearly less clean.
        trades = all(
            later["clean"] <= earlier["clean"] + noise(earlier["clean"],
                                                       later["clean"])
            for i, earlier in enumerate(by_robust)
            for later in by_robust[i + 1:]) and (
                clean_end["clean"] - robust_end["clean"] > noise(
                    clean_end["clean"], robust_end["clean"]))
        checks = [(f"{len(distinct)} distinct points (needs {_DIAL_POINTS})",
                   len(distinct) >= _DIAL_POINTS),
                  ("clean falls as robust rises", trades)]
        if standard:
            best = max(c["results"]["clean"]["accuracy"] for c in standard)
            checks.append((f"clean end {100 * clean_end['clean']:.1f}% vs "
                           f"standard {100 * best:.1f}%",
                           clean_end["clean"] >= best - _DIAL_CLEAN_GAP))
        # fgsm_rs's APGD worst case on the same images as the sweep's.
        worst_cases = [_apgd_worst_case(c) for c in fgsm_rs or []
                       if c["results"]["aa_lite"]["num_examples"] == n]
        if worst_cases and None not in worst_cases:
            checks.append((f"robust end {100 * robust_end['robust']:.1f}% vs "
                           f"fgsm_rs {100 * max(worst_cases):.1f}%",
                           robust_end["robust"] >= max(worst_cases)))
        verdict = ("yes" if len(checks) == 4 and all(ok for _, ok in checks)
                   else "**no**" if not all(ok for _, ok in checks)
                   else "**not shown** (no baseline to compare with)")
        attacks = " + ".join(sweep[0]["robust_attacks"])
        paragraphs.append(
            f"`{card['name']}`'s dial (c = "
            + ", ".join(f"{p['condition']:g}" for p in sweep)
            + f"; {attacks} on the first {n:,}): "
            + "; ".join(f"{text} {'(ok)' if ok else '(fails)'}"
                        for text, ok in checks)
            + f"; a dial that trades: {verdict}.")
    return "\n\n".join(paragraphs)
