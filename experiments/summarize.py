"""Prints a Markdown table of every run under a folder, from its own files.

Reads <run>/summary.json (afd-train) and every afd-evaluate report of the
run (<run>/report.json and <run>/eval_*/report.json), so no number in the
table is typed by hand. The "change" column says what each variant of
experiments/variants.sh changes relative to the AFD default.

Usage: python experiments/summarize.py RUNS_DIR [REPORT_GLOB]
  e.g. python experiments/summarize.py runs/mnist_variants report.json
  (REPORT_GLOB picks which reports of each run to list; default all.)
"""

import json
import pathlib
import sys

CHANGES = {
    "afd_none": "none: the AFD default (sign init, one step of 1.25 eps, no mixing)",
    "fgsm_rs": "sign init -> uniform init (= fgsm_rs, Wong et al. 2020)",
    "afd_zero_init": "sign init -> no init (plain FGSM step of 1.25 eps)",
    "afd_alpha_1.0": "alpha 1.25 eps -> 1.0 eps",
    "afd_alpha_1.5": "alpha 1.25 eps -> 1.5 eps",
    "afd_interpolate": "+ mixing: interpolate x + c delta, c ~ U(0, 1)",
    "afd_interpolate_conditional": "+ interpolate + ConditionalScaling (dial c = 1)",
    "afd_interpolate_conditional_full50":
        "+ interpolate with half the examples at c = 1 + ConditionalScaling (dial c = 1)",
    "afd_mixup": "+ mixing: mixup of adversarial examples, Beta(1, 1)",
    "afd_mixup_input": "+ mixing: attack on mixup-mixed inputs, Beta(1, 1)",
}


def _row(run_dir, train, report):
    result = json.loads(report.read_text())
    by_attack = {}
    for spec, settings in result["attack_settings"].items():
        by_attack.setdefault(settings["attack"], result["attack_accuracy"][spec])
    cells = [f"{100 * value:.2f}%" if value is not None else "-"
             for value in (result["clean_accuracy"], by_attack.get("fgsm"),
                           by_attack.get("pgd"), result["robust_accuracy"])]
    attacks = ", ".join(result["attack_settings"])
    return (f"| {run_dir.name} | {CHANGES.get(run_dir.name, '')} | "
            f"{' | '.join(cells)} | {attacks} | {result['num_examples']} | "
            f"{train['train_seconds']:.0f} s |")


def main(root, pattern=None):
    print("| run | change | clean | FGSM | PGD | worst case | attacks | "
          "examples | train time |")
    print("|---|---|---|---|---|---|---|---|---|")
    for run_dir in sorted(pathlib.Path(root).iterdir()):
        summary = run_dir / "summary.json"
        if not summary.exists():
            continue
        train = json.loads(summary.read_text())
        reports = (sorted(run_dir.glob(pattern)) if pattern else
                   sorted(run_dir.glob("report.json")) +
                   sorted(run_dir.glob("eval_*/report.json")))
        for report in reports:
            print(_row(run_dir, train, report))


if __name__ == "__main__":
    main(*sys.argv[1:3])
