"""Network helpers shared by the stages that go online (ingest's fetches, the gTTS voice).

``connect()`` and HTTP clients resolve a host name before any socket timeout applies, and a
resolver that never answers holds them for as long as the system's resolver retries (tens of
seconds). ``lookup`` asks on a thread the caller can walk away from.
"""

from __future__ import annotations

import socket
import threading


def lookup(host: str, port: int, seconds: float) -> bool | None:
    """Whether ``host`` resolves: True, False (the lookup failed), or None when the resolver
    gave no answer within ``seconds``."""
    result: list[bool] = []
    done = threading.Event()

    def look() -> None:
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            result.append(True)
        except (OSError, UnicodeError):
            result.append(False)
        finally:
            done.set()

    threading.Thread(target=look, name="articast-dns", daemon=True).start()
    if not done.wait(max(0.0, seconds)):
        return None
    return result[0]
