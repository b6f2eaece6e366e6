"""Each training method's published defaults, as one table.

Step sizes are given as a multiple of epsilon; `AdversarialTrainer` turns
them into absolute values.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class MethodDefaults:
    """Defaults of one method; `None` fields do not apply to it."""

    init: str
    num_steps: int
    step_size_ratio: float
    mixing: str
    reference: str
    # The mixing for a ConditionalClassifier, whose dial reads the mixing
    # strength; None means the same as `mixing`.
    conditional_mixing: str | None = None
    full_strength_share: float = 0.0
    # The starting noise spans init_scale * eps; "ball" projects every
    # iterate onto the eps-ball and the [0, 1] box, "box" only into the box.
    init_scale: float = 1.0
    projection: str = "ball"
    # The entry of `objectives.OBJECTIVES`: what is attacked and
    # what is minimised.
    objective: str = "adversarial"


# In the order tables list them: clean, single-step, then multi-step.
METHODS = {
    "standard": MethodDefaults("zero", 0, 0.0, "none", "clean training",
                               objective="clean"),
    # Wong, Rice, Kolter, "Fast is better than free", ICLR 2020.
    "fgsm_rs": MethodDefaults("uniform", 1, 1.25, "none", "Wong et al. 2020"),
    # de Jorge et al., "Make Some Noise" (N-FGSM), NeurIPS 2022: noise
    # U(-2 eps, 2 eps), one signed step of eps, no projection onto the ball.
    "n_fgsm": MethodDefaults("uniform", 1, 1.0, "none", "de Jorge et al. 2022",
                             init_scale=2.0, projection="box"),
    # AFD: sign init, one signed step of 1.25 eps. With a conditional
    # classifier, clean/adversarial interpolation with half the examples at
    # full strength feeds the dial; without one, mixing only lowered robust
    # accuracy, so it is off (WORKSPACE_NOTES.md, "Why the AFD defaults").
    "afd": MethodDefaults("sign", 1, 1.25, "none", "Xue et al. 2024",
                          conditional_mixing="interpolate",
                          full_strength_share=0.5),
    # Madry et al., ICLR 2018: K = 10 steps of 2.5 * eps / K, random start.
    "pgd": MethodDefaults("uniform", 10, 0.25, "none", "Madry et al. 2018"),
    # Zhang et al., ICML 2019: K = 10 steps of about eps / 4, N(0, 0.001) start.
    "trades": MethodDefaults("normal", 10, 0.25, "none", "Zhang et al. 2019",
                             objective="trades"),
}
