"""The evaluation attacks' step loop: one graph, and no work on fooled examples.

An example stops being attacked at the first iterate that fools the model,
as in AutoAttack. Its answer is that iterate. The loop gathers the examples
that are still robust after every step, so later steps cost less, and it
ends as soon as none is left. The iterate that fooled the model was already
evaluated by the step that took it, so no pass is spent on the check.
"""

import tensorflow as tf


def success(logits, labels, targeted):
    """True where the logits show a successful attack."""
    predictions = tf.argmax(logits, axis=-1, output_type=tf.int32)
    return tf.equal(predictions, labels) if targeted else tf.not_equal(
        predictions, labels)


def run_until_fooled(step, state, num_steps, targeted, answer):
    """Runs `step` up to `num_steps` times on the examples not yet fooled.

    Args:
        step: `step(state, i) -> (state, evaluated, logits)`: one attack step
            at step index `i`. `logits` are the model's logits at the images
            `evaluated`, which the step computed anyway.
        state: a dict of per-example tensors (leading batch dimension). It
            must hold "x" (the clean images) and "y" (int32 labels, or the
            targets when `targeted`).
        num_steps: the maximum number of steps (a scalar tensor or int).
        targeted: success means predicting `y` instead of not predicting it.
        answer: the key in `state` of the images to return for the examples
            that are never fooled.

    Returns:
        (x_adv, fooled): the adversarial images of the whole batch, and a
        bool mask of the examples fooled during the loop.
    """
    x = state["x"]
    index = tf.range(tf.shape(x)[0])
    fooled = tf.zeros(tf.shape(index), tf.bool)

    def body(i, index, result, fooled, state):
        state, evaluated, logits = step(state, i)
        fooled_now = success(logits, state["y"], targeted)
        hit = tf.boolean_mask(index, fooled_now)[:, None]
        result = tf.tensor_scatter_nd_update(
            result, hit, tf.boolean_mask(evaluated, fooled_now))
        fooled = tf.tensor_scatter_nd_update(
            fooled, hit, tf.ones(tf.shape(hit)[:1], tf.bool))
        keep = tf.logical_not(fooled_now)
        state = {key: tf.boolean_mask(value, keep)
                 for key, value in state.items()}
        return i + 1, tf.boolean_mask(index, keep), result, fooled, state

    invariants = {key: tf.TensorShape([None]).concatenate(value.shape[1:])
                  for key, value in state.items()}
    _, index, result, fooled, state = tf.while_loop(
        lambda i, index, *_: tf.logical_and(i < num_steps, tf.size(index) > 0),
        body, (tf.constant(0), index, x, fooled, state),
        shape_invariants=(tf.TensorShape([]), tf.TensorShape([None]),
                          x.shape, fooled.shape, invariants))
    result = tf.tensor_scatter_nd_update(result, index[:, None], state[answer])
    return result, fooled


def over_restarts(x, y, num_restarts, attack_once):
    """Restarts an attack on the examples that no earlier restart fooled.

    Args:
        x: clean images.
        y: int32 labels (or targets).
        num_restarts: a Python int.
        attack_once: `attack_once(x, y, restart) -> (x_adv, fooled)` on a
            subset of the batch.

    Returns:
        The adversarial images of the whole batch.
    """
    x_adv, fooled = x, tf.zeros(tf.shape(y), tf.bool)
    for restart in range(num_restarts):
        remaining = tf.where(tf.logical_not(fooled))[:, 0]
        found, hit = attack_once(tf.gather(x, remaining),
                                 tf.gather(y, remaining), restart)
        x_adv = tf.tensor_scatter_nd_update(x_adv, remaining[:, None], found)
        fooled = tf.tensor_scatter_nd_update(fooled, remaining[:, None], hit)
    return x_adv
