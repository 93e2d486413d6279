"""Which network addresses a feed fetch may connect to (the SSRF guard).

A feed URL is user input: without this, `/addfeed http://169.254.169.254/` would make
Tocsin read a cloud metadata service, or a router's admin page, for whoever asked.
The check runs on resolved addresses, at connect time, on every redirect hop.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from feeds.errors import BlockedAddressError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# One service: an address and a port.
Endpoint = tuple[IPAddress, int]

# Ranges with no business serving a public feed: private, loopback, link-local,
# CGNAT, multicast, reserved, documentation and translation ranges.
_SPECIAL = tuple(
    ipaddress.ip_network(text)
    for text in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "255.255.255.255/32",
        "::/128",
        "::1/128",
        # IPv4-compatible IPv6 (deprecated, but still routed to the IPv4 address).
        "::/96",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in an IPv4-mapped or 6to4/NAT64 IPv6 form, if any."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in ipaddress.ip_network("64:ff9b::/96"):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class NetworkPolicy:
    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()
    # Single services allowed whatever their address, by address and port: the
    # embedded demo's own feed server, and nothing else on that host.
    allowed_endpoints: frozenset[Endpoint] = frozenset()

    def is_allowed(self, address: IPAddress, port: int | None = None) -> bool:
        if port is not None and (address, port) in self.allowed_endpoints:
            return True
        candidates: list[IPAddress] = [address]
        inner = _embedded_ipv4(address)
        if inner is not None:
            candidates.append(inner)
        for candidate in candidates:
            if any(candidate in network for network in self.allowed_networks):
                return True
        if self.allow_private:
            return True
        return not any(
            candidate in network
            for candidate in candidates
            for network in _SPECIAL
            if candidate.version == network.version
        )

    def check_literal(self, host: str, port: int | None = None) -> None:
        """Refuse a URL whose host is an IP literal the policy forbids."""
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return
        if not self.is_allowed(address, port):
            raise BlockedAddressError(
                f"{host} is a private or reserved address; "
                "set FETCH_ALLOW_PRIVATE_NETWORKS to allow it"
            )


def _refusal(host: str, addresses: set[str]) -> BlockedAddressError:
    shown = ", ".join(sorted(addresses)) or "nothing"
    return BlockedAddressError(
        f"{host} resolves to {shown}, a private or reserved address; "
        "set FETCH_ALLOW_PRIVATE_NETWORKS to allow it"
    )


class GuardedResolver(AbstractResolver):
    """Resolves through aiohttp's resolver, then drops addresses the policy forbids.

    Because aiohttp connects to exactly the addresses returned here, a name that
    resolves to a public address for the check and a private one for the connect
    (DNS rebinding) cannot slip through.
    """

    def __init__(self, policy: NetworkPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner or DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        allowed = [
            r for r in results if self._policy.is_allowed(ipaddress.ip_address(r["host"]), port)
        ]
        if not allowed:
            raise _refusal(host, {r["host"] for r in results})
        return allowed

    async def check_proxied(self, host: str, port: int) -> None:
        """Before a fetch is handed to a proxy: refuse `host` when any address it
        resolves to here is forbidden.

        The proxy connects, and resolves the name again itself, so Tocsin cannot pick
        the allowed addresses as it does for a direct fetch: one forbidden address is
        enough to refuse. A name that does not resolve here is let through, since where
        sources are blocked the local resolver is often what blocks them, and a proxy
        may be the only way out to any name (docs/ingestion.md says what follows).
        """
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            pass
        else:
            self._policy.check_literal(str(address), port)
            return
        try:
            results = await self._inner.resolve(host, port, socket.AF_UNSPEC)
        except OSError:
            return
        forbidden = {
            r["host"]
            for r in results
            if not self._policy.is_allowed(ipaddress.ip_address(r["host"]), port)
        }
        if forbidden:
            raise _refusal(host, forbidden)

    async def close(self) -> None:
        await self._inner.close()


def policy_from(allow_private: bool, networks: Sequence[Any]) -> NetworkPolicy:
    return NetworkPolicy(allow_private, tuple(ipaddress.ip_network(n) for n in networks))
