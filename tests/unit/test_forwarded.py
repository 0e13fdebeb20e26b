"""Which address is the client's behind trusted proxies (``live/access/forwarded.py``)."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict

from podium.live.access.forwarded import TrustedProxies, hops, network

PROXIES = TrustedProxies((network("10.0.0.0/8"), network("::1")))


def headers(*pairs: tuple[str, str]) -> CIMultiDict[str]:
    return CIMultiDict(pairs)


@pytest.mark.parametrize(
    ("given", "client"),
    [
        ((("X-Forwarded-For", "203.0.113.7"),), "203.0.113.7"),
        # the client wrote a hop of its own: the nearest untrusted hop is the client
        ((("X-Forwarded-For", "6.6.6.6, 203.0.113.7, 10.0.0.3"),), "203.0.113.7"),
        ((("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "203.0.113.7")), "203.0.113.7"),
        ((("Forwarded", 'for="[2001:db8::1]:4711";proto=https'),), "2001:db8::1"),
        ((("Forwarded", "for=198.51.100.2:5000, for=10.0.0.3"),), "198.51.100.2"),
        # Forwarded wins over X-Forwarded-For
        ((("Forwarded", "for=198.51.100.2"), ("X-Forwarded-For", "203.0.113.7")), "198.51.100.2"),
        ((("X-Forwarded-For", "10.0.0.9, 10.0.0.3"),), "10.0.0.9"),  # all proxies: the first
        ((("X-Forwarded-For", "192.0.2.1:5000, 2001:db8::2"),), "2001:db8::2"),
        ((("X-Forwarded-For", "192.0.2.1:5000, 10.0.0.3"),), "192.0.2.1"),  # a port: gone
        ((("Forwarded", "for=unknown"),), "10.0.0.1"),  # not an address: the proxy's
        ((("X-Forwarded-For", "not-an-address, 10.0.0.3"),), "10.0.0.3"),
        ((), "10.0.0.1"),  # no header: the proxy itself (its health check)
    ],
)
def test_the_client_is_the_nearest_hop_that_is_not_a_trusted_proxy(given, client) -> None:
    assert PROXIES.client("10.0.0.1", headers(*given)) == client


def test_only_the_named_proxies_are_trusted() -> None:
    assert PROXIES.trusts("10.1.2.3") and PROXIES.trusts("::1")
    assert not PROXIES.trusts("203.0.113.7") and not PROXIES.trusts("not-an-address")
    assert not TrustedProxies().trusts("127.0.0.1")


def test_hops_read_every_header_line_in_order() -> None:
    given = headers(("X-Forwarded-For", "1.1.1.1, 2.2.2.2"), ("X-Forwarded-For", "3.3.3.3"))
    assert hops(given) == ["1.1.1.1", "2.2.2.2", "3.3.3.3"]


def test_a_bad_network_says_how_to_write_one() -> None:
    with pytest.raises(ValueError, match=r"give it as 10\.0\.0\.5 or 10\.0\.0\.0/24"):
        network("10.0.0.0/33")
