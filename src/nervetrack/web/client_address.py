"""The client's address for the per-address login limit: the TCP peer, unless that peer is one of the
configured reverse proxies (settings.trusted_proxies), whose X-Forwarded-For is then believed.

With no proxies configured (the default) X-Forwarded-For is ignored, whoever sends it: otherwise anyone
could pick the address their failures are counted against. Behind proxies, the list is read from the right,
skipping trusted proxies; the first address that is not one of them is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def trusted_networks(setting: str) -> tuple[Network, ...]:
    """Parse the trusted_proxies setting (comma-separated addresses or networks); ValueError on a bad one."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request, trusted_proxies: str) -> str:
    """The address the request came from (see the module docstring)."""
    peer = request.client.host if request.client else "unknown"
    networks = trusted_networks(trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = [part.strip() for part in ",".join(request.headers.getlist("x-forwarded-for")).split(",")]
    for address in reversed([a for a in forwarded if a]):
        if not _trusted(address, networks):
            return address
    return peer
