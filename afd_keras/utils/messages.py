"""Error messages that name what was received and suggest what was meant."""

import difflib


def unknown_name_message(kind, name, known, expected=None):
    """Formats an 'unknown name' error that suggests the closest known names.

    Args:
        kind: what was named, e.g. "dataset".
        name: the name received.
        known: the names to suggest from.
        expected: how to describe the accepted names; defaults to listing
            `known`.
    """
    close = difflib.get_close_matches(str(name), list(known), n=3)
    hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    expected = expected or f"one of: {', '.join(sorted(known))}"
    return (f"Unknown {kind} {name!r}.{hint} Expected {expected}. "
            f"Received: {kind}={name!r}")
