"""HTTP for feeds: polite, bounded, and guarded against being pointed at private hosts.

Politeness and bounds, all enforced here so no caller can forget them:
- at most `concurrency` fetches at once, and at most `per_host` to any one host name;
  the time limits start only once a fetch holds its slots, so a feed queued behind a
  busy host is never failed for waiting;
- conditional GET with the validators from the last success; 304 means "no change";
- gzip/deflate bodies are decompressed as they stream in, and the size cap counts the
  decompressed bytes, so a small bomb is stopped at the cap, never inflated whole;
- at most `max_redirects` redirects, each hop checked against the network policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from feeds.errors import BlockedAddressError, FeedError, FetchError
from feeds.http_hints import parse_http_date, parse_retry_after
from feeds.netguard import GuardedResolver, NetworkPolicy

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
        self._all = asyncio.Semaphore(config.concurrency)
        self._hosts = _HostSlots(config.per_host)

    async def __aenter__(self) -> Self:
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(self.config.policy, inner=self.config.resolver),
            # Our own semaphores do the limiting (see `fetch`); these are a backstop.
            limit=self.config.concurrency,
            limit_per_host=self.config.per_host,
            family=socket.AF_UNSPEC,
            ttl_dns_cache=300,
        )
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=self.config.connect_timeout_seconds,
            sock_read=self.config.read_timeout_seconds,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            headers={"User-Agent": self.config.user_agent, "Accept": ACCEPT},
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        admission: Admission | None = None,
    ) -> FetchResult:
        """GET a feed, following at most `max_redirects` redirects, each one checked.

        `admission` is awaited once, as soon as this fetch holds its host's slot and
        before it takes a global one: the caller's own limit (the pipeline's bound on
        unparsed documents) must not be held by a feed that is still queued behind a
        busy host, or one host's backlog would hold up every other host's feeds.
        The caller releases what `admission` took.

        Raises FetchError (or BlockedAddressError) with a `kind`; never anything else
        for network trouble.
        """
        if self._session is None:
            raise RuntimeError("Fetcher used outside its context manager")
        try:
            return await self._fetch(self._session, url, etag, last_modified, admission)
        except FeedError:
            raise
        # aiohttp's own limits first: both are TimeoutErrors too.
        except aiohttp.ConnectionTimeoutError:
            raise FetchError(
                f"could not connect within {self.config.connect_timeout_seconds:g} s",
                kind="timeout",
            ) from None
        except aiohttp.SocketTimeoutError:
            raise FetchError(
                f"the server sent nothing for {self.config.read_timeout_seconds:g} s",
                kind="timeout",
            ) from None
        except TimeoutError:
            raise FetchError(
                f"the whole fetch took over {self.config.timeout_seconds:g} s", kind="timeout"
            ) from None
        except aiohttp.ClientConnectorDNSError as exc:
            raise FetchError(f"DNS lookup failed: {exc.os_error}", kind="dns") from None
        except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
            raise FetchError(f"TLS failed: {exc}", kind="tls") from None
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, BlockedAddressError):
                raise exc.os_error from None
            raise FetchError(f"cannot connect: {exc.os_error}", kind="connect") from None
        except aiohttp.ClientPayloadError as exc:
            raise FetchError(f"broken response body: {exc}", kind="connect") from None
        except aiohttp.ClientResponseError as exc:
            raise FetchError(f"invalid HTTP response: {exc.message}", kind="http") from None
        except aiohttp.InvalidURL as exc:
            raise FetchError(f"not a valid URL: {exc}", kind="url") from None
        except aiohttp.ClientError as exc:
            raise FetchError(f"connection failed: {exc}", kind="connect") from None
        except UnicodeError as exc:
            raise FetchError(f"invalid host name: {exc}", kind="dns") from None
        except ValueError as exc:
            # aiohttp and yarl raise ValueError for some malformed URLs and headers.
            raise FetchError(f"invalid request: {exc}", kind="url") from None

    async def _fetch(
        self,
        session: aiohttp.ClientSession,
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
                        outcome = await self._request(session, current, headers)
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

    async def _request(
        self, session: aiohttp.ClientSession, current: URL, headers: dict[str, str]
    ) -> _Redirect | FetchResult:
        """One hop: the next URL for a redirect, else the (body-read) response."""
        async with session.get(current, headers=headers, allow_redirects=False) as response:
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
