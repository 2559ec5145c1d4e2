"""Run the articast CLI with every socket connection watched (Python's audit hooks).

``python tests/guarded_cli.py ARGS...`` is ``articast ARGS...``, except that a connection to a
link-local address (169.254.0.0/16, fe80::/10, also IPv4-mapped) is stopped before it is made
and written, with every other address connected to, to the file ``$ARTICAST_TEST_CONNECTS``
names (one address per line; ``BLOCKED`` before a stopped one). Tests read the file to assert
that no command ever tried.
"""

from __future__ import annotations

import ipaddress
import os
import sys


def _link_local(host: str) -> bool:
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_link_local


def _hook(event: str, args: tuple[object, ...]) -> None:
    if event != "socket.connect":
        return
    address = args[1]
    host = str(address[0]) if isinstance(address, tuple) and address else str(address)
    bad = _link_local(host)
    log = os.environ.get("ARTICAST_TEST_CONNECTS")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(("BLOCKED " if bad else "") + host + "\n")
    if bad:
        raise ConnectionRefusedError(f"test guard: connection to link-local {host} stopped")


sys.addaudithook(_hook)

from articast.cli import main  # noqa: E402

sys.argv[0] = "articast"
main()
