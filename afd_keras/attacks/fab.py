"""Targeted FAB (Croce & Hein 2020): minimally distorted adversarial examples.

FAB walks to the decision boundary instead of climbing a loss. Each step
linearises the logit difference f_t - f_y between a target class t and the
true class y, and projects both the current point and the clean image onto
that hyperplane, intersected with the [0, 1] box. The next point is a
convex combination of the two projections (slightly overshot), biased
towards the clean image, so the attack looks for the closest adversarial
point rather than just any. Once a point is adversarial, the attack steps
back towards the clean image and keeps searching for a smaller one.
"""

import tensorflow as tf

from afd_keras.attacks import loop
from afd_keras.attacks import norms
from afd_keras.attacks import validation

_ZERO = norms.ZERO_GRADIENTS
# The reference's floor on the distance to a projection (used as weights).
_MIN_DISTANCE = 1e-8
# L2: coordinates with a smaller gradient entry are left where they are, as
# in the reference, so that their breakpoint (room / |w|) stays finite.
_L2_MIN_WEIGHT = 1e-8
# A breakpoint (and a level) that no real one reaches.
_FAR = 1e12
# The norm recorded for an example with no adversarial point yet.
_NOT_FOUND = 1e10
# Restarts after the first start at this fraction of epsilon from x.
_START_RADIUS = 0.5


def fab_t(model, x, y=None, *, epsilon, norm="linf", num_steps=100,
          num_target_classes=9, num_restarts=1, alpha_max=0.1, eta=1.05,
          beta=0.9, seed=0):
    """Runs targeted FAB on one batch, as one compiled graph call.

    The targets are the `num_target_classes` classes with the highest clean
    logits after the true class, attacked in turn; each target gets
    `num_restarts` runs of `num_steps` steps (one gradient and one forward
    pass each). The first run of a target starts at x, later ones at a
    random point at distance epsilon / 2. An example keeps the smallest
    adversarial point a run found if it lies within epsilon, and is then not
    attacked further; the others stay clean. Misclassified examples are
    returned unchanged. The defaults are the settings of AutoAttack's
    standard version, for L-inf and L2 alike. With a large epsilon, the
    result is the minimal adversarial point of the first target that yields
    one.

    Reference:
        Croce & Hein, "Minimally distorted adversarial examples with a fast
        adaptive boundary attack", ICML 2020.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: a batch of NHWC images in [0, 1].
        y: int labels of shape (batch,); None uses the model's predictions.
        epsilon: the radius of the threat model's ball.
        norm: "linf" or "l2".
        num_steps: steps per run.
        num_target_classes: how many of the runner-up classes to target, at most
            the number of classes minus 1.
        num_restarts: runs per target.
        alpha_max: the largest weight of the clean image's projection in a
            step, in [0, 1].
        eta: the overshoot of each projection, >= 1.
        beta: the factor, in (0, 1], by which an adversarial point's
            perturbation shrinks before the search goes on.
        seed: seeds the random starts of the restarts.

    Returns:
        Adversarial images, float32, with ||x_adv - x|| <= epsilon in `norm`
        and values in [0, 1].

    Raises:
        ValueError: a bad setting, images outside [0, 1], or labels that do
            not match the batch.

    Example:

    >>> x_adv = fab_t(model, images, labels, epsilon=8 / 255)
    """
    _check_fab_settings(num_target_classes, alpha_max, eta, beta)
    x, y = validation.check_attack_inputs(model, x, y, epsilon, norm, num_steps,
                                          num_restarts=num_restarts)
    num_classes = int(model(x[:1], training=False).shape[-1])
    if num_target_classes > num_classes - 1:
        raise ValueError(
            f"num_target_classes must be at most the number of classes minus 1 "
            f"({num_classes - 1}). "
            f"Received: num_target_classes={num_target_classes!r}")
    return _fab_graph(model, x, y, tf.constant(epsilon, tf.float32),
                      tf.constant(num_steps), tf.constant(num_target_classes),
                      tf.constant(num_restarts),
                      tf.constant(alpha_max, tf.float32),
                      tf.constant(eta, tf.float32),
                      tf.constant(beta, tf.float32), tf.constant([seed, 0]),
                      norm)


def _check_fab_settings(num_target_classes, alpha_max, eta, beta):
    checks = [
        (isinstance(num_target_classes, int) and num_target_classes >= 1,
         f"num_target_classes must be an integer >= 1. Received: "
         f"num_target_classes={num_target_classes!r}"),
        (0.0 <= alpha_max <= 1.0,
         f"alpha_max must be in [0, 1]. Received: alpha_max={alpha_max!r}"),
        (eta >= 1.0, f"eta must be >= 1. Received: eta={eta!r}"),
        (0.0 < beta <= 1.0,
         f"beta must be in (0, 1]. Received: beta={beta!r}"),
    ]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)


def boundary_projection(points, w, c, norm):
    """Projects points onto a hyperplane intersected with the [0, 1] box.

    For each row, finds the smallest d in `norm` with c + <w, d> = 0 and
    points + d in [0, 1]: the hyperplane is where the linear model
    c + <w, d> of the logit difference changes sign. Where the box does not
    reach the hyperplane, d moves every coordinate as far as the box allows
    towards it.

    Both norms reduce to one problem. After flipping w so that the model
    must drop by |c|, coordinate i can drop it by at most w_i times its room
    r_i to the box. At a level lam, L-inf moves every coordinate by
    min(lam, r_i) and lowers the model by sum |w_i| min(lam, r_i); L2 moves
    it by min(lam |w_i|, r_i) (the box-clipped gradient step, a KKT point)
    and lowers it by sum w_i^2 min(lam, r_i / |w_i|). Both are piecewise
    linear and increasing in lam, so sorting the breakpoints gives the
    level exactly, for the whole batch at once.

    Args:
        points: (batch, dims) points in [0, 1].
        w: (batch, dims) the hyperplanes' normals.
        c: (batch,) the linear model's value at each point.
        norm: "linf" or "l2".

    Returns:
        The (batch, dims) displacements d.
    """
    side = tf.where(c >= 0.0, 1.0, -1.0)[:, None]
    w = w * side
    room = tf.where(w > 0.0, points, 1.0 - points)
    magnitude = tf.abs(w)
    if norm == "linf":
        moves = tf.not_equal(w, 0.0)
        weight = magnitude
        breakpoint_ = room
    else:
        moves = magnitude > _L2_MIN_WEIGHT
        weight = tf.square(w)
        breakpoint_ = tf.where(moves, room / tf.where(moves, magnitude, 1.0),
                               _FAR)
    weight = tf.where(moves, weight, 0.0)
    level = _level(weight, breakpoint_, tf.abs(c))
    shift = tf.minimum(level, breakpoint_)
    if norm == "l2":
        shift *= magnitude
    return tf.where(moves, -tf.sign(w) * shift, 0.0)


def _level(weight, breakpoint_, target):
    """Solves sum_i weight_i * min(lam, breakpoint_i) = target for lam >= 0.

    Returns `_FAR` where even lam = max(breakpoint_) falls short.
    """
    order = tf.argsort(breakpoint_, axis=1)
    breaks = tf.gather(breakpoint_, order, batch_dims=1)
    weights = tf.gather(weight, order, batch_dims=1)
    # At lam = breaks[k], the coordinates before k are saturated and the
    # rest (from k on) still move with lam.
    saturated = tf.cumsum(weights * breaks, axis=1, exclusive=True)
    moving = tf.cumsum(weights, axis=1, reverse=True)
    reached = saturated + breaks * moving
    # The first breakpoint that reaches the target ends the linear piece
    # holding the solution.
    piece = tf.reduce_sum(tf.cast(reached < target[:, None], tf.int32), axis=1)
    dims = tf.shape(breaks)[1]
    feasible = piece < dims
    piece = tf.minimum(piece, dims - 1)[:, None]
    level = ((target[:, None] - tf.gather(saturated, piece, batch_dims=1))
             / tf.maximum(tf.gather(moving, piece, batch_dims=1), 1e-30))
    return tf.where(feasible[:, None], tf.maximum(level, 0.0), _FAR)


def _size(delta, norm):
    """The per-example norms of a perturbation (batch first, any rank)."""
    axes = tf.range(1, tf.rank(delta))
    if norm == "linf":
        return tf.reduce_max(tf.abs(delta), axis=axes)
    return tf.sqrt(tf.reduce_sum(tf.square(delta), axis=axes))


def _flat(t):
    return tf.reshape(t, [tf.shape(t)[0], -1])


def _per_example(v):
    """Reshapes (batch,) to (batch, 1, 1, 1) for NHWC images."""
    return v[:, None, None, None]


def _random_directions(x, norm, seed):
    """Unit vectors of `norm` shaped like x, drawn as the reference does."""
    if norm == "linf":
        t = tf.random.stateless_uniform(tf.shape(x), seed, -1.0, 1.0)
    else:
        t = tf.random.stateless_normal(tf.shape(x), seed)
    return t / _per_example(tf.maximum(_size(t, norm), 1e-12))


@loop.compiled_per_model
def _fab_graph(model, x, y, epsilon, num_steps, num_target_classes,
               num_restarts, alpha_max, eta, beta, seed, norm):

    def difference_and_gradient(point, y, target):
        with tf.GradientTape() as tape:
            tape.watch(point)
            logits = tf.cast(model(point, training=False), tf.float32)
            difference = (tf.gather(logits, target, batch_dims=1)
                          - tf.gather(logits, y, batch_dims=1))
            total = tf.reduce_sum(difference)
        return difference, tape.gradient(total, point,
                                         unconnected_gradients=_ZERO)

    def attack_once(x0, y, target, start_radius, run_seed):
        """One run from x0: (x_adv, whether it is adversarial within eps)."""
        start = tf.clip_by_value(
            x0 + start_radius * _random_directions(x0, norm, run_seed),
            0.0, 1.0)

        def step(i, point, best, best_size):
            difference, gradient = difference_and_gradient(point, y, target)
            w = _flat(gradient)
            # The linear model of f_t - f_y, at the point and at x0.
            at_x0 = difference + tf.reduce_sum(w * _flat(x0 - point), axis=1)
            moves = boundary_projection(
                tf.concat([_flat(point), _flat(x0)], 0), tf.concat([w, w], 0),
                tf.concat([difference, at_x0], 0), norm)
            to_point, to_x0 = tf.split(
                tf.reshape(moves, tf.concat([[-1], tf.shape(x0)[1:]], 0)), 2)
            far_point = tf.maximum(_size(to_point, norm), _MIN_DISTANCE)
            far_x0 = tf.maximum(_size(to_x0, norm), _MIN_DISTANCE)
            # The closer the clean image is to the boundary, the more its
            # projection weighs: that keeps the search near x.
            alpha = _per_example(tf.clip_by_value(
                far_point / (far_point + far_x0), 0.0, alpha_max))
            point = tf.clip_by_value(
                (point + eta * to_point) * (1.0 - alpha)
                + (x0 + eta * to_x0) * alpha, 0.0, 1.0)
            logits = model(point, training=False)
            adversarial = tf.not_equal(
                tf.argmax(logits, axis=-1, output_type=tf.int32), y)
            size = _size(point - x0, norm)
            better = tf.logical_and(adversarial, size < best_size)
            best = tf.where(_per_example(better), point, best)
            best_size = tf.where(better, size, best_size)
            # Step back towards x0 and look for a closer adversarial point.
            point = tf.where(_per_example(adversarial),
                             x0 + beta * (point - x0), point)
            return i + 1, point, best, best_size

        _, _, best, best_size = tf.while_loop(
            lambda i, *_: i < num_steps, step,
            (tf.constant(0), start, x0,
             tf.fill(tf.shape(y), tf.constant(_NOT_FOUND))))
        found = best_size <= epsilon
        return tf.where(_per_example(found), best, x0), found

    clean_logits = model(x, training=False)
    ranked = tf.argsort(clean_logits, axis=-1, direction="DESCENDING",
                        stable=True)
    # Only correctly classified examples are attacked.
    done = tf.not_equal(tf.argmax(clean_logits, axis=-1, output_type=tf.int32),
                        y)

    def run(r, x_adv, done):
        left = tf.where(tf.logical_not(done))[:, 0]
        # Rank 0 is the true class; the targets are ranks 1, 2, ...
        target = tf.gather(ranked[:, 1 + r // num_restarts], left)
        start_radius = tf.where(r % num_restarts > 0,
                                _START_RADIUS * epsilon, 0.0)
        found, hit = attack_once(
            tf.gather(x, left), tf.gather(y, left), target, start_radius,
            tf.random.experimental.stateless_fold_in(seed, r))
        return (r + 1, tf.tensor_scatter_nd_update(x_adv, left[:, None], found),
                tf.tensor_scatter_nd_update(done, left[:, None], hit))

    # A graph loop rather than a Python one: the model is traced once, not
    # once per target and restart.
    _, x_adv, _ = tf.while_loop(
        lambda r, x_adv, done: tf.logical_and(
            r < num_target_classes * num_restarts,
            tf.reduce_any(tf.logical_not(done))),
        run, (tf.constant(0), x, done))
    return x_adv
