"""The attacks' compiled graphs: traced once per model and setting."""

import logging

import numpy as np
import pytest

import afd_keras
from afd_keras import models
from afd_keras.evaluation import pass_bound


@pytest.mark.parametrize("attack", ["pgd", "apgd", "fgsm"])
def test_several_models_and_batch_sizes_trace_without_retracing_warnings(
        attack, mnist_sample_test, caplog):
    # One tf.function shared by all models traced again for every model, and
    # TF warned of excessive retracing after five traces in ten calls.
    images, labels = mnist_sample_test
    x = images[:24]
    nets = [models.build("small_cnn", filters=(4, 4), dense_units=8)
            for _ in range(3)]
    run = getattr(afd_keras.attacks, attack)
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        for net in nets:
            # The counter the evaluation passes, as well as the bare model.
            for model in (net, pass_bound.counter_for(net)):
                for size in (24, 16, 8):
                    x_adv = run(model, x[:size], labels[:size], epsilon=0.1)
                    assert np.abs(np.asarray(x_adv) - x[:size]).max() <= 0.1 + 1e-6
    assert "retracing" not in caplog.text
