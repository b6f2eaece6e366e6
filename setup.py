"""Installs afd_keras, its tools (as `afd_keras_tools`) and the data sample."""

import re

import setuptools

# The version is written once, in the package.
_VERSION = re.search(r'__version__ = "([^"]+)"', open(
    "afd_keras/utils/version.py", encoding="utf-8").read()).group(1)

_TOOLS = {
    "afd-quickstart": "quickstart",
    "afd-make-sample": "make_sample",
    "afd-benchmark": "benchmark",
    "afd-train": "train",
    "afd-evaluate": "evaluate",
    "afd-publish": "publish",
}

setuptools.setup(
    name="afd_keras",
    version=_VERSION,
    description=("Adversarial feature diversity training for Keras: sign "
                 "perturbations, example mixing, conditional scaling."),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    # tomllib (training recipes) is in the standard library from 3.11.
    python_requires=">=3.11",
    packages=setuptools.find_packages(include=["afd_keras", "afd_keras.*"]) +
    ["afd_keras_tools", "afd_keras_zoo"],
    # tools/ and zoo/ stay plain folders in the repo but install under
    # package names that cannot collide with other projects'.
    package_dir={"afd_keras_tools": "tools", "afd_keras_zoo": "zoo"},
    package_data={"afd_keras": ["recipes/*.toml"],
                  "afd_keras.data": ["sample/*.npz", "sample/*.json",
                                     "sample/*.md"],
                  "afd_keras.zoo": ["card_schema.json"],
                  # The published weights ship with the package.
                  "afd_keras_zoo": ["*.json", "*.weights.h5", "*.md",
                                    "*.png"]},
    install_requires=[
        "tensorflow>=2.16",
        "keras>=3.0",
        "tensorflow-datasets>=4.9",
        # tensorflow-datasets imports it without declaring it.
        "importlib_resources",
        "cleverhans>=4.0",
        "absl-py",
        "numpy",
        # Model cards are validated against their schema.
        "jsonschema",
        # Imported directly (checkpoints, compressed zoo weights); Keras
        # depends on it too.
        "h5py",
        # Processes that share a TFDS cache take turns preparing a dataset.
        "filelock",
    ],
    extras_require={
        # The tests cross-check our attacks against ART, run the README's
        # snippets for other evaluators, plot reports, and run on two
        # processes (pytest.ini).
        "test": ["pytest>=7", "pytest-xdist>=3",
                 "adversarial-robustness-toolbox>=1.17", "multiprocess",
                 "foolbox>=3.3", "matplotlib"],
        # ART's AutoAttack imports multiprocess without declaring it.
        # Foolbox is not used by afd_keras itself; the README shows zoo
        # models under its attacks.
        "eval": ["adversarial-robustness-toolbox>=1.17", "multiprocess",
                 "foolbox>=3.3"],
        "plot": ["matplotlib"],
        "all": ["pytest>=7", "pytest-xdist>=3",
                "adversarial-robustness-toolbox>=1.17", "multiprocess",
                "foolbox>=3.3", "matplotlib"],
    },
    entry_points={
        "console_scripts": [
            f"{script}=afd_keras_tools.{module}:run"
            for script, module in _TOOLS.items()
        ],
    },
)
