"""The client's address behind a reverse proxy. ``--trusted-proxy CIDR`` names the
proxies; a request that comes from one of them is the client's at the address the proxy
reports, in ``Forwarded`` (RFC 7239, ``for=``) or else ``X-Forwarded-For``: walking the
hops from the nearest, the first that is not a trusted proxy is the client. From any
other address the headers are ignored (anyone can send them). A hop that is not an
address (``unknown``, an obfuscated name) stops the walk at the proxy that reported it.

Our own code rather than aiohttp-remotes: its middlewares either take the headers from
any peer (``XForwardedRelaxed``, ``XForwardedFiltered``) or refuse a request from an
untrusted peer (``XForwardedStrict``) where we must ignore its headers; they rewrite
``Host`` too, which the Origin check reads; and the access log and the connection counts
need the address outside a middleware.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def network(text: str) -> Network:
    """``10.0.0.0/8``, ``::1`` (one address), ...; ``ValueError`` saying what to give."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ValueError(
            f"--trusted-proxy {text!r} is not an address or a network; give it as"
            " 10.0.0.5 or 10.0.0.0/24 (IPv6 too)"
        ) from None


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _for_value(value: str) -> str:
    """A hop as an address: quotes, brackets and a port gone (``for="[2001:db8::1]:4711"``
    in ``Forwarded``, ``192.0.2.1:5000`` from some proxies in ``X-Forwarded-For``)."""
    value = value.strip().strip('"')
    if value.startswith("["):  # "[2001:db8::1]:4711"
        return value[1:].partition("]")[0]
    host, colon, port = value.rpartition(":")
    return host if colon and port.isdigit() and host.count(":") == 0 else value


def hops(headers: Mapping[str, str]) -> list[str]:
    """The addresses the proxies report, the client's first, the nearest hop last (every
    line of a header repeated, in order)."""
    items = list(headers.items())
    forwarded = [v for k, v in items if k.lower() == "forwarded"]
    if forwarded:
        found = []
        for element in ",".join(forwarded).split(","):
            for pair in element.split(";"):
                name, _, value = pair.partition("=")
                if name.strip().lower() == "for":
                    found.append(_for_value(value))
        return found
    listed = ",".join(v for k, v in items if k.lower() == "x-forwarded-for")
    return [_for_value(hop) for hop in listed.split(",") if hop.strip()]


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[Network, ...] = ()

    def trusts(self, peer: str) -> bool:
        return bool(self.networks) and _trusted(self.networks, peer)

    def client(self, peer: str, headers: Mapping[str, str]) -> str:
        """The client's address for a request from ``peer``, a trusted proxy."""
        client = peer
        for hop in reversed(hops(headers)):
            if _address(hop) is None:
                return client  # not an address: the proxy that reported it is all we know
            client = hop
            if not _trusted(self.networks, hop):
                return hop
        return client


@lru_cache(maxsize=4096)
def _trusted(networks: tuple[Network, ...], peer: str) -> bool:
    address = _address(peer)
    return address is not None and any(address in n for n in networks)
