"""The Square attack (Andriushchenko et al. 2020): a compiled L-inf search.

Square needs no gradients: it searches with random square-shaped updates.
If a model's white-box robustness comes from masked gradients, Square finds
the examples that the gradient attacks missed.

It is AutoAttack's most expensive attack (5,000 queries per surviving
example), so the L-inf search runs as one graph that makes exactly one
forward pass per query on the examples not yet fooled. ART's numpy search
makes about three (`art_attacks.square`), and it stays the cross-check and
the L2 search.
"""

import tensorflow as tf

from afd_keras.attacks import art_attacks
from afd_keras.attacks import loop
from afd_keras.attacks import losses
from afd_keras.attacks import validation

# The search's schedule (AutoAttack's `p_selection`): the fraction of
# pixels a square covers halves after each of these points, counted in
# ten-thousandths of the queries.
_HALVING_POINTS = (10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000)


def square(model, x, y=None, *, epsilon, norm="linf", max_queries=1000,
           num_restarts=1, p_init=0.8, seed=0):
    """Runs the Square attack on one batch.

    L-inf: it starts from vertical stripes of +-epsilon (one sign per column
    and channel) where they lower the margin, else from the clean image.
    Then at each query it sets one square window of each example
    to a corner of the ball (one random sign per channel) and keeps the
    change where it lowered the margin between the true logit and the
    highest other one. The window's side starts at sqrt(p_init) of the
    image's and shrinks on AutoAttack's schedule; its position is drawn per
    example, as in the authors' reference search. An example keeps the first
    query that fools the model. L2 runs ART's search (`art_attacks.square`).

    Reference:
        Andriushchenko et al., "Square Attack: a query-efficient black-box
        adversarial attack via random search", ECCV 2020.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: a batch of NHWC images in [0, 1].
        y: int labels; None uses the model's predictions.
        epsilon: the radius of the ball.
        norm: "linf" or "l2".
        max_queries: queries (forward passes) per example after the start.
        num_restarts: restarts on the examples no earlier one fooled.
        p_init: the initial fraction of pixels a square covers, in (0, 1].
        seed: seeds the search.

    Returns:
        Adversarial images, float32, in the ball and in [0, 1].

    Raises:
        ValueError: a bad setting, images outside [0, 1], or labels that do
            not match the batch.

    Example:

    >>> x_adv = square(model, images, labels, epsilon=0.3, max_queries=1000)
    """
    x, y = validation.check_attack_inputs(model, x, y, epsilon, norm,
                                          max_queries, num_restarts=num_restarts)
    if not 0.0 < p_init <= 1.0:
        raise ValueError(f"p_init must be in (0, 1]. Received: p_init={p_init!r}")
    if norm == "l2":
        return art_attacks.square(model, x, y, epsilon=epsilon, norm=norm,
                                  max_queries=max_queries,
                                  num_restarts=num_restarts, p_init=p_init,
                                  seed=seed)
    if epsilon == 0:
        return x
    return _square_graph(model, x, y, tf.constant(epsilon, tf.float32),
                         tf.constant(max_queries), num_restarts,
                         tf.constant([seed, 0]), tf.constant(p_init, tf.float32))[0]


def _window_side(query, max_queries, p_init, height, width):
    """The side of the square window at `query` (AutoAttack's schedule)."""
    progress = query * 10000 // max_queries
    halvings = tf.reduce_sum(tf.cast(progress > tf.constant(_HALVING_POINTS),
                                     tf.float32))
    share = p_init / 2.0 ** halvings
    side = tf.cast(tf.round(tf.sqrt(share * float(height * width))), tf.int32)
    return tf.clip_by_value(side, 1, min(height, width))


def _windows(seed, batch, side, height, width):
    """A (batch, height, width, 1) mask of one side x side window each."""
    corner_seeds = tf.random.experimental.stateless_split(seed, 2)
    top = tf.random.stateless_uniform([batch], corner_seeds[0], 0,
                                      height - side + 1, tf.int32)
    left = tf.random.stateless_uniform([batch], corner_seeds[1], 0,
                                       width - side + 1, tf.int32)

    def inside(start, size):
        positions = tf.range(size)[None, :]
        return tf.logical_and(positions >= start[:, None],
                              positions < start[:, None] + side)
    return tf.logical_and(inside(top, height)[:, :, None, None],
                          inside(left, width)[:, None, :, None])


def _signs(seed, shape):
    """+-1 drawn uniformly, float32."""
    return 2.0 * tf.cast(tf.random.stateless_uniform(shape, seed) < 0.5,
                         tf.float32) - 1.0


@loop.compiled_per_model
def _square_graph(model, x, y, epsilon, max_queries, num_restarts, seed, p_init):
    """The L-inf search on one batch; returns (x_adv, fooled)."""
    _, height, width, channels = x.shape

    def step_of(restart_seed):
        """One query of the search seeded by `restart_seed`."""
        def step(s, i):
            batch = tf.shape(s["x"])[0]
            query_seed = tf.random.experimental.stateless_fold_in(
                restart_seed, i + 1)
            window_seed, sign_seed = tf.unstack(
                tf.random.experimental.stateless_split(query_seed, 2))
            side = _window_side(i, max_queries, p_init, height, width)
            corner = tf.clip_by_value(
                s["x"] + epsilon * _signs(sign_seed, [batch, 1, 1, channels]),
                0.0, 1.0)
            x_new = tf.where(_windows(window_seed, batch, side, height, width),
                             corner, s["x_best"])
            logits = model(x_new, training=False)
            new_margin = losses.margin(s["y"], logits)
            improved = (new_margin < s["margin"])[:, None, None, None]
            return ({**s, "x_best": tf.where(improved, x_new, s["x_best"]),
                     "margin": tf.minimum(new_margin, s["margin"])},
                    x_new, logits)
        return step

    def attack_once(x, y, restart):
        restart_seed = tf.random.experimental.stateless_fold_in(seed, restart)
        batch = tf.shape(x)[0]
        stripes = _signs(restart_seed, [batch, 1, width, channels])
        striped = tf.clip_by_value(x + epsilon * stripes, 0.0, 1.0)
        # The stripes stay only where they lowered the margin (as ART's
        # search starts): on the others they would be a worse start.
        clean_logits = model(x, training=False)
        striped_logits = model(striped, training=False)
        better = (losses.margin(y, striped_logits)
                  < losses.margin(y, clean_logits))
        start = tf.where(better[:, None, None, None], striped, x)
        logits = tf.where(better[:, None], striped_logits, clean_logits)
        fooled = loop.success(logits, y, targeted=False)
        left = tf.where(tf.logical_not(fooled))[:, 0]
        state = {"x": x, "y": y, "x_best": start,
                 "margin": losses.margin(y, logits)}
        state = {key: tf.gather(value, left) for key, value in state.items()}
        found, hit = loop.run_until_fooled(
            step_of(restart_seed), state, max_queries, targeted=False,
            answer="x_best")
        return (tf.tensor_scatter_nd_update(start, left[:, None], found),
                tf.tensor_scatter_nd_update(fooled, left[:, None], hit))

    return loop.over_restarts(x, y, num_restarts, attack_once)
