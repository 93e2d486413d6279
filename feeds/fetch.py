"""HTTP for feeds: polite, bounded, and guarded against being pointed at private hosts.

Politeness and bounds, all enforced here so no caller can forget them:
- at most `concurrency` fetches at once, and at most `per_host` to any one host name;
  the time limits start only once a fetch holds its slots, so a feed queued behind a
  busy host is never failed for waiting;
- conditional GET with the validators from the last success; 304 means "no change";
- gzip/deflate bodies are decompressed as they stream in, and the size cap counts the
  decompressed bytes, so a small bomb is stopped at the cap, never inflated whole;
- at most `max_redirects` redirects, each hop checked against the network policy;
- through a proxy (FETCH_PROXY, or a feed's own) when one is set: the target of every
  hop is still checked here first (feeds.netguard.GuardedResolver.check_proxied).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import aiohttp
import aiohttp_socks
from aiohttp.abc import AbstractResolver
from yarl import URL

from feeds.errors import BlockedAddressError, FeedError, FetchError
from feeds.http_hints import parse_http_date, parse_retry_after
from feeds.netguard import GuardedResolver, NetworkPolicy
from feeds.proxy import DIRECT, Proxy, ProxyURLError, parse_proxy, tunnel_connector

logger = logging.getLogger(__name__)

USER_AGENT = (
    "Tocsin/0.1 (feed monitor for censorship and protest arrests; "
    "+https://github.com/tocsin-alerts/tocsin)"
)
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9,"
    " application/feed+json;q=0.9, application/xml;q=0.9, text/xml;q=0.9,"
    " application/json;q=0.8, */*;q=0.5"
)
# Awaited once by a fetch that holds its host's slot (see Fetcher.fetch).
Admission = Callable[[], Awaitable[object]]
_REDIRECTS = {301, 302, 303, 307, 308}
_PERMANENT = {301, 308}
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchConfig:
    timeout_seconds: float = 30.0
    connect_timeout_seconds: float = 10.0
    # Longest wait for the next bytes once connected (a server that stalls mid-body).
    read_timeout_seconds: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    # Mostly waiting: at 150 ms a response, polling 1,000 feeds a second needs about
    # 150 requests in flight plus the loop's own time per feed (bench/ingest.py). The
    # per-host cap, not this one, is what keeps Tocsin polite to each server.
    concurrency: int = 512
    per_host: int = 4
    policy: NetworkPolicy = field(default_factory=NetworkPolicy)
    # The resolver the SSRF guard wraps; None means aiohttp's default. Tests inject
    # one that maps made-up names to loopback.
    resolver: AbstractResolver | None = None
    user_agent: str = USER_AGENT
    # Feeds without a proxy setting of their own are fetched through this one.
    proxy: Proxy | None = None


@dataclass(frozen=True)
class FetchResult:
    status: int
    url: str
    body: bytes
    etag: str | None
    last_modified: str | None
    headers: Mapping[str, str]
    # Set when every hop to the final URL was a permanent redirect.
    permanent_url: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class _Redirect:
    location: URL
    permanent: bool


class _HostSlots:
    """One semaphore per host name, dropped again when nobody holds or awaits it."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._slots: dict[str, tuple[asyncio.Semaphore, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        semaphore, users = self._slots.get(host, (asyncio.Semaphore(self._per_host), 0))
        self._slots[host] = (semaphore, users + 1)
        try:
            async with semaphore:
                yield
        finally:
            semaphore, users = self._slots[host]
            if users <= 1:
                del self._slots[host]
            else:
                self._slots[host] = (semaphore, users - 1)


class Fetcher:
    """One aiohttp session for all feeds; use as an async context manager."""

    def __init__(self, config: FetchConfig) -> None:
        self.config = config
        self._session: aiohttp.ClientSession | None = None
        # Sessions for proxied fetches, made on first use: one for every HTTP proxy
        # (aiohttp takes the proxy per request), one per SOCKS5 proxy.
        self._proxied: dict[Proxy | None, aiohttp.ClientSession] = {}
        self._guard = GuardedResolver(config.policy, inner=config.resolver)
        self._all = asyncio.Semaphore(config.concurrency)
        self._hosts = _HostSlots(config.per_host)

    def _new_session(self, connector: aiohttp.BaseConnector) -> aiohttp.ClientSession:
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=self.config.connect_timeout_seconds,
            sock_read=self.config.read_timeout_seconds,
        )
        return aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            headers={"User-Agent": self.config.user_agent, "Accept": ACCEPT},
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
        )

    async def __aenter__(self) -> Self:
        connector = aiohttp.TCPConnector(
            resolver=self._guard,
            # Our own semaphores do the limiting (see `fetch`); these are a backstop.
            limit=self.config.concurrency,
            limit_per_host=self.config.per_host,
            family=socket.AF_UNSPEC,
            ttl_dns_cache=300,
        )
        self._session = self._new_session(connector)
        return self

    def _proxied_session(self, proxy: Proxy) -> aiohttp.ClientSession:
        """The session for fetches through `proxy`. Its connections go to the proxy
        only, so its resolver is not the guarded one: the proxy's address is the
        operator's choice, loopback or private included. Targets are checked apart."""
        key = None if proxy.kind == "http" else proxy
        session = self._proxied.get(key)
        if session is None:
            limit, per_host = self.config.concurrency, self.config.per_host
            connector: aiohttp.BaseConnector
            if proxy.kind == "http":
                # No resolver given: aiohttp's default, which the connector owns and closes.
                connector = aiohttp.TCPConnector(
                    resolver=self.config.resolver,
                    limit=limit,
                    limit_per_host=per_host,
                )
            else:
                connector = tunnel_connector(proxy, limit=limit, limit_per_host=per_host)
            session = self._proxied[key] = self._new_session(connector)
        return session

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        sessions = [*self._proxied.values(), *([self._session] if self._session else [])]
        self._session = None
        self._proxied.clear()
        for session in sessions:
            await session.close()

    def _route(self, setting: str | None) -> Proxy | None:
        """The proxy for a feed's setting: None follows FETCH_PROXY, DIRECT is none."""
        if setting is None:
            return self.config.proxy
        if setting == DIRECT:
            return None
        try:
            return parse_proxy(setting)
        except ProxyURLError as exc:
            raise FetchError(f"the feed's proxy setting is unusable: {exc}", kind="proxy") from None

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        admission: Admission | None = None,
        proxy: str | None = None,
    ) -> FetchResult:
        """GET a feed, following at most `max_redirects` redirects, each one checked.

        `admission` is awaited once, as soon as this fetch holds its host's slot and
        before it takes a global one: the caller's own limit (the pipeline's bound on
        unparsed documents) must not be held by a feed that is still queued behind a
        busy host, or one host's backlog would hold up every other host's feeds.
        The caller releases what `admission` took.

        `proxy` is the feed's own proxy setting: None follows the configured proxy
        (FETCH_PROXY), `feeds.proxy.DIRECT` fetches directly, else a proxy URL.

        Raises FetchError (or BlockedAddressError) with a `kind`; never anything else
        for network trouble. No message holds a proxy's password.
        """
        if self._session is None:
            raise RuntimeError("Fetcher used outside its context manager")
        route = self._route(proxy)
        session = self._session if route is None else self._proxied_session(route)
        try:
            return await self._fetch(session, route, url, etag, last_modified, admission)
        except FeedError as exc:
            raise _hiding_password(exc, route) from None
        except Exception as exc:
            failure = self._failure(exc, route)
            if failure is None:
                raise
            raise _hiding_password(failure, route) from None

    def _failure(self, exc: Exception, proxy: Proxy | None) -> FetchError | None:
        """The FetchError an exception from aiohttp (or the SOCKS connector) stands for;
        None for anything that is not network trouble (a bug: let it show)."""
        config = self.config
        if isinstance(exc, aiohttp.ClientProxyConnectionError | aiohttp_socks.ProxyConnectionError):
            cause = getattr(exc, "os_error", None) or exc
            return FetchError(f"cannot reach the proxy {_shown(proxy)}: {cause}", kind="proxy")
        if isinstance(exc, aiohttp_socks.ProxyTimeoutError):
            return FetchError(
                f"the proxy {_shown(proxy)} did not answer"
                f" within {config.connect_timeout_seconds:g} s",
                kind="proxy",
            )
        if isinstance(exc, aiohttp_socks.ProxyError):
            return FetchError(f"the proxy {_shown(proxy)} refused: {exc}", kind="proxy")
        if isinstance(exc, aiohttp.ClientHttpProxyError):
            return FetchError(
                f"the proxy {_shown(proxy)} refused: HTTP {exc.status} {exc.message}".strip(),
                kind="proxy",
                status=exc.status,
            )
        # aiohttp's own limits first: both are TimeoutErrors too. Through an HTTP
        # proxy, every connection is to the proxy.
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            if proxy is not None and proxy.kind == "http":
                return FetchError(
                    f"could not connect to the proxy {proxy.shown}"
                    f" within {config.connect_timeout_seconds:g} s",
                    kind="proxy",
                )
            return FetchError(
                f"could not connect within {config.connect_timeout_seconds:g} s", kind="timeout"
            )
        if isinstance(exc, aiohttp.SocketTimeoutError):
            return FetchError(
                f"the server sent nothing for {config.read_timeout_seconds:g} s", kind="timeout"
            )
        if isinstance(exc, TimeoutError):
            return FetchError(
                f"the whole fetch took over {config.timeout_seconds:g} s", kind="timeout"
            )
        if isinstance(exc, aiohttp.ClientConnectorDNSError):
            return FetchError(f"DNS lookup failed: {exc.os_error}", kind="dns")
        if isinstance(
            exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError | ssl.SSLError
        ) or isinstance(exc.__cause__, ssl.SSLError):
            # The SOCKS connector's own TLS handshake fails as an OSError caused by one.
            return FetchError(f"TLS failed: {exc}", kind="tls")
        if isinstance(exc, aiohttp.ClientConnectorError):
            if isinstance(exc.os_error, BlockedAddressError):
                return exc.os_error
            return FetchError(f"cannot connect: {exc.os_error}", kind="connect")
        if isinstance(exc, aiohttp.ClientPayloadError):
            return FetchError(f"broken response body: {exc}", kind="connect")
        if isinstance(exc, aiohttp.ClientResponseError):
            return FetchError(f"invalid HTTP response: {exc.message}", kind="http")
        if isinstance(exc, aiohttp.InvalidURL):
            return FetchError(f"not a valid URL: {exc}", kind="url")
        if isinstance(exc, aiohttp.ClientError | OSError):
            # OSError: the SOCKS connector's own socket trouble, unwrapped by aiohttp.
            return FetchError(f"connection failed: {exc}", kind="connect")
        if isinstance(exc, UnicodeError):
            return FetchError(f"invalid host name: {exc}", kind="dns")
        if isinstance(exc, ValueError):
            # aiohttp and yarl raise ValueError for some malformed URLs and headers.
            return FetchError(f"invalid request: {exc}", kind="url")
        return None

    async def _fetch(
        self,
        session: aiohttp.ClientSession,
        proxy: Proxy | None,
        url: str,
        etag: str | None,
        last_modified: str | None,
        admission: Admission | None,
    ) -> FetchResult:
        current = self._checked_url(url)
        permanent = True
        deadline: float | None = None
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _hop in range(self.config.max_redirects + 1):
            # Host slot first, then the caller's admission, then a global slot: a feed
            # queued behind a busy host must sit on nothing another host's feed could use.
            async with self._hosts.hold(current.host or ""):
                if admission is not None:
                    await admission()
                    admission = None
                async with self._all:
                    if deadline is None:
                        # The clock starts once this fetch holds its slots: time spent
                        # queued behind other feeds is not the server's fault.
                        loop = asyncio.get_running_loop()
                        deadline = loop.time() + self.config.timeout_seconds
                    async with asyncio.timeout_at(deadline):
                        if proxy is not None:
                            # Nothing is handed to the proxy for a forbidden target.
                            await self._check_proxied(current)
                        outcome = await self._request(session, current, headers, proxy)
            if isinstance(outcome, _Redirect):
                permanent = permanent and outcome.permanent
                current = self._checked_url(str(outcome.location))
                continue
            final = str(current)
            moved = final if permanent and final != url else None
            if outcome.status == 304:
                return FetchResult(
                    304,
                    final,
                    b"",
                    outcome.etag or etag,
                    outcome.last_modified or last_modified,
                    outcome.headers,
                    moved,
                )
            return FetchResult(
                outcome.status,
                final,
                outcome.body,
                outcome.etag,
                outcome.last_modified,
                outcome.headers,
                moved,
            )
        raise FetchError(f"more than {self.config.max_redirects} redirects", kind="redirects")

    async def _check_proxied(self, target: URL) -> None:
        """The SSRF guard for a target reached through a proxy (see
        GuardedResolver.check_proxied); a local resolver that takes longer than a
        connection may counts as one that does not know the name."""
        host = target.host or ""
        try:
            async with asyncio.timeout(self.config.connect_timeout_seconds):
                await self._guard.check_proxied(host, target.port or 0)
        except TimeoutError:
            logger.debug("no local answer for %s in time; handing it to the proxy", host)

    async def _request(
        self,
        session: aiohttp.ClientSession,
        current: URL,
        headers: dict[str, str],
        proxy: Proxy | None,
    ) -> _Redirect | FetchResult:
        """One hop: the next URL for a redirect, else the (body-read) response."""
        via: dict[str, Any] = {}
        if proxy is not None and proxy.kind == "http":
            via["proxy"] = proxy.url
            if proxy.authorization is not None:
                # aiohttp sends proxy_headers with a CONNECT (https) only; a plain http
                # request goes to the proxy itself, so the header rides on it. Never
                # the other way round: inside a tunnel it would reach the origin.
                credentials = {"Proxy-Authorization": proxy.authorization}
                if current.scheme == "https":
                    via["proxy_headers"] = credentials
                else:
                    headers = {**headers, **credentials}
        async with session.get(current, headers=headers, allow_redirects=False, **via) as response:
            response_headers = {k: v for k, v in response.headers.items()}
            if response.status in _REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"HTTP {response.status} without a Location", kind="http")
                try:
                    return _Redirect(current.join(URL(location)), response.status in _PERMANENT)
                except ValueError:
                    raise FetchError(
                        f"HTTP {response.status} to an invalid Location", kind="http"
                    ) from None
            if response.status == 304:
                return FetchResult(
                    304,
                    str(current),
                    b"",
                    response.headers.get("ETag"),
                    response.headers.get("Last-Modified"),
                    response_headers,
                )
            if response.status == 407 and proxy is not None:
                # Only a proxy answers 407: the origin never saw the request.
                raise FetchError(
                    f"the proxy {proxy.shown} refused: HTTP 407 {response.reason or ''}".strip(),
                    kind="proxy",
                    status=407,
                )
            if not 200 <= response.status < 300:
                raise FetchError(
                    f"HTTP {response.status} {response.reason or ''}".strip(),
                    kind="http",
                    status=response.status,
                    # An HTTP-date is measured against the server's own clock, as Expires is.
                    retry_after=parse_retry_after(
                        response.headers.get("Retry-After"),
                        parse_http_date(response.headers.get("Date")),
                    ),
                )
            body = await self._read_capped(response)
            return FetchResult(
                response.status,
                str(current),
                body,
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
                response_headers,
            )

    def _checked_url(self, url: str) -> URL:
        try:
            parsed = URL(url)
        except (ValueError, TypeError):
            raise FetchError(f"not a valid URL: {url!r}", kind="url") from None
        if parsed.scheme not in ("http", "https"):
            raise FetchError(
                f"only http and https feeds are supported, not {parsed.scheme or 'no scheme'}",
                kind="url",
            )
        if not parsed.host:
            raise FetchError(f"URL has no host: {url!r}", kind="url")
        self.config.policy.check_literal(parsed.host, parsed.port)
        return parsed

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        """Stream the (decompressed) body, stopping as soon as it passes the cap."""
        limit = self.config.max_bytes
        declared = response.content_length
        if (
            declared is not None
            and declared > limit
            and not response.headers.get("Content-Encoding")
        ):
            raise FetchError(
                f"feed is {declared} bytes, over the {limit}-byte limit", kind="too_large"
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise FetchError(f"feed is over the {limit}-byte limit", kind="too_large")
            chunks.append(chunk)
        return b"".join(chunks)


def _shown(proxy: Proxy | None) -> str:
    return proxy.shown if proxy is not None else "(none)"


def _hiding_password(exc: FeedError, proxy: Proxy | None) -> FeedError:
    """`exc`, or the same failure without the proxy's password if its message has it."""
    if proxy is None:
        return exc
    message = proxy.without_password(str(exc))
    if message == str(exc):
        return exc
    return type(exc)(message, kind=exc.kind, status=exc.status, retry_after=exc.retry_after)
