"""BenchmarkOptions: each setting declared once, checked, and spelled back
as the afd-benchmark flags."""

import pytest

from afd_keras.benchmarks import BenchmarkOptions
from afd_keras.training import settings


def test_unknown_items_of_a_list_setting_are_refused_by_name():
    with pytest.raises(ValueError, match=r"Unknown methods; expected some of "
                       r".*Received: methods=\('standard', 'fast'\)"):
        BenchmarkOptions(methods=("standard", "fast"))


def test_out_of_range_numbers_are_refused():
    with pytest.raises(ValueError, match="batch_size"):
        BenchmarkOptions(batch_size=0)


def test_the_command_line_spells_the_settings_and_not_the_state():
    options = BenchmarkOptions(architectures=("small_cnn", "resnet9"),
                               quick=True, model=object())
    arguments = settings.command_line(options)
    assert "--architectures=small_cnn,resnet9" in arguments
    assert "--quick" in arguments and "--epsilon=0.3" in arguments
    assert not any(a.startswith(("--model", "--step_costs", "--plot_path"))
                   for a in arguments)
