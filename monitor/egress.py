"""Which addresses a fetch may reach: the guard against server-side request forgery through redirects.

A status page, its CDN and its DNS are untrusted: a redirect could make the daemon GET an internal
service (a cloud metadata endpoint, an admin port on loopback, the daemon's own API) and show the answer
as a status page. So a redirect may lead into a non-public range only when the configured URL itself
reached that same kind of range (a page on the private network may redirect within it), and no fetch
ever reaches the daemon's own listen address. Pure functions of addresses; `monitor.fetch` applies
them to the address each connection actually reached.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Literal, NamedTuple

IPAddress = IPv4Address | IPv6Address
Kind = Literal["public", "loopback", "private", "link-local", "metadata", "reserved"]

# Cloud instance metadata (AWS, GCP, Azure, OpenStack on IPv4; AWS Nitro on IPv6): credentials live there.
METADATA_ADDRESSES = frozenset({ip_address("169.254.169.254"), ip_address("fd00:ec2::254")})


class Peer(NamedTuple):
    """Both ends of one connection: the address and port reached, and this machine's end of it."""

    address: IPAddress
    port: int
    local: IPAddress | None


def plain(address: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, as dual-stack sockets report) as the IPv4 one."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_kind(address: IPAddress) -> Kind:
    """The range an address is in. 0.0.0.0 and :: count as loopback: connecting to them reaches this host."""
    address = plain(address)
    if address in METADATA_ADDRESSES:
        return "metadata"
    if address.is_loopback or address.is_unspecified:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast or address.is_reserved:
        return "reserved"
    if address.is_private or not address.is_global:  # not is_global: also carrier-grade NAT, 100.64/10
        return "private"
    return "public"


def is_listen_address(peer: Peer, listen: tuple[str, int]) -> bool:
    """Whether `peer` is the daemon's own HTTP server. A wildcard listen host (0.0.0.0, ::) or a name
    means every address of this machine: loopback, or the address the connection came from (the
    kernel sends a connection to one of this machine's own addresses from that same address)."""
    host, port = listen
    if peer.port != port:
        return False
    address = plain(peer.address)
    try:
        bound = plain(ip_address(host))
    except ValueError:  # a name such as localhost
        bound = None
    if bound is not None and not bound.is_unspecified:
        return address == bound
    return (
        address.is_loopback
        or address.is_unspecified
        or (peer.local is not None and address == plain(peer.local))
    )


def refusal(peer: Peer, origin: IPAddress | None, listen: tuple[str, int] | None) -> str | None:
    """Why a fetch may not use a connection to `peer`, or None when it may. `origin` is the address the
    configured URL reached; None while connecting for the configured URL itself."""
    if listen is not None and is_listen_address(peer, listen):
        return "the daemon's own listen address"
    if origin is None:
        return None
    target, source = address_kind(peer.address), address_kind(origin)
    if target == "public" or target == source:
        return None
    return f"{target} address not allowed from a {source} page"
