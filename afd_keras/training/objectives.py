"""What a training step attacks and what it minimises, one entry per kind.

A training method names its objective (`methods.MethodDefaults.objective`);
`AdversarialTrainer.train_step` calls the entry's functions and knows no
method names.
"""

import dataclasses
import typing

import keras
import tensorflow as tf


def _cross_entropy_attack(trainer, x, y, y_other, lam, condition):
    """CE of the perturbed images, mixed like the labels under mixup."""
    del x

    def attack_loss(x_adv):
        logits = trainer.logits(x_adv, condition, training=True)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits)
        if lam is not None:
            loss = lam * loss + (1.0 - lam) * (
                tf.nn.sparse_softmax_cross_entropy_with_logits(y_other, logits))
        return tf.reduce_sum(loss)

    return attack_loss


def _kl_attack(trainer, x, y, y_other, lam, condition):
    """TRADES: KL(clean || perturbed) predictions."""
    del y, y_other, lam
    clean_probs = tf.stop_gradient(
        tf.nn.softmax(trainer.logits(x, 0.0, training=True)))

    def attack_loss(x_adv):
        return tf.reduce_sum(keras.losses.kl_divergence(
            clean_probs, tf.nn.softmax(trainer.logits(x_adv, condition, True))))

    return attack_loss


def _cross_entropy_loss(trainer, x, y, batch, y_pred, sample_weight):
    """CE on the training inputs; mixup adds the second label's term."""
    del x
    weight_a, weight_b = _mix_weights(sample_weight, batch.lam)
    loss = trainer.compute_loss(x=batch.inputs, y=y, y_pred=y_pred,
                                sample_weight=weight_a)
    if batch.lam is not None:
        loss += trainer.label_loss(batch.other_labels, y_pred,
                                    sample_weight=weight_b)
    return loss


def _trades_loss(trainer, x, y, batch, y_pred, sample_weight):
    """CE(clean) + beta KL(clean || adversarial) (Zhang et al. 2019)."""
    clean_logits = trainer.logits(x, 0.0, training=True)
    return trainer.compute_loss(
        x=x, y=y, y_pred=clean_logits, sample_weight=sample_weight
    ) + trainer.trades_beta * trainer.kl_divergence(
        tf.nn.softmax(clean_logits), tf.nn.softmax(y_pred),
        sample_weight=sample_weight)


def _loss_weighted_loss(trainer, x, y, batch, y_pred, sample_weight):
    """(1 - lam) CE(x) + lam CE(x_adv), both at condition lam (OAT)."""
    lam = batch.condition
    clean_logits = trainer.logits(x, lam, training=True)
    weight_adv, weight_clean = _mix_weights(sample_weight, lam)
    return (trainer.compute_loss(x=x, y=y, y_pred=clean_logits,
                                 sample_weight=weight_clean) +
            trainer.compute_loss(x=batch.inputs, y=y, y_pred=y_pred,
                                 sample_weight=weight_adv))


@dataclasses.dataclass(frozen=True)
class Objective:
    """What a training step maximises and minimises.

    Attributes:
        attack_loss: builds the loss the attack ascends; None trains on clean
            inputs only.
        training_loss: the loss the classifier descends.
        weights_by_condition: each example draws lam (1 for a
            `full_strength_share` of the examples, else U(0, 1)), which
            weights its clean and adversarial terms and is its condition.
        mixes: whether the `mixing` modes apply.
    """

    attack_loss: typing.Callable | None
    training_loss: typing.Callable
    weights_by_condition: bool = False
    mixes: bool = True


OBJECTIVES = {
    "clean": Objective(None, _cross_entropy_loss, mixes=False),
    "adversarial": Objective(_cross_entropy_attack, _cross_entropy_loss),
    "trades": Objective(_kl_attack, _trades_loss, mixes=False),
    # Once-for-All Adversarial Training (Wang et al., NeurIPS 2020): the
    # dial reads the loss weight, so c = 0 is the standard end.
    "loss_weighted": Objective(_cross_entropy_attack, _loss_weighted_loss,
                               weights_by_condition=True, mixes=False),
}


def _mix_weights(sample_weight, lam):
    if lam is None:
        return sample_weight, None
    if sample_weight is None:
        return lam, 1.0 - lam
    sample_weight = tf.cast(tf.reshape(sample_weight, [-1]), lam.dtype)
    return sample_weight * lam, sample_weight * (1.0 - lam)
