"""Proxies feeds are fetched through: an HTTP proxy or a SOCKS5 one, for all feeds
(FETCH_PROXY) or for one (`tocsin feeds add URL --proxy ...`).

A proxy URL usually carries a password. `Proxy.shown` is the only form that goes into
`feeds list`, logs and error messages, and `without_password` scrubs a text that might
have picked it up anyway.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

import aiohttp_socks
from yarl import URL

# What a feed stores to be fetched directly even when FETCH_PROXY is set; a feed that
# stores nothing follows FETCH_PROXY.
DIRECT = "none"
ProxyKind = Literal["http", "socks5"]
# socks5h is curl's name for "the proxy resolves the name"; Tocsin always lets it (see
# docs/ingestion.md), so both spellings mean the same.
_SCHEMES: dict[str, ProxyKind] = {"http": "http", "socks5": "socks5", "socks5h": "socks5"}
# As aiohttp and curl assume when a proxy URL names no port.
_DEFAULT_PORTS = {"http": 80, "socks5": 1080}
_HIDDEN = "***"


class ProxyURLError(ValueError):
    """A proxy setting that cannot be used; the message never holds its password."""


@dataclass(frozen=True)
class Proxy:
    kind: ProxyKind
    host: str
    port: int
    user: str | None = None
    # Kept out of repr: a Proxy in a log line or a traceback must not show it.
    password: str | None = field(default=None, repr=False)

    @property
    def url(self) -> URL:
        """Where to connect, without credentials (those travel apart, see the fetcher)."""
        return URL.build(scheme=self.kind, host=self.host, port=self.port)

    @property
    def authorization(self) -> str | None:
        """The Proxy-Authorization header for an HTTP proxy (Basic, RFC 7617, UTF-8)."""
        if self.user is None:
            return None
        pair = f"{self.user}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    @property
    def shown(self) -> str:
        """The proxy as operators see it: user kept, password hidden."""
        if self.user is None:
            return str(self.url)
        secret = f":{_HIDDEN}" if self.password else ""
        return str(self.url.with_user(self.user)).replace("@", f"{secret}@", 1)

    def without_password(self, text: str) -> str:
        """`text` with this proxy's password, raw or percent-encoded, hidden."""
        if not self.password:
            return text
        for form in {self.password, quote(self.password, safe="")}:
            text = text.replace(form, _HIDDEN)
        return text


@functools.lru_cache(maxsize=256)
def parse_proxy(text: str) -> Proxy:
    """`http://[user:password@]host[:port]` or `socks5://...`; ProxyURLError otherwise."""
    raw = text.strip()
    try:
        url = URL(raw)
        port = url.explicit_port
        host = url.host
    except (ValueError, TypeError):
        raise ProxyURLError("not a valid proxy URL") from None
    kind = _SCHEMES.get(url.scheme.lower())
    if kind is None:
        given = f" (not {url.scheme}://)" if url.scheme else ""
        raise ProxyURLError(f"a proxy URL starts with http://, socks5:// or socks5h://{given}")
    if not host:
        raise ProxyURLError("a proxy URL needs a host, e.g. http://proxy.example:3128")
    if url.path not in ("", "/") or url.query_string or url.fragment:
        raise ProxyURLError("a proxy URL is just scheme, host and port (no path or query)")
    return Proxy(
        kind=kind,
        host=host,
        port=port if port is not None else _DEFAULT_PORTS[kind],
        user=url.user,
        password=url.password,
    )


# What a connection through a tunnel_connector raises when the proxy cannot be
# reached, refuses (a wrong password) or cannot reach the target: a network failure.
PROXY_FAILURES: tuple[type[Exception], ...] = (
    aiohttp_socks.ProxyError,
    aiohttp_socks.ProxyConnectionError,
    aiohttp_socks.ProxyTimeoutError,
)


def tunnel_connector(proxy: Proxy, **options: Any) -> aiohttp_socks.ProxyConnector:
    """An aiohttp connector whose every connection is a tunnel through `proxy` (HTTP
    CONNECT or SOCKS5); `options` go to the connector (limits).

    rdns: the target's name goes to the proxy, which resolves it (the local resolver
    may be the very thing that blocks the source). Made inside a running event loop.
    """
    return aiohttp_socks.ProxyConnector(
        host=proxy.host,
        port=proxy.port,
        proxy_type=(
            aiohttp_socks.ProxyType.HTTP if proxy.kind == "http" else aiohttp_socks.ProxyType.SOCKS5
        ),
        username=proxy.user,
        password=proxy.password,
        rdns=True,
        **options,
    )


def feed_proxy_setting(text: str) -> str:
    """What `--proxy` stores: DIRECT for "none"/"direct", else the proxy URL as given
    (checked). ProxyURLError when it is neither."""
    if text.strip().lower() in (DIRECT, "direct"):
        return DIRECT
    parse_proxy(text)
    return text.strip()


def shown_setting(setting: str | None) -> str | None:
    """A feed's stored proxy setting as `feeds list` shows it (None: no setting)."""
    if setting is None:
        return None
    if setting == DIRECT:
        return "direct"
    try:
        return parse_proxy(setting).shown
    except ProxyURLError:
        return "an unusable proxy setting"
