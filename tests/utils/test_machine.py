"""Tests for afd_keras.machine: the machine line of results and cards."""

import pytest

from afd_keras.utils import machine


@pytest.mark.parametrize("flags, expected", [
    (["fpu", "avx2", "fma"], "AVX2, no AVX-512"),
    (["avx2", "avx512f"], "AVX2, AVX-512"),
    (["avx2", "avx512f", "avx512_bf16", "amx_bf16"],
     "AVX2, AVX-512, AVX-512 BF16, AMX-BF16"),
    (["fpu", "sse2"], ""),
])
def test_vector_extensions_names_what_decides_speed(flags, expected):
    assert machine.vector_extensions(flags) == expected


def test_description_names_cores_and_versions():
    line = machine.description()
    assert "cores" in line and "TF " in line and "Keras " in line
