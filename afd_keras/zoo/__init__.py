"""Pretrained robust models: a uniform loader over verified model cards.

Each model has a card, `<name>.json`, in the zoo folder (the repository's
`zoo/`, installed with the package). The card names the model's builder and
its arguments, its training, its measured results, and the sha256 of its
weights file. `load` builds the model from the card and loads the weights
only after checking them.

Example:

>>> afd_keras.zoo.list_models(dataset="mnist")
>>> model = afd_keras.zoo.load("small_cnn_mnist_afd_linf0.3")
"""

from afd_keras.zoo.loader import get_info
from afd_keras.zoo.loader import list_models
from afd_keras.zoo.loader import load
from afd_keras.zoo.loader import load_model
from afd_keras.zoo.loader import threat_setting
from afd_keras.evaluation.standard import EvaluationSettings
from afd_keras.zoo.publishing import publish
