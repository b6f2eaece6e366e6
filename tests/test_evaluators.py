"""The README's snippets for other evaluators run as written, and hold.

Each fenced python block under "Using zoo models with other evaluators" is
executed verbatim: the setup block once, then each evaluator's block in a
copy of its namespace. Only the data is cut to a few examples, and for the
check that an attack really attacks, the model is swapped for the zoo's
undefended one.
"""

import re
import warnings

import numpy as np
import pytest
import tensorflow as tf

import afd_keras
from conftest import REPO_ROOT

SECTION = "Using zoo models with other evaluators"
ATTACKS = ("ART", "Foolbox 3", "cleverhans")
CLEAN_ACCURACY = "RobustBench-style clean accuracy"
UNDEFENDED = "small_cnn_mnist_standard_linf0.3"
NUM_EXAMPLES = 16


def _python_block(text, where):
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)
    assert len(blocks) == 1, f"expected one python block in {where}"
    return blocks[0]


def _snippets():
    """Returns the setup code and {subsection title: code}."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(rf"^## {re.escape(SECTION)}\n(.*?)(?=^## )", readme,
                        re.S | re.M).group(1)
    intro, *parts = re.split(r"^### (.+)\n", section, flags=re.M)
    titles, bodies = parts[0::2], parts[1::2]
    return _python_block(intro, "the setup"), {
        title: _python_block(body, title) for title, body in zip(titles, bodies)}


SETUP, EVALUATORS = _snippets()


@pytest.fixture(scope="module")
def setup_namespace():
    """The setup block's variables, with the first NUM_EXAMPLES examples."""
    namespace = {}
    # The tests set no data dir (conftest), so the embedded sample, which
    # holds the same first 1,000 test images, stands in, with a warning.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using the embedded sample")
        exec(SETUP, namespace)  # pylint: disable=exec-used
    assert namespace["x_test"].shape == (1000, 28, 28, 1)
    namespace["x_test"] = namespace["x_test"][:NUM_EXAMPLES]
    namespace["y_test"] = namespace["y_test"][:NUM_EXAMPLES]
    return namespace


def _run(title, namespace, **overrides):
    namespace = {**namespace, **overrides}
    exec(EVALUATORS[title], namespace)  # pylint: disable=exec-used
    return namespace


def _own_clean_accuracy(model, x, y):
    """afd_keras's own clean accuracy on the same examples."""
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(NUM_EXAMPLES)
    return afd_keras.evaluation.evaluate_robustness(
        model, dataset, 0.3, attacks=[], sanity_examples=0,
        verbose=0).clean_accuracy


def test_readme_has_a_snippet_for_every_evaluator():
    assert set(EVALUATORS) == {*ATTACKS, CLEAN_ACCURACY}


@pytest.mark.parametrize("title", ATTACKS)
def test_attack_stays_in_the_ball_and_never_helps(setup_namespace, title):
    result = _run(title, setup_namespace)
    x, epsilon = setup_namespace["x_test"], setup_namespace["epsilon"]
    x_adv = np.asarray(result["x_adv"])
    assert x_adv.shape == x.shape
    assert np.abs(x_adv - x).max() <= epsilon + 1e-6
    assert x_adv.min() >= 0.0 and x_adv.max() <= 1.0
    clean = _own_clean_accuracy(setup_namespace["model"], x,
                                setup_namespace["y_test"])
    assert 0.0 <= result["robust_accuracy"] <= clean


@pytest.mark.parametrize("title", ATTACKS)
def test_attack_breaks_the_undefended_model(setup_namespace, title):
    model = afd_keras.zoo.load(UNDEFENDED)
    x, y = setup_namespace["x_test"], setup_namespace["y_test"]
    # The card's PGD-40 accuracy is 0.04%: gradients must reach the input.
    assert _own_clean_accuracy(model, x, y) >= 0.9
    assert _run(title, setup_namespace, model=model)["robust_accuracy"] <= 0.1


def test_clean_accuracy_matches_our_own(setup_namespace):
    result = _run(CLEAN_ACCURACY, setup_namespace)
    model, x, y = (setup_namespace[key] for key in ("model", "x_test", "y_test"))
    ours = _own_clean_accuracy(model, x, y)
    assert result["accuracy"] == pytest.approx(ours)
    # Batches that do not divide the examples are counted once each.
    assert result["clean_accuracy"](model, x, y, batch_size=5) == (
        pytest.approx(ours))
