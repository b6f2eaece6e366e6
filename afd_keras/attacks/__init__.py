"""Adversarial attacks on [0, 1] image models (FGSM, PGD, APGD).

Empty until the evaluation issue; the module exists now so the package
layout shows the architecture.
"""
