"""The evaluation attacks' step loop: one graph, and no work on fooled examples.

An example's answer is the first iterate that fools the model, as in
AutoAttack; the step that took it already evaluated it, so no pass is spent
on the check. Fooled examples are dropped from the batch once they make up
a quarter of it, so later steps cost less, and the loop ends as soon as no
example is left. Dropping them at every step would change the batch shape
at every step, and oneDNN rebuilds its kernels for every new shape: that
made PGD twice as slow on a robust model, where a few examples fall per step.
"""

import functools
import weakref

import tensorflow as tf

# Drop the fooled examples once at most this share of the batch is left.
_COMPACT_BELOW = 0.75


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
    state = {**state, "_active": tf.ones(tf.shape(index), tf.bool)}

    def compact(index, state):
        keep = state["_active"]
        return (tf.boolean_mask(index, keep),
                {key: tf.boolean_mask(value, keep) for key, value in state.items()})

    def body(i, index, result, fooled, state):
        active = state["_active"]
        state, evaluated, logits = step(state, i)
        hits = tf.logical_and(active, success(logits, state["y"], targeted))
        where = tf.boolean_mask(index, hits)[:, None]
        result = tf.tensor_scatter_nd_update(
            result, where, tf.boolean_mask(evaluated, hits))
        fooled = tf.tensor_scatter_nd_update(
            fooled, where, tf.ones(tf.shape(where)[:1], tf.bool))
        state = {**state, "_active": tf.logical_and(active, tf.logical_not(hits))}
        left = tf.reduce_sum(tf.cast(state["_active"], tf.float32))
        index, state = tf.cond(
            left <= _COMPACT_BELOW * tf.cast(tf.size(index), tf.float32),
            lambda: compact(index, state), lambda: (index, state))
        return i + 1, index, result, fooled, state

    invariants = {key: tf.TensorShape([None]).concatenate(value.shape[1:])
                  for key, value in state.items()}
    _, index, result, fooled, state = tf.while_loop(
        lambda i, index, result, fooled, state: tf.logical_and(
            i < num_steps, tf.reduce_any(state["_active"])),
        body, (tf.constant(0), index, x, fooled, state),
        shape_invariants=(tf.TensorShape([]), tf.TensorShape([None]),
                          x.shape, fooled.shape, invariants))
    index, state = compact(index, state)
    result = tf.tensor_scatter_nd_update(result, index[:, None], state[answer])
    return result, fooled


def over_restarts(x, y, num_restarts, attack_once):
    """Restarts an attack on the examples that no earlier restart fooled.

    Args:
        x: clean images.
        y: int32 labels (or targets), or a nest of per-example tensors
            (e.g. labels and target classes), gathered with `x`.
        num_restarts: a Python int.
        attack_once: `attack_once(x, y, restart) -> (x_adv, fooled)` on a
            subset of the batch.

    Returns:
        (x_adv, fooled): the adversarial images of the whole batch, and a
        bool mask of the examples some restart fooled.
    """
    x_adv, fooled = x, tf.zeros(tf.shape(x)[:1], tf.bool)
    for restart in range(num_restarts):
        remaining = tf.where(tf.logical_not(fooled))[:, 0]
        found, hit = attack_once(
            tf.gather(x, remaining),
            tf.nest.map_structure(lambda t, r=remaining: tf.gather(t, r), y),
            restart)
        x_adv = tf.tensor_scatter_nd_update(x_adv, remaining[:, None], found)
        fooled = tf.tensor_scatter_nd_update(fooled, remaining[:, None], hit)
    return x_adv, fooled


def compiled_per_model(attack_graph):
    """Compiles `attack_graph(model, ...)` as one tf.function per model.

    One tf.function shared by every model traces again for each model, and
    after five traces in a row TF warns of excessive retracing, although
    each trace was needed. Per model, a graph is traced once per setting
    (and once more, shape-relaxed, when the batch size first changes).

    Example:

    >>> @compiled_per_model
    ... def _pgd_graph(model, x, y, epsilon, ...):
    """
    compiled = weakref.WeakKeyDictionary()

    @functools.wraps(attack_graph)
    def call(model, *args):
        if model not in compiled:
            # A weak reference, so that the cache never keeps a model alive;
            # and a partial, not a lambda: TF counts retracing per code
            # object, which every model's lambda would share.
            compiled[model] = tf.function(
                functools.partial(_call_model, weakref.ref(model),
                                  attack_graph), reduce_retracing=True)
        return compiled[model](*args)

    # As a tf.function's: the traces so far, over every model.
    call.experimental_get_tracing_count = lambda: sum(
        f.experimental_get_tracing_count() for f in compiled.values())
    return call


def _call_model(model_ref, attack_graph, *args):
    return attack_graph(model_ref(), *args)
