"""A fast check for network access, so that offline machines fail in seconds.

TFDS retries a failed download for minutes; asking one question first, with
a short deadline, turns that into an immediate, explained error.
"""

import functools
import os
import socket
import threading

# The host TFDS downloads from and stores prepared datasets on.
_PROBE_HOST = ("storage.googleapis.com", 443)
_TIMEOUT_SECONDS = 3.0


def is_online():
    """Returns True when the TFDS download host can be reached.

    Set `AFD_OFFLINE=1` to skip the probe and always answer False. The probe
    itself runs once per process.
    """
    if os.environ.get("AFD_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    return _probe()


@functools.lru_cache(maxsize=1)
def _probe():
    result = []

    def connect():
        try:
            socket.create_connection(_PROBE_HOST, timeout=_TIMEOUT_SECONDS).close()
            result.append(True)
        except OSError:
            result.append(False)

    # A thread bounds the DNS lookup too, which has no timeout of its own.
    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(_TIMEOUT_SECONDS + 0.5)
    return bool(result and result[0])
