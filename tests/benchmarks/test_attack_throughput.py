"""The attacks benchmark: ours and the references on the same examples."""

import numpy as np
import pytest

from afd_keras.benchmarks import attack_throughput


# Square-5000 on the survivors, in three suites: minutes even on 16 images.
@pytest.mark.slow
def test_suites_against_art_autoattack(undefended_mnist_model,
                                       mnist_sample_test):
    images, labels = mnist_sample_test
    x, y = images[:8], labels[:8]
    timings = attack_throughput.measure_suites(undefended_mnist_model, x, y,
                                               0.3, batch_size=8)
    assert [(t.attack, t.implementation) for t in timings] == [
        ("autoattack", "afd_keras"), ("aa_lite", "afd_keras"),
        ("AutoAttack (APGD-CE, APGD-DLR, Square-5000)", "ART")]
    for t in timings:
        assert 0.0 <= t.robust_accuracy <= 1.0 and t.seconds > 0
    ours, _, art = timings
    # The standard suite is never weaker than ART's (one example of slack).
    assert ours.robust_accuracy <= art.robust_accuracy + 1 / len(x)
    assert np.isfinite(ours.speedup) and ours.speedup > 0
    assert "| autoattack | afd_keras |" in (
        attack_throughput.format_attack_throughput(timings))


def test_square_against_art_square(undefended_mnist_model, mnist_sample_test):
    images, labels = mnist_sample_test
    x, y = images[:8], labels[:8]
    ours, art = attack_throughput.measure_square(
        undefended_mnist_model, x, y, 0.3, max_queries=50, batch_size=8)
    assert (ours.attack, ours.implementation) == ("Square-50", "afd_keras")
    assert (art.attack, art.implementation) == ("Square-50", "ART")
    for t in (ours, art):
        assert 0.0 <= t.robust_accuracy <= 1.0 and t.seconds > 0
    assert np.isfinite(ours.speedup) and ours.speedup > 0
    assert np.isnan(art.speedup)
