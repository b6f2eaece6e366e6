"""Prints a Markdown table of every run under a folder, from its own files.

Reads <run>/summary.json (afd-train) and every afd-evaluate report of the
run (<run>/report.json and <run>/eval_*/report.json), so no number in the
table is typed by hand.

Usage: python experiments/summarize.py runs/mnist_variants
"""

import json
import pathlib
import sys


def main(root):
    print("| run | clean | FGSM | PGD | worst case | examples | train time |")
    print("|---|---|---|---|---|---|---|")
    for run_dir in sorted(pathlib.Path(root).iterdir()):
        summary = run_dir / "summary.json"
        reports = sorted(run_dir.glob("report.json")) + sorted(
            run_dir.glob("eval_*/report.json"))
        if not summary.exists():
            continue
        train = json.loads(summary.read_text())
        for report in reports:
            result = json.loads(report.read_text())
            by_attack = {settings["attack"]: result["attack_accuracy"][spec]
                         for spec, settings in result["attack_settings"].items()}
            cells = [f"{100 * value:.2f}%" if value is not None else "-"
                     for value in (result["clean_accuracy"], by_attack.get("fgsm"),
                                   by_attack.get("pgd"), result["robust_accuracy"])]
            print(f"| {run_dir.name} | {' | '.join(cells)} | "
                  f"{result['num_examples']} | {train['train_seconds']:.0f} s |")

if __name__ == "__main__":
    main(sys.argv[1])
