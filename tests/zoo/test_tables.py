"""The zoo's generated tables and the check of the paper's claim under them."""

import pytest

from afd_keras.zoo import claim
from afd_keras.zoo import tables


def _card(method, clean, pgd, aa_lite, *, seconds=60.0, epsilon=8 / 255,
          architecture="resnet9", num_examples=10000):
    """The parts of a card that the tables read."""
    return {"name": f"{architecture}_cifar10_{method}", "dataset": "cifar10",
            "model": {"architecture": architecture},
            "threat_model": {"norm": "linf", "epsilon": epsilon},
            "training": {"method": method, "wall_time_seconds": seconds,
                         "epochs": 15},
            "results": {
                "clean": {"accuracy": clean, "num_examples": num_examples},
                "pgd": {"accuracy": pgd, "num_examples": num_examples,
                        "attacks": {"pgd:num_steps=40": {}}},
                "aa_lite": {"accuracy": aa_lite, "num_examples": 1000},
                "condition_sweep": []}}


FGSM_RS = _card("fgsm_rs", 0.80, 0.40, 0.38)
PGD = _card("pgd", 0.78, 0.50, 0.47, seconds=240.0)


@pytest.mark.parametrize("afd, verdict", [
    (_card("afd", 0.85, 0.45, 0.45), "better on all three: yes."),
    # 8 points behind on AA-lite's 1,000 images is beyond noise.
    (_card("afd", 0.85, 0.45, 0.30), "better on all three: **no**."),
    (_card("afd", 0.75, 0.45, 0.45), "better on all three: **no**."),
    # 0.5 points on 10,000 images is within two standard errors.
    (_card("afd", 0.85, 0.405, 0.45), "better on all three: **not shown**"),
    (_card("afd", 0.80, 0.45, 0.45), "better on all three: **not shown**"),
])
def test_claim_needs_afd_ahead_of_fgsm_rs_beyond_noise(afd, verdict):
    text = claim.claim_check([_card("standard", 0.9, 0.0, 0.0), FGSM_RS, afd,
                               PGD])
    assert verdict in text
    assert "in 0.25x pgd's training wall time" in text


def test_claim_gives_the_gaps_in_points():
    text = claim.claim_check([FGSM_RS, _card("afd", 0.85, 0.405, 0.45)])
    assert ("clean +5.00, PGD +0.50 (within noise), AA-lite +7.00 percentage "
            "points") in text


def test_claim_says_when_fgsm_rs_collapsed():
    collapsed = _card("fgsm_rs", 0.95, 0.0, 0.0)
    text = claim.claim_check([collapsed, _card("afd", 0.96, 0.9, 0.85)])
    assert "overfit catastrophically" in text
    assert "overfit" not in claim.claim_check(
        [FGSM_RS, _card("afd", 0.96, 0.9, 0.85)])


@pytest.mark.parametrize("group", [
    [FGSM_RS, PGD],  # no AFD card
    [_card("afd", 0.85, 0.45, 0.45)],  # nothing to compare with
    # Another net or another budget is not a baseline.
    [_card("fgsm_rs", 0.8, 0.4, 0.4, architecture="small_cnn"),
     _card("pgd", 0.8, 0.5, 0.5, epsilon=4 / 255),
     _card("afd", 0.85, 0.45, 0.45)],
])
def test_claim_is_empty_without_a_comparable_pair(group):
    assert claim.claim_check(group) == ""


@pytest.mark.parametrize("epsilon, text", [
    (8 / 255, "eps = 8/255."), (0.3, "eps = 0.3."), (0.0314, "eps = 0.0314.")])
def test_table_names_pixel_level_budgets_as_such(epsilon, text):
    table = tables.markdown([_card("afd", 0.9, 0.5, 0.45, epsilon=epsilon)])
    assert text in table
    assert "| `resnet9_cifar10_afd` | afd | 15 | 90.00% | 50.00% | 45.00% |" in table


def test_cards_evaluated_differently_get_separate_tables():
    sample_evaluated = _card("afd", 0.85, 0.45, 0.45, num_examples=1000)
    text = tables.markdown([FGSM_RS, sample_evaluated])
    assert "on 10,000 test images" in text and "on 1,000 test images" in text
    # Each table is alone, so there is no claim check across the two.
    assert "better on all three" not in text


def _with_autoattack(card, accuracy):
    card["results"]["autoattack"] = {"accuracy": accuracy, "num_examples": 1000}
    return card


def test_the_claim_uses_autoattack_where_both_cards_have_it():
    # Ahead on AA-lite, 8 points behind on AutoAttack: AutoAttack decides.
    afd = _with_autoattack(_card("afd", 0.85, 0.45, 0.45), 0.30)
    fgsm_rs = _with_autoattack(_card("fgsm_rs", 0.80, 0.40, 0.38), 0.38)
    text = claim.claim_check([fgsm_rs, afd])
    assert "AutoAttack -8.00" in text and "AA-lite" not in text
    assert "better on all three: **no**." in text
    # Without the baseline's AutoAttack, the two are compared on AA-lite.
    text = claim.claim_check([_card("fgsm_rs", 0.80, 0.40, 0.38), afd])
    assert "AA-lite +7.00" in text and "better on all three: yes." in text


def test_the_table_shows_autoattack_where_measured():
    text = tables.markdown([_with_autoattack(_card("afd", 0.85, 0.45, 0.45),
                                             0.30), FGSM_RS])
    assert "| AutoAttack |" in text and "FAB-T" in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert rows[0].count("| - |") == 1  # fgsm_rs: not measured yet
    assert "| 30.00% |" in rows[1]


def _seed(card, seed):
    card["name"] = f"{card['name']}_seed{seed}" if seed else card["name"]
    card["training"]["seed"] = seed
    return card


def test_with_seeds_afds_worse_seed_meets_the_baselines_better_one():
    # Each AFD seed beats each fgsm_rs seed on AA-lite, but the worse AFD
    # seed's clean accuracy is below the better fgsm_rs seed's.
    afd = [_seed(_card("afd", 0.86, 0.46, 0.45), 0),
           _seed(_card("afd", 0.80, 0.46, 0.45), 1)]
    fgsm_rs = [_seed(_card("fgsm_rs", 0.79, 0.40, 0.38), 0),
               _seed(_card("fgsm_rs", 0.83, 0.40, 0.38), 1)]
    text = claim.claim_check(afd + fgsm_rs)
    assert text.count("against fgsm_rs") == 1  # one model, two seeds
    assert "(seeds 0, 1: the worse on each axis)" in text
    assert "clean -3.00" in text and "better on all three: **no**." in text
    afd[1]["results"]["clean"]["accuracy"] = 0.87
    assert "clean +3.00" in claim.claim_check(afd + fgsm_rs)


def test_afd_is_checked_against_n_fgsm_too():
    n_fgsm = _card("n_fgsm", 0.78, 0.44, 0.43)
    text = claim.claim_check([FGSM_RS, n_fgsm, _card("afd", 0.85, 0.42, 0.41)])
    assert "against fgsm_rs" in text and "against n_fgsm" in text
    assert "PGD -2.00" in text.split("against n_fgsm")[1]


def _dial(points, clean=0.85):
    """An AFD dial card whose sweep has these (clean, robust) points."""
    card = _card("afd", clean, 0.4, 0.4)
    card["results"]["condition_sweep"] = [
        {"condition": i / (len(points) - 1), "clean": c, "pgd": r,
         "robust": r, "robust_attacks": ["apgd_ce", "apgd_dlr"],
         "num_examples": 1000} for i, (c, r) in enumerate(points)]
    return card


def _with_apgd(card, worst_case):
    card["results"]["aa_lite"]["attacks"] = {
        "apgd_ce:num_steps=100": {"accuracy": worst_case + 0.01},
        "apgd_dlr:num_steps=100": {"accuracy": worst_case},
        "square:max_queries=1000": {"accuracy": worst_case}}
    return card


TRADING = [(0.90, 0.0), (0.88, 0.10), (0.84, 0.25), (0.80, 0.36),
           (0.76, 0.41)]


@pytest.mark.parametrize("points, standard_clean, fgsm_rs_apgd, verdict", [
    (TRADING, 0.91, 0.40, "yes"),
    # A switch: two settings, repeated.
    ([(0.90, 0.0), (0.90, 0.0), (0.90, 0.0), (0.80, 0.40), (0.80, 0.40)],
     0.91, 0.40, "**no**"),
    # The clean end 4 points short of the standard model.
    (TRADING, 0.94, 0.40, "**no**"),
    # The robust end below fgsm_rs's.
    (TRADING, 0.91, 0.42, "**no**"),
    # Robust rises, and so does clean, beyond noise.
    ([(0.80, 0.0), (0.84, 0.10), (0.88, 0.25), (0.90, 0.36), (0.91, 0.41)],
     0.91, 0.40, "**no**"),
    # Clean creeps up within noise at each step, beyond it over the dial.
    ([(0.84, 0.0), (0.86, 0.10), (0.88, 0.25), (0.90, 0.36), (0.91, 0.41)],
     0.91, 0.40, "**no**"),
    # Flat: clean never clearly falls.
    ([(0.90, 0.0), (0.90, 0.10), (0.90, 0.25), (0.90, 0.36), (0.90, 0.41)],
     0.91, 0.40, "**no**"),
])
def test_a_dial_trades_only_when_it_meets_every_criterion(
        points, standard_clean, fgsm_rs_apgd, verdict):
    group = [_card("standard", standard_clean, 0.0, 0.0),
             _with_apgd(_card("fgsm_rs", 0.80, 0.42, 0.38), fgsm_rs_apgd),
             _dial(points)]
    text = claim.dial_check(group)
    assert text.endswith(f"a dial that trades: {verdict}."), text
    assert "apgd_ce + apgd_dlr on the first 1,000" in text
    assert text in tables.markdown(group)


def test_fgsm_rs_on_other_images_is_no_baseline_for_the_dial():
    fgsm_rs = _with_apgd(_card("fgsm_rs", 0.80, 0.42, 0.38), 0.40)
    fgsm_rs["results"]["aa_lite"]["num_examples"] = 500
    text = claim.dial_check([_card("standard", 0.91, 0.0, 0.0), fgsm_rs,
                             _dial(TRADING)])
    assert "vs fgsm_rs" not in text and text.endswith("**not shown** (no "
                                                      "baseline to compare with).")


def test_a_dial_without_baselines_is_not_shown_and_pgd_sweeps_are_skipped():
    assert "**not shown**" in claim.dial_check([_dial(TRADING)])
    pgd_only = _dial(TRADING)
    for point in pgd_only["results"]["condition_sweep"]:
        del point["robust"], point["robust_attacks"]
    assert claim.dial_check([pgd_only]) == ""
