"""Network helpers shared by the stages that go online (ingest's fetches, the talk's
thumbnail, the gTTS voice, voice downloads).

``connect()`` and HTTP clients resolve a host name before any socket timeout applies, and a
resolver that never answers holds them for as long as the system's resolver retries (tens of
seconds). ``lookup`` and ``resolve`` ask on a thread the caller can walk away from.

One address policy for every request (``refusal``): link-local and cloud metadata addresses
(``169.254.0.0/16``, ``fe80::/10``, in any spelling: decimal, octal, IPv4-mapped or embedded
in IPv6) and addresses that are not a host (unspecified, multicast) are never
connected to; private and loopback addresses only where the caller allows them (a URL the
user gave, or one found in an article that itself came from such an address). The check is
made on the addresses a name resolves to, and the connection then goes to the address that
was checked, so a name cannot resolve differently between the check and the connection.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from urllib.parse import urlsplit

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean...
        "169.254.170.2",  # AWS ECS task metadata
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (classic)
        "fd00:ec2::254",  # AWS over IPv6
    )
)
"""Cloud metadata services outside 169.254.0.0/16: refused like link-local addresses."""
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def lookup(host: str, port: int, seconds: float) -> bool | None:
    """Whether ``host`` resolves: True, False (the lookup failed), or None when the resolver
    gave no answer within ``seconds``."""
    found = resolve(host, port, seconds)
    return None if found is None else bool(found)


def resolve(host: str, port: int | None, seconds: float) -> list[str] | None:
    """The addresses ``host`` resolves to (empty when the lookup failed), or None when the
    resolver gave no answer within ``seconds``."""
    result: list[list[str]] = []
    done = threading.Event()

    def look() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            result.append(list(dict.fromkeys(str(info[4][0]) for info in infos)))
        except (OSError, UnicodeError, ValueError):
            result.append([])
        finally:
            done.set()

    threading.Thread(target=look, name="articast-dns", daemon=True).start()
    if not done.wait(max(0.0, seconds)):
        return None
    return result[0]


def _embedded(ip: IP) -> IP:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), else ``ip``."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def refusal(address: str, *, allow_private: bool) -> str | None:
    """Why a connection to ``address`` (an IP address as text) is refused, or None."""
    try:
        ip: IP = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    for each in {ip, _embedded(ip)}:
        if each.is_link_local or each in METADATA:
            return f"{address} is a link-local or cloud metadata address"
        if each.is_unspecified or each.is_multicast:
            return f"{address} is not a host address"
        if not allow_private and not each.is_global:
            return f"{address} is a private or loopback address"
    return None


def is_private(address: str) -> bool:
    """True for a loopback, private or other non-global address (the network an article
    came from)."""
    try:
        ip = _embedded(ipaddress.ip_address(address.split("%", 1)[0]))
    except ValueError:
        return False
    return not ip.is_global


def check_url_host(url: str, seconds: float, *, allow_private: bool) -> str | None:
    """Why ``url``'s host must not be connected to (``refusal`` of any address it resolves
    to), or None: also None when the name does not resolve (the request then fails in its
    own words). For clients that resolve names themselves (yt-dlp, gTTS, urllib)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    addresses = resolve(host, port or 443, seconds) or []
    for address in addresses:
        why = refusal(address, allow_private=allow_private)
        if why is not None:
            return why
    return None
