"""Robustness evaluation and the accuracy/robustness trade-off report.

Empty until the evaluation issue; the module exists now so the package
layout shows the architecture.
"""
