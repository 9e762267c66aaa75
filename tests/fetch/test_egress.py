"""The SSRF policy as pure functions of real addresses: which range an address is in, which redirects a
page may make, and which addresses are the daemon's own."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from monitor.egress import Kind, Peer, address_kind, is_listen_address, refusal


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("140.82.112.3", "public"),
        ("2606:4700::6810:84e5", "public"),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "loopback"),  # connecting to it reaches this host
        ("::", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped, as dual-stack sockets report peers
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("100.64.0.1", "private"),  # carrier-grade NAT: not global
        ("::ffff:10.0.0.1", "private"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("::ffff:169.254.169.254", "metadata"),
        ("224.0.0.1", "reserved"),
        ("240.0.0.1", "reserved"),
    ],
)
def test_address_kind(address: str, kind: Kind) -> None:
    assert address_kind(ip_address(address)) == kind


def peer(address: str, port: int = 443, local: str | None = "192.0.2.10") -> Peer:
    return Peer(ip_address(address), port, ip_address(local) if local else None)


@pytest.mark.parametrize(
    ("origin", "target", "expected"),
    [
        ("140.82.112.3", "151.101.1.1", None),
        ("140.82.112.3", "127.0.0.1", "loopback address not allowed from a public page"),
        ("140.82.112.3", "10.0.0.5", "private address not allowed from a public page"),
        ("140.82.112.3", "169.254.10.10", "link-local address not allowed from a public page"),
        ("140.82.112.3", "169.254.169.254", "metadata address not allowed from a public page"),
        ("2606:4700::1", "fd00:ec2::254", "metadata address not allowed from a public page"),
        ("140.82.112.3", "0.0.0.0", "loopback address not allowed from a public page"),
        ("140.82.112.3", "::ffff:127.0.0.1", "loopback address not allowed from a public page"),
        ("127.0.0.1", "127.0.0.2", None),  # a page on loopback may redirect within loopback...
        ("127.0.0.1", "10.0.0.5", "private address not allowed from a loopback page"),  # ...only there
        ("10.0.0.1", "192.168.7.7", None),
        ("10.0.0.1", "140.82.112.3", None),  # any page may redirect to the internet
        ("10.0.0.1", "169.254.169.254", "metadata address not allowed from a private page"),
        ("169.254.1.1", "169.254.169.254", "metadata address not allowed from a link-local page"),
    ],
)
def test_redirect_refusal_by_range(origin: str, target: str, expected: str | None) -> None:
    assert refusal(peer(target), ip_address(origin), None) == expected


def test_the_configured_url_may_be_in_any_range() -> None:
    for address in ("127.0.0.1", "10.0.0.5", "169.254.169.254"):
        assert refusal(peer(address), None, ("0.0.0.0", 9110)) is None


@pytest.mark.parametrize(
    ("listen", "address", "port", "local", "own"),
    [
        (("127.0.0.1", 9110), "127.0.0.1", 9110, "127.0.0.1", True),
        (("127.0.0.1", 9110), "127.0.0.1", 9111, "127.0.0.1", False),  # another port
        (("127.0.0.1", 9110), "127.0.0.2", 9110, "127.0.0.1", False),  # another loopback socket
        (("0.0.0.0", 9110), "127.0.0.5", 9110, "127.0.0.1", True),  # wildcard: any loopback address
        (("0.0.0.0", 9110), "0.0.0.0", 9110, "127.0.0.1", True),
        (("0.0.0.0", 9110), "10.0.0.7", 9110, "10.0.0.7", True),  # this machine's own interface address
        (("0.0.0.0", 9110), "10.0.0.8", 9110, "10.0.0.7", False),  # a neighbour on the same network
        (("::", 9110), "::ffff:127.0.0.1", 9110, "::ffff:127.0.0.1", True),
        (("::", 9110), "::1", 9110, "::1", True),
        (("localhost", 9110), "127.0.0.1", 9110, "127.0.0.1", True),  # a name: any local address
        (("10.0.0.7", 9110), "10.0.0.7", 9110, "10.0.0.7", True),
        (("10.0.0.7", 9110), "127.0.0.1", 9110, "127.0.0.1", False),  # bound to one address only
        (("0.0.0.0", 9110), "140.82.112.3", 9110, "10.0.0.7", False),
    ],
)
def test_is_listen_address(listen: tuple[str, int], address: str, port: int, local: str, own: bool) -> None:
    assert is_listen_address(peer(address, port, local), listen) is own


def test_own_listen_address_refused_on_any_hop_and_named() -> None:
    own = peer("127.0.0.1", 9110, "127.0.0.1")
    for origin in (None, ip_address("127.0.0.1"), ip_address("140.82.112.3")):
        assert refusal(own, origin, ("0.0.0.0", 9110)) == "the daemon's own listen address"
    assert (
        refusal(own, ip_address("127.0.0.1"), None) is None
    )  # no listen address known (`discover`): ranges only
