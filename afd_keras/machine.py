"""A one-line description of the machine, for results and model cards."""

import datetime
import os
import platform

import keras
import tensorflow as tf


def description():
    """One line naming the CPU, cores, memory, library versions and date.

    Returns:
        A string such as "AMD EPYC, 2 cores, 24 GiB; TF 2.21.0, Keras
        3.15.1; 2026-11-25".

    Example:

    >>> print(afd_keras.machine.description())
    """
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2 ** 30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return (f"{cpu}, {os.cpu_count()} cores{memory}; TF {tf.__version__}, "
            f"Keras {keras.__version__}; "
            f"{datetime.date.today().isoformat()}")
