"""Adversarial training in `model.fit` (AFD and its baselines).

Empty until the AFD training issue; the module exists now so the package
layout shows the architecture.
"""
