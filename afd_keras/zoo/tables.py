"""The zoo's results tables, rendered as Markdown from the cards."""

from afd_keras.data import catalog
from afd_keras.training import methods
from afd_keras.zoo import cards
from afd_keras.zoo import claim

DATASETS = tuple(catalog.DATASETS)
METHOD_ORDER = tuple(methods.METHODS)
# Where the per-step costs measured side by side live, for the tables' note
# on training time.
BENCHMARK_RESULTS = "benchmarks/RESULTS.md"


def _evaluation(card):
    # What a table's heading states for every row below it.
    results, threat = card["results"], card["threat_model"]
    return (threat["norm"], threat["epsilon"], results["clean"]["num_examples"],
            tuple(results["pgd"]["attacks"]), results["aa_lite"]["num_examples"])


def grouped(all_cards):
    """Yields (dataset, cards) with one threat model and evaluation each."""
    order = {m: i for i, m in enumerate(METHOD_ORDER)}
    for dataset in DATASETS:
        on_dataset = [c for c in all_cards if c["dataset"] == dataset]
        for setting in sorted({_evaluation(c) for c in on_dataset}):
            yield dataset, sorted(
                (c for c in on_dataset if _evaluation(c) == setting),
                key=lambda c: (order.get(c["training"]["method"], 99),
                               c["name"]))


def epsilon_text(value):
    levels = cards.pixel_levels(value)
    return f"{levels}/255" if levels else f"{value:.4g}"


def _percent(value):
    return f"{100 * value:.2f}%"


def markdown(all_cards):
    """One table per dataset (clean, PGD, AA-lite and AutoAttack accuracy,
    training time), each followed by its check of the paper's claim.

    Args:
        all_cards: model cards (dicts).

    Returns:
        Markdown text.

    Example:

    >>> print(markdown([afd_keras.zoo.get_info(n) for n in afd_keras.zoo.list_models()]))
    """
    sections = ["Training time is the sum of the epochs' wall times in "
                "`afd-train` (start-up, evaluation and epochs lost to an "
                "interruption are not in it) on the machine named in each "
                "card (`training.hardware`), where other jobs may have "
                "shared the cores; "
                f"`{BENCHMARK_RESULTS}` has per-step costs measured side "
                "by side."]
    for dataset, group in grouped(all_cards):
        first = group[0]
        results = first["results"]
        pgd_attack = next(iter(results["pgd"]["attacks"]))
        title = catalog.get_spec(dataset).title
        autoattack = sorted({c["results"]["autoattack"]["num_examples"]
                             for c in group if "autoattack" in c["results"]})
        autoattack_text = (
            " AutoAttack (standard version: APGD-CE, APGD-T, FAB-T, "
            f"Square-5000) on the first {', '.join(f'{n:,}' for n in autoattack)}"
            "; - where not measured yet." if autoattack else "")
        lines = [
            f"**{title}**, {first['threat_model']['norm']} "
            f"eps = {epsilon_text(first['threat_model']['epsilon'])}. Clean and PGD "
            f"accuracy on {results['clean']['num_examples']:,} test images "
            f"(`{pgd_attack}`, random start); AA-lite (APGD-CE + APGD-DLR + "
            f"Square) on the first {results['aa_lite']['num_examples']:,}."
            + autoattack_text,
            "",
            "| model | method | epochs | clean | PGD | AA-lite | AutoAttack "
            "| training time |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for card in group:
            r, t = card["results"], card["training"]
            lines.append(
                f"| `{card['name']}` | {t['method']} | {t['epochs']} | "
                f"{_percent(r['clean']['accuracy'])} | "
                f"{_percent(r['pgd']['accuracy'])} | "
                f"{_percent(r['aa_lite']['accuracy'])} | "
                f"{_percent(r['autoattack']['accuracy']) if 'autoattack' in r else '-'} | "
                f"{t['wall_time_seconds'] / 60:.1f} min |")
        for check in (claim.claim_check(group), claim.dial_check(group)):
            if check:
                lines += ["", check]
        sections.append("\n".join(lines))
    return "\n\n".join(sections)
