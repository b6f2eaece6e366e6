"""ART attacks behind our attack signature: Square, for L2 and as the
reference that our compiled L-inf Square (`square.py`) is checked against.

ART is imported when an attack runs, not with the package.
"""

import numpy as np

from afd_keras.attacks import norms
from afd_keras.attacks import validation

_NORM_ORDERS = {"linf": np.inf, "l2": 2}


def square(model, x, y=None, *, epsilon, norm="linf", max_queries=1000,
           num_restarts=1, p_init=0.8, seed=0):
    """Runs ART's `SquareAttack` on one batch.

    ART's search predicts the whole batch, then the current and the new
    images of the examples left, at every query: about three forward passes
    per query where the search needs one (`square.square` makes one).

    Reference:
        Andriushchenko et al., "Square Attack: a query-efficient black-box
        adversarial attack via random search", ECCV 2020.

    Args:
        model: a Keras model mapping [0, 1] images to logits.
        x: a batch of NHWC images in [0, 1].
        y: int labels; None uses the model's predictions.
        epsilon: the radius of the ball.
        norm: "linf" or "l2".
        max_queries: iterations of the random search (one query each).
        num_restarts: the number of restarts.
        p_init: the initial fraction of pixels a square covers.
        seed: seeds the search (numpy's global generator, restored after).

    Returns:
        Adversarial images in the ball and in [0, 1].

    Raises:
        ImportError: adversarial-robustness-toolbox is not installed.

    Example:

    >>> x_adv = art_attacks.square(model, images, labels, epsilon=0.3)
    """
    x, y = validation.check_attack_inputs(model, x, y, epsilon, norm, max_queries,
                                          num_restarts=num_restarts)
    if epsilon == 0:  # ART refuses a zero budget; nothing can move.
        return x
    try:
        # pylint: disable=import-outside-toplevel
        from art.attacks.evasion import SquareAttack
        from art.estimators.classification import TensorFlowV2Classifier
    except ImportError as error:
        raise ImportError("The Square attack needs adversarial-robustness-"
                          "toolbox: pip install 'afd_keras[eval]'") from error
    import keras  # pylint: disable=import-outside-toplevel
    # Subclassed models (e.g. ConditionalClassifier) have no output_shape.
    num_classes = int(model(x[:1], training=False).shape[-1])
    classifier = TensorFlowV2Classifier(
        model, nb_classes=num_classes,
        input_shape=tuple(x.shape[1:]), clip_values=(0.0, 1.0),
        loss_object=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    attack = SquareAttack(classifier, norm=_NORM_ORDERS[norm],
                          max_iter=max_queries, eps=epsilon, p_init=p_init,
                          nb_restarts=num_restarts, batch_size=len(x),
                          verbose=False)
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            x_adv = attack.generate(x.numpy(), y=y.numpy())
    finally:
        np.random.set_state(state)
    # ART 1.20's L2 Square divides by zero on flat (e.g. black) patches and
    # returns NaN images: those examples count as not attacked.
    finite = np.isfinite(x_adv).reshape(len(x_adv), -1).all(axis=1)
    x_adv = np.where(finite[:, None, None, None], x_adv, x.numpy())
    # ART's float arithmetic can overshoot the ball by an ulp.
    return x + norms.project(x, x_adv.astype(np.float32) - x, epsilon, norm)
