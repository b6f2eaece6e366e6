"""Quick start: a published robust model, evaluated offline in minutes.

Loads the zoo's MNIST AFD model (weights verified against its card),
measures its clean and PGD accuracy on the 1,000 test images embedded in
the package, sweeps its condition dial, prints the table and writes the
trade-off plot. The zoo's fgsm_rs model is the baseline point.

Usage:
    afd-quickstart [--model=small_cnn_mnist_afd_linf0.3] [--output_dir=quickstart]
"""

from absl import flags

from afd_keras import cli
from afd_keras import quickstart

_MODEL = flags.DEFINE_string("model", quickstart.DEFAULT_MODEL,
                             "A conditional zoo model.")
_BASELINE = flags.DEFINE_string(
    "baseline", quickstart.DEFAULT_BASELINE,
    "A zoo model drawn as a point next to the sweep (empty: none).")
_CONDITIONS = flags.DEFINE_list("conditions", ["0", "0.5", "1"],
                                "Dial values to sweep, in [0, 1].")
_NUM_STEPS = flags.DEFINE_integer("num_steps", 20, "PGD steps.", lower_bound=1)
_NUM_EXAMPLES = flags.DEFINE_integer(
    "num_examples", 1000, "Embedded test images to use.", lower_bound=1,
    upper_bound=1000)
_OUTPUT_DIR = flags.DEFINE_string("output_dir", "quickstart",
                                  "Where the reports and tradeoff.png go.")


def main(argv):
    del argv
    result = quickstart.run(
        _MODEL.value, baseline_name=_BASELINE.value or None,
        conditions=[float(c) for c in _CONDITIONS.value],
        num_steps=_NUM_STEPS.value, num_examples=_NUM_EXAMPLES.value,
        output_dir=_OUTPUT_DIR.value)
    card = result["card"]
    results = card["results"]
    print(f"\n{card['name']}: {card['training']['method']} on "
          f"{card['dataset']}, eps = {card['threat_model']['epsilon']:g}, "
          f"weights verified (sha256 {card['files']['sha256'][:12]}...)\n")
    print(f"On the first {_NUM_EXAMPLES.value:,} test images (embedded), "
          f"PGD-{_NUM_STEPS.value}:\n")
    print(result["markdown"])
    print(f"\nThe card's numbers: clean {100 * results['clean']['accuracy']:.2f}% "
          f"and PGD {100 * results['pgd']['accuracy']:.2f}% on "
          f"{results['clean']['num_examples']:,} test images; AA-lite "
          f"{100 * results['aa_lite']['accuracy']:.2f}% on the first "
          f"{results['aa_lite']['num_examples']:,}.")
    print(f"Trade-off plot: {result['plot']} ({result['seconds']:.0f} s)")


def run():
    cli.run(main)


if __name__ == "__main__":
    run()
