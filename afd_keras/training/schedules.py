"""Learning-rate schedules of the adversarial-training literature."""

import keras
from keras import ops

SCHEDULES = ("constant", "piecewise", "cyclic")


@keras.saving.register_keras_serializable(package="afd_keras")
class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
    """Rises linearly from 0 to the peak, then falls linearly back to 0.

    Reference:
        Smith and Topin, "Super-Convergence", 2017; the cyclic schedule of
        Wong et al., "Fast is better than free", ICLR 2020.

    Args:
        peak_learning_rate: the learning rate at the peak.
        total_steps: the length of the whole cycle, in steps.
        peak_fraction: where the peak falls, as a fraction of the steps.
    """

    def __init__(self, peak_learning_rate, total_steps, peak_fraction=0.4):
        if total_steps < 1 or not 0.0 < peak_fraction < 1.0:
            raise ValueError(
                "OneCycle needs total_steps >= 1 and 0 < peak_fraction < 1. "
                f"Received: total_steps={total_steps}, peak_fraction={peak_fraction}")
        self.peak_learning_rate = peak_learning_rate
        self.total_steps = total_steps
        self.peak_fraction = peak_fraction

    def __call__(self, step):
        step = ops.cast(step, "float32")
        peak_step = self.peak_fraction * self.total_steps
        rising = step / peak_step
        falling = (self.total_steps - step) / (self.total_steps - peak_step)
        return self.peak_learning_rate * ops.clip(
            ops.minimum(rising, falling), 0.0, 1.0)

    def get_config(self):
        return {"peak_learning_rate": self.peak_learning_rate,
                "total_steps": self.total_steps,
                "peak_fraction": self.peak_fraction}


def build_schedule(name, learning_rate, total_steps):
    """Returns a learning rate or schedule by name.

    Args:
        name: "constant"; "piecewise" (x0.1 at 50% and 75% of training, as
            in Madry et al. and Rice et al.); or "cyclic" (one cycle peaking
            at 40%, as in Wong et al. 2020).
        learning_rate: the base (or peak) learning rate.
        total_steps: the number of training steps.

    Returns:
        A float or a `LearningRateSchedule`.
    """
    if name not in SCHEDULES:
        raise ValueError(f"Unknown schedule; expected one of {SCHEDULES}. "
                         f"Received: schedule={name!r}")
    if name == "constant":
        return learning_rate
    if name == "cyclic":
        return OneCycle(learning_rate, total_steps)
    boundaries = [max(1, total_steps // 2), max(2, (3 * total_steps) // 4)]
    return keras.optimizers.schedules.PiecewiseConstantDecay(
        boundaries, [learning_rate, learning_rate * 0.1, learning_rate * 0.01])
