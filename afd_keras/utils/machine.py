"""A one-line description of the machine, for results and model cards."""

import datetime
import os
import platform

import keras
import tensorflow as tf


# The CPU features that decide our speed: the widest float32 vectors, and
# whether bfloat16 has hardware support (without it mixed_bfloat16 is ~10x
# slower than float32 here, with it 1.6x faster).
_VECTOR_FLAGS = (("amx_bf16", "AMX-BF16"), ("avx512_bf16", "AVX-512 BF16"),
                 ("avx512f", "AVX-512"), ("avx2", "AVX2"))


def vector_extensions(cpu_flags):
    """Names the speed-relevant vector extensions among /proc/cpuinfo flags.

    Args:
        cpu_flags: the flags, as an iterable of strings.

    Returns:
        A string such as "AVX-512, AVX-512 BF16" or "AVX2, no AVX-512";
        "" when none of them is present.

    Example:

    >>> vector_extensions(["fpu", "avx2", "fma"])
    'AVX2, no AVX-512'
    """
    cpu_flags = set(cpu_flags)
    names = [name for flag, name in reversed(_VECTOR_FLAGS)
             if flag in cpu_flags]
    if names and "avx512f" not in cpu_flags:
        names.append("no AVX-512")
    return ", ".join(names)


def _cpu_info():
    """The first CPU's /proc/cpuinfo entries; empty where it is not readable."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            info = dict(line.split(":", 1) for line in f if ":" in line
                        and not line.startswith("processor"))
    except OSError:
        return {}
    return {key.strip(): value.strip() for key, value in info.items()}


def has_native_bfloat16():
    """Whether the CPU computes bfloat16 in hardware (AVX-512 BF16 or AMX).

    Without it, mixed_bfloat16 was about 10x slower than float32 here.

    Example:

    >>> machine.has_native_bfloat16()
    True
    """
    flags = set(_cpu_info().get("flags", "").split())
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def description():
    """One line naming the CPU and its extensions, cores, memory, versions, date.

    Returns:
        A string such as "AMD EPYC (AVX2, no AVX-512), 2 cores, 24 GiB;
        TF 2.21.0, Keras 3.15.1; 2026-12-03".

    Example:

    >>> print(afd_keras.machine.description())
    """
    info = _cpu_info()
    cpu = info.get("model name") or platform.processor() or platform.machine()
    extensions = vector_extensions(info.get("flags", "").split())
    if extensions:
        cpu += f" ({extensions})"
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2 ** 30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return (f"{cpu}, {os.cpu_count()} cores{memory}; TF {tf.__version__}, "
            f"Keras {keras.__version__}; "
            f"{datetime.date.today().isoformat()}")
