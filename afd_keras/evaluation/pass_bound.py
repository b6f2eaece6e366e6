"""How close an attack's wall time comes to the model passes it makes.

An attack's cost is its forward and backward passes through the model; the
rest (projections, bookkeeping, host syncs, retracing) is overhead. Its
pass bound is the time those passes alone take, timed at the same batch
size: passes_forward_only * t_forward + passes_with_gradient *
t_forward_backward (per image). The ratio bound / wall time is 1 for an
attack with no overhead.
"""

import time
import weakref

import tensorflow as tf

# Timed rounds per pass kind; the fastest counts (run-to-run noise on this
# kind of machine exceeds most effects, WORKSPACE_NOTES "Performance").
_ROUNDS = 3


class PassCounter:
    """A model wrapper that counts the images passed forward and backward.

    Attacks call it like the model. The counts are variables updated inside
    the attacks' compiled graphs: a forward pass adds its batch size to
    `forward`, and a gradient that reaches the input adds its batch size to
    `backward` (every backward pass follows a forward one).

    Example:

    >>> counted = PassCounter(model)
    >>> x_adv = afd_keras.attacks.pgd(counted, x, y, epsilon=0.3)
    >>> counted.counts()  # {"forward": ..., "backward": ...}
    """

    def __init__(self, model):
        # A weak reference, so that `counter_for`'s cache never keeps a
        # model alive.
        self._model = weakref.ref(model)
        self.forward = tf.Variable(0, dtype=tf.int64, trainable=False)
        self.backward = tf.Variable(0, dtype=tf.int64, trainable=False)

    @property
    def model(self):
        """The counted model."""
        return self._model()

    def __call__(self, x, training=False):
        return self.model(self._tap(x), training=training)

    def _tap(self, x):
        return _counting_identity(self.forward, self.backward, x)

    def counts(self):
        """Returns the images counted so far, {"forward", "backward"}."""
        return {"forward": int(self.forward.numpy()),
                "backward": int(self.backward.numpy())}


def _counting_identity(forward, backward, x):
    """x, adding its batch size to `forward` and, when a gradient comes
    back through it, to `backward`."""
    # A function of the variables, not a method: TF keeps a custom
    # gradient's closure alive, and one over the counter would keep the
    # counter and its cached attack graphs alive with it.
    @tf.custom_gradient
    def tap(inputs):
        forward.assign_add(tf.cast(tf.shape(inputs)[0], tf.int64))

        def gradient(upstream):
            backward.assign_add(tf.cast(tf.shape(upstream)[0], tf.int64))
            return upstream
        return tf.identity(inputs), gradient
    return tap(x)


_COUNTERS = weakref.WeakKeyDictionary()


def counter_for(model):
    """The one `PassCounter` of `model`, created on first use.

    The attacks' compiled graphs take the model as an argument, so a new
    counter object per evaluation would trace them again each time (TF's
    retracing warnings); one counter per model traces each attack once per
    setting. Read counts as differences around the calls to count.

    Example:

    >>> counter = counter_for(model)
    >>> before = counter.counts()
    """
    if model not in _COUNTERS:
        _COUNTERS[model] = PassCounter(model)
    return _COUNTERS[model]


def pass_seconds(model, x):
    """Times one forward pass and one forward-backward pass, per image.

    Both run compiled, on the batch `x`, as the attacks call the model
    (inference mode, gradient with respect to the input).

    Returns:
        {"forward": seconds per image, "forward_backward": seconds per
        image}.

    Example:

    >>> pass_seconds(model, images[:500])
    """
    x = tf.convert_to_tensor(x, tf.float32)

    @tf.function
    def forward(inputs):
        return tf.reduce_sum(model(inputs, training=False))

    @tf.function
    def forward_backward(inputs):
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            loss = tf.reduce_sum(model(inputs, training=False))
        return tape.gradient(loss, inputs)

    seconds = {}
    for name, fn in (("forward", forward),
                     ("forward_backward", forward_backward)):
        fn(x).numpy()  # tracing
        rounds = []
        for _ in range(_ROUNDS):
            start = time.perf_counter()
            fn(x).numpy()
            rounds.append(time.perf_counter() - start)
        seconds[name] = min(rounds) / len(x)
    return seconds


def attack_cost(seconds, counts, per_image):
    """An attack's passes, its pass bound and the ratio to its wall time.

    Args:
        seconds: the attack's wall time.
        counts: its `PassCounter.counts()`.
        per_image: `pass_seconds` of the model.

    Returns:
        A dict of seconds, forward_passes, backward_passes, bound_seconds
        and bound_ratio (bound / seconds).

    Example:

    >>> attack_cost(12.0, {"forward": 900, "backward": 800}, per_image)
    """
    forward_only = counts["forward"] - counts["backward"]
    bound = (forward_only * per_image["forward"] +
             counts["backward"] * per_image["forward_backward"])
    return {"seconds": seconds, "forward_passes": counts["forward"],
            "backward_passes": counts["backward"], "bound_seconds": bound,
            "bound_ratio": bound / seconds if seconds > 0 else float("nan")}
