"""Publishes a finished training run into the zoo: evaluates it with the
standard suite, writes its card and weights, and regenerates the tables.

Usage:
    afd-publish --run=runs/mnist_afd --data_dir=../shared/data
    afd-publish --tables_only          # regenerate zoo/README.md, the plot
                                       # and README.md's zoo table
    afd-publish --add_autoattack=small_cnn_mnist_afd_linf0.3 \
        --work_dir=runs/republish      # AutoAttack from the shipped weights

An interrupted publish resumes its evaluation from the run folder.
"""

import os

from absl import flags

from afd_keras import cli
from afd_keras.data import loader
from afd_keras.evaluation import standard
from afd_keras.zoo import cards
from afd_keras.zoo import publishing
from afd_keras.zoo import readme as readme_lib

_RUN = flags.DEFINE_string("run", None, "A finished afd-train run folder.")
_NAME = flags.DEFINE_string(
    "name", None, "The model name (default "
    "<architecture>_<dataset>_<method>_linf<eps>).")
_ZOO_DIR = flags.DEFINE_string(
    "zoo_dir", None, "The zoo folder to write to (default: the one "
    "afd_keras.zoo.load reads, $AFD_ZOO_DIR or the installed zoo).")
_README = flags.DEFINE_string(
    "readme", "README.md", "A Markdown file whose zoo table is regenerated "
    "(empty: none; the default is skipped when there is no README.md here).")
_OVERWRITE = flags.DEFINE_bool(
    "overwrite", False, "Replace a published model of the same name.")
_EVALUATE = flags.DEFINE_bool(
    "evaluate", True, "Run the missing parts of the evaluation; with "
    "--noevaluate only a saved evaluation of the same weights is used.")
_TABLES_ONLY = flags.DEFINE_bool(
    "tables_only", False, "Only regenerate the tables and the plot.")
_DATA_DIR = flags.DEFINE_string("data_dir", None,
                                "Folder with the data (default $AFD_DATA_DIR).")
_SOURCE = flags.DEFINE_enum("source", "auto", list(loader.SOURCES),
                            "Where to read the test split from.")
_URL = flags.DEFINE_string("url", None,
                           "Where the weights can also be downloaded from.")
_ADD_AUTOATTACK = flags.DEFINE_list(
    "add_autoattack", [], "Published models to add AutoAttack results to, "
    "from their shipped weights (instead of --run); resumable, with the "
    "evaluation saved in --work_dir.")
_WORK_DIR = flags.DEFINE_string(
    "work_dir", None, "With --add_autoattack: where the evaluation is saved "
    "as it goes, so a killed run resumes.")
# One flag per field of EvaluationSettings: --pgd_steps, --aa_lite_examples,
# --autoattack_examples, --conditions...
_EVALUATION = cli.define_flags(standard.EvaluationSettings)


def _readme():
    """The README to update, checked before anything is published."""
    path = _README.value
    if not path or (not flags.FLAGS["readme"].present and
                    not os.path.isfile(path)):
        return None
    with open(path, encoding="utf-8") as f:  # a missing file raises here
        readme_lib.replace_section(f.read(), "")  # so do missing markers
    return path


def main(argv):
    del argv
    zoo_dir = _ZOO_DIR.value or cards.zoo_dir()
    readme = _readme()
    try:
        import matplotlib  # pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        raise ValueError("afd-publish draws the zoo's trade-off plot and "
                         "needs matplotlib: pip install 'afd_keras[plot]'.") from None
    if _ADD_AUTOATTACK.value:
        if not _WORK_DIR.value:
            raise ValueError("--add_autoattack needs --work_dir, where the "
                             "evaluation is saved as it goes.")
        for name in _ADD_AUTOATTACK.value:
            result = publishing.add_autoattack(
                name, _WORK_DIR.value, zoo_dir=zoo_dir,
                num_examples=_EVALUATION["autoattack_examples"].value,
                data_dir=_DATA_DIR.value, source=_SOURCE.value)["results"]
            print(f"{name}: AutoAttack "
                  f"{100 * result['autoattack']['accuracy']:.2f}% on "
                  f"{result['autoattack']['num_examples']:,}, AA-lite "
                  f"{100 * result['aa_lite']['accuracy']:.2f}% on "
                  f"{result['aa_lite']['num_examples']:,}")
    elif not _TABLES_ONLY.value:
        if not _RUN.value:
            raise ValueError("--run is required (or --tables_only, or "
                             "--add_autoattack).")
        card = publishing.publish(
            _RUN.value, zoo_dir, name=_NAME.value,
            overwrite=_OVERWRITE.value, evaluate=_EVALUATE.value,
            settings=cli.settings_from_flags(standard.EvaluationSettings,
                                             _EVALUATION),
            data_dir=_DATA_DIR.value, source=_SOURCE.value, url=_URL.value)
        results = card["results"]
        print(f"published {card['name']}: clean "
              f"{100 * results['clean']['accuracy']:.2f}%, PGD "
              f"{100 * results['pgd']['accuracy']:.2f}%, AA-lite "
              f"{100 * results['aa_lite']['accuracy']:.2f}%")
    print(readme_lib.update(zoo_dir, readme))


def run():
    cli.run(main)


if __name__ == "__main__":
    run()
