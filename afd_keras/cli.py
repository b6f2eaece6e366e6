"""What every absl tool shares: running `main` with one-line errors."""

import os
import sys

from absl import app
from absl import flags

# Errors a user can cause and fix: bad arguments, missing, unreadable or
# corrupt files (OSError covers FileNotFoundError and PermissionError), a
# diverged run.
_USER_ERRORS = (ValueError, OSError, FloatingPointError)


def run(main):
    """Runs an absl `main`; a user error exits 2 with one line, no traceback.

    Args:
        main: the tool's `main(argv)`.
    """

    def guarded_main(argv):
        try:
            return main(argv)
        except _USER_ERRORS as e:
            tool = os.path.basename(sys.argv[0])
            sys.stderr.write(f"{tool}: error: {e}\n")
            sys.exit(2)

    app.run(guarded_main)


def register_choices_validator(flag_holder, choices):
    """Requires every item of a list flag to be one of `choices`."""
    flags.register_validator(
        flag_holder.name, lambda values: set(values) <= set(choices),
        message=f"--{flag_holder.name} takes a comma-separated subset of: "
        f"{', '.join(choices)}.")
