"""Quick start: trains a small CNN offline and prints its clean test accuracy.

Usage:
    afd-quickstart [--epochs=3] [--seed=0]
"""

from absl import flags

from afd_keras import cli
from afd_keras import quickstart

_EPOCHS = flags.DEFINE_integer("epochs", 3, "Training epochs.", lower_bound=1)
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 128, "Training batch size.",
                                   lower_bound=1)
_SEED = flags.DEFINE_integer("seed", 0, "Random seed.")


def main(argv):
    del argv
    result = quickstart.run("mnist", epochs=_EPOCHS.value,
                            batch_size=_BATCH_SIZE.value, seed=_SEED.value)
    print(f"small_cnn, standard training on {result['num_train']:,} MNIST "
          f"images (embedded sample), {_EPOCHS.value} epochs, "
          f"{result['seconds']:.0f} s")
    print(f"Clean test accuracy: {100 * result['test_accuracy']:.2f}% on the "
          f"first {result['num_test']:,} MNIST test images")


def run():
    cli.run(main)


if __name__ == "__main__":
    run()
