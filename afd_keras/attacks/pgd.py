"""Projected gradient descent (Madry et al. 2018), L-inf and L2."""

import tensorflow as tf

from afd_keras.attacks import norms
from afd_keras.attacks import validation


def pgd(model, x, y=None, *, epsilon, num_steps=10, step_size=None,
        norm="linf", random_start=True, num_restarts=1, targeted=False, seed=0):
    """Runs PGD on one batch, as one compiled graph call.

    Each restart starts from a random point of the ball (or from x) and takes
    `num_steps` steepest-ascent steps on the cross-entropy. Across restarts,
    an example keeps the first adversarial example that fools the model.

    Reference:
        Madry et al., "Towards Deep Learning Models Resistant to Adversarial
        Attacks", ICLR 2018.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: a batch of NHWC images in [0, 1].
        y: int labels of shape (batch,); None uses the model's predictions.
            With `targeted=True`, the target classes.
        epsilon: the radius of the threat model's ball.
        num_steps: steps per restart.
        step_size: the step length; defaults to 2.5 * epsilon / num_steps.
        norm: "linf" or "l2".
        random_start: start each restart at a uniform point of the ball.
        num_restarts: the number of restarts.
        targeted: move towards `y` instead of away from it.
        seed: seeds the random starts.

    Returns:
        Adversarial images, float32, with ||x_adv - x|| <= epsilon in `norm`
        and values in [0, 1].

    Raises:
        ValueError: a bad setting, images outside [0, 1], or labels that do
            not match the batch.

    Example:

    >>> x_adv = pgd(model, images, labels, epsilon=0.3, num_steps=40,
    ...             step_size=0.01)
    """
    x = validation.check_images(x)
    if step_size is None:
        step_size = 2.5 * epsilon / max(num_steps, 1)
    validation.check_settings(epsilon, norm, num_steps, step_size, num_restarts)
    y = validation.labels_or_predictions(model, x, y)
    return _pgd_graph(model, x, y, tf.constant(epsilon, tf.float32),
                      tf.constant(step_size, tf.float32),
                      tf.constant(num_steps), tf.constant(num_restarts),
                      tf.constant([seed, 0]), norm, random_start, targeted)


@tf.function(reduce_retracing=True)
def _pgd_graph(model, x, y, epsilon, step_size, num_steps, num_restarts, seed,
               norm, random_start, targeted):
    sign = -1.0 if targeted else 1.0

    def loss_fn(x_adv):
        logits = model(x_adv, training=False)
        return sign * tf.reduce_sum(
            tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))

    best = x
    done = tf.zeros(tf.shape(y), tf.bool)
    for restart in tf.range(num_restarts):
        if random_start:
            delta = norms.random_start(
                x, epsilon, norm, tf.random.experimental.stateless_fold_in(
                    seed, restart))
        else:
            delta = tf.zeros_like(x)
        delta = norms.gradient_steps(x, delta, loss_fn, epsilon, step_size,
                                     num_steps, norm)
        x_adv = x + delta
        predictions = tf.argmax(model(x_adv, training=False), axis=-1,
                                output_type=tf.int32)
        success = tf.equal(predictions, y) if targeted else tf.not_equal(
            predictions, y)
        best = tf.where(done[:, None, None, None], best, x_adv)
        done = done | success
    return best
