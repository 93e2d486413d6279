"""HTTP for feeds: polite, bounded, and guarded against being pointed at private hosts."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

import aiohttp
from yarl import URL

from feeds.errors import BlockedAddressError, FeedError, FetchError
from feeds.http_hints import parse_retry_after
from feeds.netguard import GuardedResolver, NetworkPolicy

logger = logging.getLogger(__name__)

USER_AGENT = "Tocsin/0.1 (feed monitor for censorship and protest arrests)"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, application/feed+json;q=0.8, */*;q=0.5"
)
_REDIRECTS = {301, 302, 303, 307, 308}
_PERMANENT = {301, 308}


@dataclass(frozen=True)
class FetchConfig:
    timeout_seconds: float = 30.0
    connect_timeout_seconds: float = 10.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 64
    per_host: int = 4
    policy: NetworkPolicy = field(default_factory=NetworkPolicy)


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


def _retry_after(headers: Mapping[str, str]) -> float | None:
    return parse_retry_after(headers.get("Retry-After"))


class Fetcher:
    """One aiohttp session for all feeds; use as an async context manager."""

    def __init__(self, config: FetchConfig) -> None:
        self.config = config
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(self.config.policy),
            limit=self.config.concurrency,
            limit_per_host=self.config.per_host,
            family=socket.AF_UNSPEC,
            ttl_dns_cache=300,
        )
        timeout = aiohttp.ClientTimeout(
            total=self.config.timeout_seconds,
            connect=self.config.connect_timeout_seconds,
            sock_read=self.config.timeout_seconds,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
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
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET a feed, following at most `max_redirects` redirects, each one checked."""
        if self._session is None:
            raise RuntimeError("Fetcher used outside its context manager")
        try:
            async with asyncio.timeout(self.config.timeout_seconds):
                return await self._fetch(self._session, url, etag, last_modified)
        except FeedError:
            raise
        except TimeoutError:
            raise FetchError(
                f"timed out after {self.config.timeout_seconds:g} s", kind="timeout"
            ) from None
        except aiohttp.ClientConnectorDNSError as exc:
            raise FetchError(f"DNS lookup failed: {exc.os_error}", kind="dns") from None
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, BlockedAddressError):
                raise exc.os_error from None
            raise FetchError(f"cannot connect: {exc.os_error}", kind="connect") from None
        except aiohttp.ClientPayloadError as exc:
            raise FetchError(f"broken response body: {exc}", kind="connect") from None
        except aiohttp.ClientError as exc:
            raise FetchError(f"HTTP error: {exc}", kind="connect") from None
        except UnicodeError as exc:
            raise FetchError(f"invalid host name: {exc}", kind="dns") from None

    async def _fetch(
        self,
        session: aiohttp.ClientSession,
        url: str,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        current = self._checked_url(url)
        permanent = True
        for _hop in range(self.config.max_redirects + 1):
            headers: dict[str, str] = {}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            async with session.get(current, headers=headers, allow_redirects=False) as response:
                if response.status in _REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError(f"HTTP {response.status} without a Location", kind="http")
                    permanent = permanent and response.status in _PERMANENT
                    current = self._checked_url(str(current.join(URL(location))))
                    continue
                response_headers = {k: v for k, v in response.headers.items()}
                final = str(current)
                moved = final if permanent and final != url else None
                if response.status == 304:
                    return FetchResult(
                        304, final, b"", etag, last_modified, response_headers, moved
                    )
                if response.status >= 400:
                    raise FetchError(
                        f"HTTP {response.status} {response.reason or ''}".strip(),
                        kind="http",
                        status=response.status,
                        retry_after=_retry_after(response_headers),
                    )
                body = await self._read_capped(response)
                return FetchResult(
                    response.status,
                    final,
                    body,
                    response.headers.get("ETag"),
                    response.headers.get("Last-Modified"),
                    response_headers,
                    moved,
                )
        raise FetchError(f"more than {self.config.max_redirects} redirects", kind="redirects")

    def _checked_url(self, url: str) -> URL:
        try:
            parsed = URL(url)
        except ValueError:
            raise FetchError(f"not a valid URL: {url!r}", kind="url") from None
        if parsed.scheme not in ("http", "https"):
            raise FetchError(
                f"only http and https feeds are supported, not {parsed.scheme or 'no scheme'}",
                kind="url",
            )
        if not parsed.host:
            raise FetchError(f"URL has no host: {url!r}", kind="url")
        self.config.policy.check_literal(parsed.host)
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
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise FetchError(f"feed is over the {limit}-byte limit", kind="too_large")
            chunks.append(chunk)
        return b"".join(chunks)
