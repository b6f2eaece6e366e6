"""Tests for afd_keras.attacks.fab: projections, invariants, minimality."""

import numpy as np
import pytest
from scipy import optimize

from afd_keras import attacks
from afd_keras.attacks import fab


def _size(x_adv, x, norm):
    flat = np.asarray(x_adv - x).reshape(len(x), -1)
    return np.abs(flat).max(1) if norm == "linf" else np.linalg.norm(flat, axis=1)


def _predictions(model, x):
    return np.argmax(model(x, training=False), axis=-1)


def _hyperplanes(num, dims, seed=0):
    """Random points (some coordinates on the box), normals and offsets."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 1, (num, dims)).astype(np.float32)
    points[:, :2] = rng.integers(0, 2, (num, 2))
    w = rng.normal(size=(num, dims)).astype(np.float32)
    w[:, 2] = 0.0
    c = (rng.normal(size=num) * rng.choice([0.1, 1.0, 10.0], num)).astype(
        np.float32)
    return points, w, c


def _full_move(point, w, c):
    """Every coordinate as far as the box allows towards the hyperplane."""
    lower = w * np.sign(c or 1.0) > 0
    return np.where(w == 0, 0.0, np.where(lower, -point, 1.0 - point))


def _linf_by_linear_program(point, w, c):
    """min s subject to |d_i| <= s, <w, d> = -c, 0 <= point + d <= 1."""
    dims = len(point)
    bound = np.hstack([np.vstack([np.eye(dims), -np.eye(dims)]),
                       -np.ones((2 * dims, 1))])
    result = optimize.linprog(
        np.r_[np.zeros(dims), 1.0], A_ub=bound, b_ub=np.zeros(2 * dims),
        A_eq=np.r_[w, 0.0][None], b_eq=[-c],
        bounds=[(-p, 1.0 - p) for p in point] + [(0, None)])
    return result.x[:dims] if result.status == 0 else _full_move(point, w, c)


def _l2_by_bisection(point, w, c):
    """The KKT point clip(point - mu w, 0, 1) - point, mu found by bisection."""
    side = 1.0 if c >= 0 else -1.0

    def move(mu):
        return np.clip(point - mu * side * w, 0.0, 1.0) - point

    low, high = 0.0, 1e6
    if side * (c + w @ move(high)) > 0:
        return move(high)
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if side * (c + w @ move(mid)) > 0 else (low, mid)
    return move(high)


def test_linf_projection_has_the_linear_programs_norm():
    # L-inf minimisers need not be unique: compare sizes, then feasibility.
    points, w, c = _hyperplanes(60, 12)
    ours = fab.boundary_projection(points, w, c, "linf").numpy()
    for i in range(len(points)):
        point, normal, offset = (v.astype(np.float64)
                                 for v in (points[i], w[i], c[i]))
        best = _linf_by_linear_program(point, normal, offset)
        assert abs(np.abs(ours[i]).max() - np.abs(best).max()) <= 1e-6
        if abs(offset + normal @ best) < 1e-9:  # the box reaches the plane
            assert abs(offset + normal @ ours[i]) <= 1e-5
        else:
            np.testing.assert_allclose(ours[i], best, atol=1e-6)
        assert (point + ours[i]).min() >= -1e-6
        assert (point + ours[i]).max() <= 1 + 1e-6


def test_l2_projection_is_the_kkt_point():
    points, w, c = _hyperplanes(60, 12)
    ours = fab.boundary_projection(points, w, c, "l2").numpy()
    for i in range(len(points)):
        expected = _l2_by_bisection(*(v.astype(np.float64)
                                      for v in (points[i], w[i], c[i])))
        np.testing.assert_allclose(ours[i], expected, atol=2e-6)


def test_projection_reaches_the_hyperplane_inside_the_box():
    points, w, c = _hyperplanes(200, 784, seed=1)
    c /= 20.0  # small enough that the box reaches the hyperplane
    for norm in ("linf", "l2"):
        moves = fab.boundary_projection(points, w, c, norm).numpy()
        np.testing.assert_allclose(c + np.sum(w * moves, axis=1), 0.0, atol=1e-4)
        assert (points + moves).min() >= -1e-6 and (points + moves).max() <= 1 + 1e-6


@pytest.mark.parametrize("norm,epsilon", [("linf", 0.3), ("linf", 0.05),
                                          ("l2", 2.0), ("l2", 0.5)])
def test_stays_in_the_ball_and_the_box(norm, epsilon, undefended_mnist_model,
                                       mnist_sample_test):
    x, y = mnist_sample_test[0][:40], mnist_sample_test[1][:40]
    x_adv = np.asarray(attacks.fab_t(undefended_mnist_model, x, y,
                                     epsilon=epsilon, norm=norm, num_steps=20,
                                     num_target_classes=3, num_restarts=2))
    assert x_adv.shape == x.shape and x_adv.dtype == np.float32
    assert (_size(x_adv, x, norm) <= epsilon + 1e-6).all()
    assert x_adv.min() >= 0.0 and x_adv.max() <= 1.0
    # An example is either fooled or returned clean.
    fooled = _predictions(undefended_mnist_model, x_adv) != y
    np.testing.assert_array_equal(x_adv[~fooled], x[~fooled])


def test_zero_epsilon_returns_x(undefended_mnist_model, mnist_sample_test):
    x, y = mnist_sample_test[0][:20], mnist_sample_test[1][:20]
    np.testing.assert_array_equal(
        attacks.fab_t(undefended_mnist_model, x, y, epsilon=0.0, num_steps=10),
        x)


def test_misclassified_examples_are_left_alone(undefended_mnist_model,
                                               mnist_sample_test):
    x = mnist_sample_test[0][:20]
    wrong = (_predictions(undefended_mnist_model, x) + 1) % 10
    np.testing.assert_array_equal(
        attacks.fab_t(undefended_mnist_model, x, wrong, epsilon=0.3,
                      num_steps=10), x)


def test_no_labels_attack_the_predictions(undefended_mnist_model,
                                          mnist_sample_test):
    x = mnist_sample_test[0][:20]
    predictions = _predictions(undefended_mnist_model, x)
    np.testing.assert_array_equal(
        attacks.fab_t(undefended_mnist_model, x, epsilon=0.2, num_steps=10),
        attacks.fab_t(undefended_mnist_model, x, predictions, epsilon=0.2,
                      num_steps=10))


def test_one_trace_for_new_settings(undefended_mnist_model, mnist_sample_test):
    x, y = mnist_sample_test[0][:16], mnist_sample_test[1][:16]
    attacks.fab_t(undefended_mnist_model, x, y, epsilon=0.1, num_steps=5)
    traces = fab._fab_graph.experimental_get_tracing_count()
    attacks.fab_t(undefended_mnist_model, x, y, epsilon=0.2, num_steps=6,
                  num_target_classes=2, num_restarts=2, alpha_max=0.2, eta=1.1,
                  beta=0.8, seed=3)
    assert fab._fab_graph.experimental_get_tracing_count() == traces


@pytest.mark.parametrize("kwargs,pattern", [
    ({"epsilon": -0.1}, r"epsilon must be >= 0. Received: epsilon=-0.1"),
    ({"norm": "l1"}, r"Unknown norm.*Received: norm='l1'"),
    ({"num_steps": 0}, r"Received: num_steps=0"),
    ({"num_restarts": 0}, r"Received: num_restarts=0"),
    ({"num_target_classes": 0}, r"Received: num_target_classes=0"),
    ({"num_target_classes": 10},
     r"at most the number of classes minus 1 \(9\). "
     r"Received: num_target_classes=10"),
    ({"alpha_max": 1.5}, r"alpha_max must be in \[0, 1\]. Received: alpha_max=1.5"),
    ({"eta": 0.9}, r"eta must be >= 1. Received: eta=0.9"),
    ({"beta": 0.0}, r"beta must be in \(0, 1\]. Received: beta=0.0"),
])
def test_bad_settings_raise(kwargs, pattern, undefended_mnist_model,
                            mnist_sample_test):
    x, y = mnist_sample_test[0][:4], mnist_sample_test[1][:4]
    with pytest.raises(ValueError, match=pattern):
        attacks.fab_t(undefended_mnist_model, x, y, **{"epsilon": 0.1, **kwargs})


def test_bad_inputs_raise(undefended_mnist_model, mnist_sample_test):
    x, y = mnist_sample_test[0][:4], mnist_sample_test[1][:4]
    with pytest.raises(ValueError, match=r"images in \[0, 1\]"):
        attacks.fab_t(undefended_mnist_model, x * 255.0, y, epsilon=0.1)
    with pytest.raises(ValueError, match=r"Labels must be 4 integers"):
        attacks.fab_t(undefended_mnist_model, x, y[:3], epsilon=0.1)


def test_attacks_a_conditional_model_at_its_dial(mnist_sample_test):
    import afd_keras  # pylint: disable=import-outside-toplevel
    model = afd_keras.models.build("small_cnn", conditional=True)
    model.set_condition(0.25)
    x, y = mnist_sample_test[0][:16], mnist_sample_test[1][:16]
    x_adv = attacks.fab_t(model, x, y, epsilon=0.1, num_steps=5,
                          num_target_classes=2)
    assert (_size(x_adv, x, "linf") <= 0.1 + 1e-6).all()
    assert float(model.condition.numpy()) == 0.25


@pytest.mark.parametrize("norm,epsilon", [("linf", 0.3), ("l2", 3.5)])
def test_fools_an_undefended_model_within_epsilon(norm, epsilon,
                                                  undefended_mnist_model,
                                                  mnist_sample_test):
    x, y = mnist_sample_test[0][:50], mnist_sample_test[1][:50]
    correct = _predictions(undefended_mnist_model, x) == y
    x_adv = attacks.fab_t(undefended_mnist_model, x, y, epsilon=epsilon,
                          norm=norm)
    fooled = _predictions(undefended_mnist_model, x_adv) != y
    assert fooled[correct].mean() >= 0.98


def _smallest_pgd_epsilon(model, x, y, norm, guess, rounds):
    """Bisects the smallest budget at which PGD-50 fools one example."""
    def fools(epsilon):
        x_adv = attacks.pgd(model, x, y, epsilon=float(epsilon), norm=norm,
                            num_steps=50)
        return _predictions(model, x_adv)[0] != y[0]

    low, high = 0.0, guess
    while not fools(high):
        low, high = high, 2.0 * high
    for _ in range(rounds):
        middle = (low + high) / 2.0
        low, high = (low, middle) if fools(middle) else (middle, high)
    return high


def _fab_against_bisected_pgd(model, x, y, norm, rounds):
    """Per example, FAB's minimal perturbation over PGD-50's smallest budget."""
    correct = _predictions(model, x) == y
    x, y = x[correct], y[correct]
    # An epsilon that bounds nothing: FAB returns its minimal adversarial.
    x_adv = np.asarray(attacks.fab_t(model, x, y, epsilon=1e3, norm=norm))
    assert (_predictions(model, x_adv) != y).all()
    sizes = _size(x_adv, x, norm)
    budgets = np.array([
        _smallest_pgd_epsilon(model, x[i:i + 1], y[i:i + 1], norm,
                              1.2 * sizes[i], rounds) for i in range(len(x))])
    return sizes / budgets


def test_minimal_perturbation_matches_bisected_pgd(undefended_mnist_model,
                                                   mnist_sample_test):
    x, y = mnist_sample_test[0][:10], mnist_sample_test[1][:10]
    ratios = _fab_against_bisected_pgd(undefended_mnist_model, x, y, "linf",
                                       rounds=6)
    assert np.median(ratios) <= 1.1


@pytest.mark.slow
@pytest.mark.parametrize("norm", ["linf", "l2"])
def test_minimal_perturbation_matches_bisected_pgd_on_50(
        norm, undefended_mnist_model, mnist_sample_test):
    x, y = mnist_sample_test[0][:50], mnist_sample_test[1][:50]
    ratios = _fab_against_bisected_pgd(undefended_mnist_model, x, y, norm,
                                       rounds=8)
    assert np.median(ratios) <= 1.1
