"""Rebuilds the embedded data sample from the full datasets (maintainers).

Usage:
    python tools/make_sample.py --data_dir=../shared/data
"""

from absl import flags

from afd_keras import cli
from afd_keras.data import sample

_DATA_DIR = flags.DEFINE_string(
    "data_dir", None, "Folder holding mnist/, fashion-mnist/ and cifar10/ with "
    "the original files.")
_OUT_DIR = flags.DEFINE_string("out_dir", sample.SAMPLE_DIR,
                               "Where to write the sample and its manifest.")


def main(argv):
    del argv
    manifest = sample.write_sample(_DATA_DIR.value, _OUT_DIR.value)
    for file_name, entry in manifest["files"].items():
        print(f"{file_name}: {entry['num_examples']} examples, "
              f"{entry['size']:,} bytes")


def run():
    flags.mark_flags_as_required(["data_dir"])
    cli.run(main)


if __name__ == "__main__":
    run()
