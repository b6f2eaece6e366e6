"""The published model cards and weights (installed as `afd_keras_zoo`)."""
