"""Command-line tools; installed as the `afd_keras_tools` package."""
