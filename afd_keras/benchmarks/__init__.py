"""Benchmarks that print measured ratios (never asserted in tests)."""

from afd_keras.benchmarks.attack_throughput import format_attack_throughput
from afd_keras.benchmarks.attack_throughput import measure_attack_throughput
from afd_keras.benchmarks.step_cost import format_step_costs
from afd_keras.benchmarks.step_cost import measure_step_costs
from afd_keras.benchmarks.suite import BENCHMARKS
from afd_keras.benchmarks.suite import BenchmarkOptions
from afd_keras.benchmarks.suite import run_benchmarks
