"""Our compiled Square against ART's, and its one pass per query."""

import numpy as np
import pytest

from afd_keras import attacks
from afd_keras.attacks import art_attacks
from afd_keras.evaluation import pass_bound


def test_one_forward_pass_per_query(undefended_mnist_model, mnist_sample_test):
    x, y = mnist_sample_test[0][:50], mnist_sample_test[1][:50]
    counter = pass_bound.counter_for(undefended_mnist_model)
    before = counter.counts()["forward"]
    attacks.square(counter, x, y, epsilon=0.05, max_queries=30)
    used = counter.counts()["forward"] - before
    # The clean and striped starts, then at most one pass per example per
    # query (fooled examples leave the batch).
    assert 2 * len(x) < used <= len(x) * (2 + 30)


def test_seeded(undefended_mnist_model, mnist_sample_test):
    x, y = mnist_sample_test[0][:20], mnist_sample_test[1][:20]
    run = lambda seed: np.asarray(attacks.square(  # noqa: E731
        undefended_mnist_model, x, y, epsilon=0.1, max_queries=20, seed=seed))
    np.testing.assert_array_equal(run(0), run(0))
    assert not np.array_equal(run(0), run(1))


def test_bad_p_init_raises(undefended_mnist_model, mnist_sample_test):
    x, y = mnist_sample_test[0][:4], mnist_sample_test[1][:4]
    with pytest.raises(ValueError, match=r"p_init must be in \(0, 1\]. Received"):
        attacks.square(undefended_mnist_model, x, y, epsilon=0.1, p_init=0.0)


@pytest.mark.slow
def test_agrees_with_art_on_a_robust_zoo_model(mnist_sample_test):
    import afd_keras  # pylint: disable=import-outside-toplevel
    model = afd_keras.zoo.load("small_cnn_mnist_afd_linf0.3")
    x, y = mnist_sample_test[0][:200], mnist_sample_test[1][:200]

    def accuracy(attack):
        x_adv = np.asarray(attack(model, x, y, epsilon=0.3, max_queries=1000))
        return np.mean(np.argmax(model(x_adv), -1) == y)
    # Measured: 89.0% ours, 88.5% ART's (one example apart).
    assert abs(accuracy(attacks.square) - accuracy(art_attacks.square)) <= 0.03
