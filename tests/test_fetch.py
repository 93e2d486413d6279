"""The Fetcher against local aiohttp servers: what a feed server can throw at it."""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web

from feeds.errors import FetchError
from feeds.fetch import FetchConfig, Fetcher
from feeds.netguard import NetworkPolicy
from tests.conftest import FeedServer, StaticResolver, rss

ALLOW_ALL = NetworkPolicy(allow_private=True)
FEED = rss(("1", "Roskomnadzor blocked a VPN service", "text")).encode()


def fetcher(**overrides: Any) -> Fetcher:
    values: dict[str, Any] = {"policy": ALLOW_ALL, "timeout_seconds": 5.0}
    values.update(overrides)
    return Fetcher(FetchConfig(**values))


@pytest.fixture
async def client() -> AsyncIterator[Fetcher]:
    async with fetcher() as opened:
        yield opened


async def test_conditional_get_sends_validators_and_304_is_no_change(
    feed_server: FeedServer, client: Fetcher
) -> None:
    async def conditional(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        if request.headers.get("If-Modified-Since") == "Tue, 24 Nov 2026 10:00:00 GMT":
            return web.Response(status=304, headers={"ETag": '"v2"'})
        return web.Response(
            body=FEED,
            headers={"ETag": '"v1"', "Last-Modified": "Tue, 24 Nov 2026 10:00:00 GMT"},
        )

    feed_server.handlers["/rss"] = conditional
    url = feed_server.url("/rss")
    first = await client.fetch(url)
    assert (first.status, first.etag, first.body) == (200, '"v1"', FEED)
    again = await client.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    # A 304 without validators keeps the ones we had.
    assert (again.etag, again.last_modified) == ('"v1"', "Tue, 24 Nov 2026 10:00:00 GMT")
    # A 304 that brings a new ETag replaces it.
    third = await client.fetch(url, last_modified=first.last_modified)
    assert third.not_modified and third.etag == '"v2"'


async def test_user_agent_names_the_project(feed_server: FeedServer, client: Fetcher) -> None:
    url = feed_server.serve("/rss", FEED)
    await client.fetch(url)
    agent = feed_server.requests[-1].headers["User-Agent"]
    assert agent.startswith("Tocsin/") and "censorship" in agent


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_compressed_bodies_are_decoded(
    feed_server: FeedServer, client: Fetcher, encoding: str
) -> None:
    packed = gzip.compress(FEED) if encoding == "gzip" else zlib.compress(FEED)
    url = feed_server.serve("/rss", packed, **{"Content-Encoding": encoding})
    result = await client.fetch(url)
    assert result.body == FEED
    assert "gzip" in feed_server.requests[-1].headers["Accept-Encoding"]


async def test_declared_oversized_body_is_refused_before_reading(feed_server: FeedServer) -> None:
    url = feed_server.serve("/big", b"x" * 20_000)
    async with fetcher(max_bytes=10_000) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(url)
    assert caught.value.kind == "too_large" and "20000" in str(caught.value)


async def test_streamed_oversized_body_stops_at_the_cap(feed_server: FeedServer) -> None:
    sent = 0

    async def endless(request: web.Request) -> web.StreamResponse:
        nonlocal sent
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)  # chunked: no Content-Length to go by
        try:
            for _ in range(10_000):
                await response.write(b"<item>" + b"y" * 4090 + b"</item>")
                sent += 4096
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    feed_server.handlers["/endless"] = endless
    async with fetcher(max_bytes=100_000) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(feed_server.url("/endless"))
    assert caught.value.kind == "too_large"
    assert sent < 10_000 * 4096  # the client hung up long before the server was done


async def test_gzip_bomb_is_stopped_at_the_cap_without_inflating_it(
    feed_server: FeedServer,
) -> None:
    # 200 MiB of zeros packs into about 200 KiB.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1024 * 1024)
    bomb = b"".join(compressor.compress(block) for _ in range(200)) + compressor.flush()
    assert len(bomb) < 400_000
    url = feed_server.serve("/bomb", bomb, **{"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        async with fetcher(max_bytes=1024 * 1024) as client:
            with pytest.raises(FetchError) as caught:
                await client.fetch(url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.kind == "too_large"
    # Bounded by the cap and aiohttp's decompression chunking, nowhere near 200 MiB.
    assert peak < 24 * 1024 * 1024


async def test_server_that_never_answers_times_out(feed_server: FeedServer) -> None:
    async def hang(request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.Response(body=FEED)

    feed_server.handlers["/hang"] = hang
    started = time.monotonic()
    async with fetcher(timeout_seconds=5.0, read_timeout_seconds=0.5) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(feed_server.url("/hang"))
    # The message names the limit that fired, not the total one.
    assert caught.value.kind == "timeout"
    assert str(caught.value) == "the server sent nothing for 0.5 s"
    assert time.monotonic() - started < 15  # the server would have waited 30 s


async def test_server_that_stalls_mid_body_times_out(feed_server: FeedServer) -> None:
    async def stall(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        await response.write(FEED[:100])
        await asyncio.sleep(30)
        return response

    feed_server.handlers["/stall"] = stall
    async with fetcher(timeout_seconds=5.0, read_timeout_seconds=0.5) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(feed_server.url("/stall"))
    assert caught.value.kind == "timeout"


async def test_slow_trickle_hits_the_total_time_limit(feed_server: FeedServer) -> None:
    """A byte every 0.1 s never trips the read timeout; the total limit still holds."""

    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for byte in FEED:
            await response.write(bytes([byte]))
            await asyncio.sleep(0.1)
        return response

    feed_server.handlers["/trickle"] = trickle
    started = time.monotonic()
    async with fetcher(timeout_seconds=1.0, read_timeout_seconds=0.5) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(feed_server.url("/trickle"))
    assert caught.value.kind == "timeout"
    assert str(caught.value) == "the whole fetch took over 1 s"
    assert time.monotonic() - started < 15  # the trickle alone takes half a minute


def redirect(status: int, to: str) -> Callable[[web.Request], Any]:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Location": to})

    return handler


@pytest.mark.parametrize("status", [301, 308])
async def test_permanent_redirect_reports_the_new_url(
    feed_server: FeedServer, client: Fetcher, status: int
) -> None:
    new = feed_server.serve("/new", FEED)
    feed_server.handlers["/old"] = redirect(status, "/new")
    result = await client.fetch(feed_server.url("/old"))
    assert result.body == FEED and result.url == new and result.permanent_url == new


@pytest.mark.parametrize("chain", [[302], [301, 302], [307, 301]])
async def test_any_temporary_hop_keeps_the_old_url(
    feed_server: FeedServer, client: Fetcher, chain: list[int]
) -> None:
    feed_server.serve("/end", FEED)
    for index, status in enumerate(chain):
        target = f"/hop{index + 1}" if index + 1 < len(chain) else "/end"
        feed_server.handlers[f"/hop{index}"] = redirect(status, target)
    result = await client.fetch(feed_server.url("/hop0"))
    assert result.body == FEED and result.permanent_url is None


async def test_five_redirects_are_followed_and_a_sixth_is_refused(
    feed_server: FeedServer, client: Fetcher
) -> None:
    feed_server.serve("/r5", FEED)
    for hop in range(5):
        feed_server.handlers[f"/r{hop}"] = redirect(301, f"/r{hop + 1}")
    assert (await client.fetch(feed_server.url("/r0"))).body == FEED
    feed_server.handlers["/r-1"] = redirect(301, "/r0")
    with pytest.raises(FetchError) as caught:
        await client.fetch(feed_server.url("/r-1"))
    assert caught.value.kind == "redirects"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        # An HTTP-date counts from the server's Date header, not from our clock:
        # these dates lie in 2001, yet the wait is the two minutes the server meant.
        ("Mon, 01 Jan 2001 12:02:00 GMT", 120.0),
    ],
)
async def test_429_carries_its_retry_after(
    feed_server: FeedServer, client: Fetcher, value: str, expected: float
) -> None:
    async def busy(request: web.Request) -> web.Response:
        return web.Response(
            status=429, headers={"Retry-After": value, "Date": "Mon, 01 Jan 2001 12:00:00 GMT"}
        )

    feed_server.handlers["/busy"] = busy
    with pytest.raises(FetchError) as caught:
        await client.fetch(feed_server.url("/busy"))
    error = caught.value
    assert (error.kind, error.status) == ("http", 429) and "429" in str(error)
    assert error.retry_after == expected


@pytest.mark.parametrize("status", [403, 404, 410, 500, 503])
async def test_error_statuses_are_http_failures(
    feed_server: FeedServer, client: Fetcher, status: int
) -> None:
    async def fail(request: web.Request) -> web.Response:
        return web.Response(status=status)

    feed_server.handlers["/x"] = fail
    with pytest.raises(FetchError) as caught:
        await client.fetch(feed_server.url("/x"))
    assert (caught.value.kind, caught.value.status) == ("http", status)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/feed", "file:///etc/passwd", "gopher://x/", "http:///nohost"]
)
async def test_only_http_and_https(client: Fetcher, url: str) -> None:
    with pytest.raises(FetchError) as caught:
        await client.fetch(url)
    assert caught.value.kind == "url"


async def test_unknown_host_is_a_dns_failure() -> None:
    async with fetcher(resolver=StaticResolver({})) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch("http://no-such-feed.example/rss")
    assert caught.value.kind == "dns"


async def test_closed_port_is_a_connect_failure(serve_on: Callable[..., Any]) -> None:
    base = await serve_on(web.Application())
    port = int(base.rsplit(":", 1)[1])
    async with fetcher() as client:
        # The server above listens; the port after it almost surely does not.
        with pytest.raises(FetchError) as caught:
            await client.fetch(f"http://127.0.0.1:{port + 1}/rss")
    assert caught.value.kind == "connect"


async def test_per_host_cap_and_queued_feeds_are_not_timed_out(
    feed_server: FeedServer,
) -> None:
    """Ten feeds on one host: never more than four at once, and the ones queued behind
    the others are not failed for waiting (the time limit starts at their turn)."""
    active = peak = 0

    async def slow(request: web.Request) -> web.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.3)
        active -= 1
        return web.Response(body=FEED)

    for index in range(10):
        feed_server.handlers[f"/f{index}"] = slow
    async with fetcher(per_host=4, timeout_seconds=0.6) as client:
        results = await asyncio.gather(
            *(client.fetch(feed_server.url(f"/f{index}")) for index in range(10))
        )
    assert all(result.body == FEED for result in results)
    assert peak == 4


async def test_global_cap_across_hosts(serve_on: Callable[..., Any]) -> None:
    active = peak = 0

    async def slow(request: web.Request) -> web.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.2)
        active -= 1
        return web.Response(body=FEED)

    bases = []
    for host in range(2, 8):
        app = web.Application()
        app.router.add_get("/rss", slow)
        bases.append(await serve_on(app, f"127.0.0.{host}"))
    async with fetcher(concurrency=3, per_host=4) as client:
        await asyncio.gather(*(client.fetch(f"{base}/rss") for base in bases * 2))
    assert peak == 3
