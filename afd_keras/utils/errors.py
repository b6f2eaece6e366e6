"""Exceptions for missing, corrupt or malformed files (data and zoo weights).

Each subclasses the built-in exception a caller would already catch, so
`except FileNotFoundError` or `except ValueError` keeps working.
"""


class DataNotFoundError(FileNotFoundError):
    """No source could provide the requested dataset split."""


class ChecksumError(ValueError):
    """A data file does not match its published sha256 (corrupt or truncated)."""


class DataFormatError(ValueError):
    """A data file parsed, but its arrays have the wrong shape, dtype or range."""
