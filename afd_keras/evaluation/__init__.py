"""Robustness evaluation: clean and robust accuracy under attack suites."""

from afd_keras.evaluation import tradeoff
from afd_keras.evaluation.report import write_reports
from afd_keras.evaluation.standard import EvaluationSettings
from afd_keras.evaluation.robustness import evaluate_robustness
from afd_keras.evaluation.robustness import RobustnessResult
from afd_keras.evaluation.suite import parse_attack
