"""What the package knows about each dataset: files, checksums, statistics.

Every dataset-specific fact lives here, so the loaders need no per-dataset
branches. The sha256 values are those in the TFDS checksum tables (MNIST,
Fashion-MNIST) and in the data README (the CIFAR-10 npz).
"""

import dataclasses

from afd_keras.utils import messages


@dataclasses.dataclass(frozen=True)
class DataFile:
    """One published file: its name, sha256 and size in bytes."""

    name: str
    sha256: str
    size: int


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """The facts the loaders need about one dataset.

    Attributes:
        name: the TFDS name, also the name users pass to `load`.
        title: the name as tables and plots print it.
        image_shape: (height, width, channels).
        num_classes: the number of labels.
        split_sizes: split name to its number of examples.
        local_dir: the sub-folder of a data dir that holds the local files.
        local_format: "idx" (gzipped IDX archives) or "npz" (one array file).
        files: split name to the files it needs, in the order the reader
            wants them (images, labels for IDX).
        tfds_can_build: True when TFDS builds the dataset from `files`
            placed in a manual folder (byte-identical archives).
        mean: per-channel mean of the training images in [0, 1].
        std: per-channel standard deviation of the training images.
        augmentation: "crop_flip" or "none".
        license: the licence and the citation the data asks for.
        validation_cutoffs: per class, the largest image fingerprint in the
            validation split held out of "train" (see `validation`).
    """

    name: str
    title: str
    image_shape: tuple
    num_classes: int
    split_sizes: dict
    local_dir: str
    local_format: str
    files: dict
    tfds_can_build: bool
    mean: tuple
    std: tuple
    augmentation: str
    license: str
    validation_cutoffs: tuple

    @property
    def splits(self):
        return tuple(self.split_sizes)


def _idx_files(train_images, train_labels, test_images, test_labels):
    return {
        "train": (DataFile("train-images-idx3-ubyte.gz", *train_images),
                  DataFile("train-labels-idx1-ubyte.gz", *train_labels)),
        "test": (DataFile("t10k-images-idx3-ubyte.gz", *test_images),
                 DataFile("t10k-labels-idx1-ubyte.gz", *test_labels)),
    }


_CIFAR10_NPZ = DataFile(
    "cifar10-arrays.npz",
    "2a114b28f390409ef02564d4e5a1e6756e09e10dd9a0e0948d7886b72557ce60",
    169596192)

DATASETS = {
    spec.name: spec for spec in (
        DatasetSpec(
            name="mnist",
            title="MNIST",
            image_shape=(28, 28, 1),
            num_classes=10,
            split_sizes={"train": 60000, "test": 10000},
            local_dir="mnist",
            local_format="idx",
            files=_idx_files(
                ("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f2"
                 "03523609", 9912422),
                ("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e"
                 "8010255c", 28881),
                ("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5"
                 "a2dbc4e6", 1648877),
                ("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb25992"
                 "4204aec6", 4542)),
            tfds_can_build=True,
            mean=(0.1307,),
            std=(0.3081,),
            augmentation="none",
            license=("CC BY-SA 3.0, Y. LeCun, C. Cortes, C. Burges; cite "
                     "LeCun et al., Proc. IEEE 86(11), 1998."),
            validation_cutoffs=(-7695036957642580649, -7810121571121155387, -7715590604556531648,
                -7576269878625668185, -7620483325485918589, -7463526283283090999,
                -7697565184129545649, -7777292091901980616, -7550664028747242915,
                -7659812379698707337),
        ),
        DatasetSpec(
            name="fashion_mnist",
            title="Fashion-MNIST",
            image_shape=(28, 28, 1),
            num_classes=10,
            split_sizes={"train": 60000, "test": 10000},
            local_dir="fashion-mnist",
            local_format="idx",
            files=_idx_files(
                ("3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512"
                 "369268a84", 26421880),
                ("a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af"
                 "54cc90845", 29515),
                ("346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f"
                 "03db6a073", 4422102),
                ("67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b"
                 "086bf8dd5", 5148)),
            tfds_can_build=True,
            mean=(0.2860,),
            std=(0.3530,),
            augmentation="none",
            license=("MIT, (c) 2017 Zalando SE; cite Xiao, Rasul, Vollgraf, "
                     "arXiv:1708.07747."),
            validation_cutoffs=(-7617678694862784770, -7683517631556013678, -7534844635667584056,
                -7727660221172086220, -7734377977104168935, -7737120804858057972,
                -7665880280136500998, -7597056203078439047, -7676163464327149565,
                -7659949946369064975),
        ),
        DatasetSpec(
            name="cifar10",
            title="CIFAR-10",
            image_shape=(32, 32, 3),
            num_classes=10,
            split_sizes={"train": 50000, "test": 10000},
            local_dir="cifar10",
            local_format="npz",
            files={"train": (_CIFAR10_NPZ,), "test": (_CIFAR10_NPZ,)},
            # TFDS wants cifar-10-binary.tar.gz, which cannot be rebuilt
            # byte for byte from the arrays, so its checksum would fail.
            tfds_can_build=False,
            mean=(0.4914, 0.4822, 0.4465),
            std=(0.2470, 0.2435, 0.2616),
            augmentation="crop_flip",
            license=("No formal licence; cite A. Krizhevsky, \"Learning "
                     "Multiple Layers of Features from Tiny Images\", Tech. "
                     "Report, University of Toronto, 2009."),
            validation_cutoffs=(-7492968086409571002, -7300063874351368389, -7505119141744013351,
                -7402244145629750085, -7376306246169148400, -7451788211824653689,
                -7375144617461963643, -7260298807523154128, -7404229922803135324,
                -7302735406238807919),
        ),
    )
}


def list_datasets():
    """Returns the names of the datasets with built-in local support."""
    return sorted(DATASETS)


def get_spec(name):
    """Returns the `DatasetSpec` of a built-in dataset.

    Args:
        name: a dataset name, e.g. "mnist".

    Returns:
        The `DatasetSpec`.

    Raises:
        ValueError: `name` is not a built-in dataset; the message suggests
            the closest names.
    """
    if name not in DATASETS:
        raise ValueError(messages.unknown_name_message("dataset", name, DATASETS))
    return DATASETS[name]
