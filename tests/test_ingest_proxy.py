"""Fetching feeds through a proxy (FETCH_PROXY, or a feed's own), with the SSRF guard
still deciding which targets may be fetched.

All of 127.0.0.0/8 is loopback: the feed server plays "a public host" on 127.0.0.2
(the guard allows exactly 127.0.0.2/32), the proxies listen on 127.0.0.1 (loopback:
a proxy's address is the operator's choice, never refused) and connect out from
addresses of their own (127.0.0.5, 127.0.0.6), so the feed server can tell who its
client was. The proxies resolve names from their own table, as a real proxy uses its
own DNS; Tocsin's local view of DNS is a StaticResolver.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.settings import ConfigError, Settings, load_settings
from feeds.errors import BlockedAddressError, FetchError
from feeds.fetch import FetchConfig, Fetcher
from feeds.netguard import policy_from
from feeds.proxy import DIRECT, Proxy, parse_proxy
from tests import processes
from tests.conftest import FakeClock, StaticResolver
from tests.fakes.proxies import HttpProxy, Socks5Proxy, running_proxy
from tests.ingest_support import Item, entry_rows, poll_now, rss_feed, running
from tests.processes import no_traceback

ONLY_127_0_0_2 = policy_from(False, ["127.0.0.2/32"])
BLOCK = "Roskomnadzor blocked access to Signal messenger"
SECRET = "s3cret-Pa55"
# Tocsin's own resolver: what the names resolve to here.
LOCAL_DNS = {
    "feeds.example": ["127.0.0.2"],
    "internal.example": ["127.0.0.1"],
    # One allowed address and one forbidden: the proxy might connect to either.
    "mixed.example": ["127.0.0.2", "127.0.0.3"],
}
# The proxies' resolver: what the names resolve to where the proxy is.
PROXY_DNS = {
    "feeds.example": "127.0.0.2",
    "internal.example": "127.0.0.1",
    "mixed.example": "127.0.0.3",
    # Known only beyond the proxy, as a name the local resolver is made to forget.
    "beyond.example": "127.0.0.2",
}


class FeedHost:
    """A feed server on 127.0.0.2 that remembers which address each request came from."""

    def __init__(self) -> None:
        self.clients: list[str] = []
        self.base = ""
        self.port = 0

    def app(self) -> web.Application:
        async def feed(request: web.Request) -> web.Response:
            self.clients.append(request.remote or "")
            body = rss_feed([Item(request.path.strip("/") or "x", BLOCK)])
            return web.Response(text=body, content_type="application/rss+xml")

        async def redirect(request: web.Request) -> web.Response:
            self.clients.append(request.remote or "")
            return web.Response(status=302, headers={"Location": request.query["to"]})

        app = web.Application()
        app.router.add_get("/redirect", redirect)
        app.router.add_get("/{name}", feed)
        return app

    def url(self, path: str, host: str = "feeds.example") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
async def feed_host(serve_on: Callable[..., Any]) -> FeedHost:
    host = FeedHost()
    host.base = await serve_on(host.app(), "127.0.0.2")
    host.port = int(host.base.rsplit(":", 1)[1])
    return host


@pytest.fixture
async def http_proxy() -> AsyncIterator[HttpProxy]:
    async with running_proxy(HttpProxy(names=PROXY_DNS, source="127.0.0.5")) as proxy:
        yield proxy


@pytest.fixture
async def socks_proxy() -> AsyncIterator[Socks5Proxy]:
    async with running_proxy(Socks5Proxy(names=PROXY_DNS, source="127.0.0.6")) as proxy:
        yield proxy


def proxy_url(proxy: HttpProxy | Socks5Proxy, credentials: str = "") -> str:
    scheme = "http" if isinstance(proxy, HttpProxy) else "socks5"
    return f"{scheme}://{credentials}{proxy.host_port}"


def fetcher(proxy: str | None, local_dns: dict[str, list[str]] | None = None) -> Fetcher:
    return Fetcher(
        FetchConfig(
            policy=ONLY_127_0_0_2,
            resolver=StaticResolver(LOCAL_DNS if local_dns is None else local_dns),
            proxy=parse_proxy(proxy) if proxy else None,
            timeout_seconds=10.0,
            connect_timeout_seconds=5.0,
        )
    )


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["http", "socks5"])
def proxy(
    request: pytest.FixtureRequest, http_proxy: HttpProxy, socks_proxy: Socks5Proxy
) -> HttpProxy | Socks5Proxy:
    return http_proxy if request.param == "http" else socks_proxy


# --- Through the proxy ----------------------------------------------------------------


async def test_a_feed_is_fetched_through_the_proxy(
    feed_host: FeedHost, proxy: HttpProxy | Socks5Proxy
) -> None:
    async with fetcher(proxy_url(proxy)) as client:
        result = await client.fetch(feed_host.url("/news"))
    assert BLOCK.encode() in result.body
    # The feed server's client was the proxy, and the proxy resolved the name itself.
    assert feed_host.clients == [proxy.source]
    assert proxy.forwarded == [f"feeds.example:{feed_host.port}"]


async def test_proxy_credentials_are_sent_and_a_refusal_is_a_proxy_failure(
    feed_host: FeedHost, proxy: HttpProxy | Socks5Proxy
) -> None:
    proxy.user, proxy.password = "tocsin", SECRET
    async with fetcher(proxy_url(proxy, f"tocsin:{SECRET}@")) as client:
        result = await client.fetch(feed_host.url("/news"))
    assert BLOCK.encode() in result.body and feed_host.clients == [proxy.source]
    async with fetcher(proxy_url(proxy, "tocsin:wrong-Pa55@")) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(feed_host.url("/news"))
    assert caught.value.kind == "proxy"
    assert f"tocsin:***@{proxy.host_port}" in str(caught.value)
    assert "wrong-Pa55" not in str(caught.value) and proxy.refused == 1
    assert len(feed_host.clients) == 1  # nothing reached the feed the second time


async def test_a_name_unknown_here_is_left_to_the_proxy(
    feed_host: FeedHost, proxy: HttpProxy | Socks5Proxy
) -> None:
    """Where sources are blocked, the local resolver is often what blocks them."""
    async with fetcher(proxy_url(proxy)) as client:
        result = await client.fetch(feed_host.url("/news", host="beyond.example"))
    assert BLOCK.encode() in result.body
    assert proxy.forwarded == [f"beyond.example:{feed_host.port}"]


async def test_an_https_feed_goes_through_the_proxys_tunnel(
    feed_host: FeedHost, proxy: HttpProxy | Socks5Proxy
) -> None:
    """A tunnel (HTTP CONNECT, or SOCKS5) to the name, after the guard checked it; the
    plain-HTTP test server then fails the TLS handshake, as far as this test goes."""
    async with fetcher(proxy_url(proxy)) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(f"https://feeds.example:{feed_host.port}/news")
    assert proxy.forwarded == [f"feeds.example:{feed_host.port}"]
    assert caught.value.kind == "tls", caught.value


# --- The SSRF guard, before the proxy -------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.3:{port}/news",
        "http://[::1]:{port}/news",
        "http://internal.example:{port}/news",
        "http://mixed.example:{port}/news",
        "https://internal.example:{port}/news",
    ],
    ids=["ip-literal", "ipv6-literal", "name-to-loopback", "name-one-forbidden", "https-name"],
)
async def test_a_forbidden_target_is_refused_before_the_proxy_sees_anything(
    feed_host: FeedHost, proxy: HttpProxy | Socks5Proxy, target: str
) -> None:
    async with fetcher(proxy_url(proxy)) as client:
        with pytest.raises(BlockedAddressError) as caught:
            await client.fetch(target.format(port=feed_host.port))
    assert caught.value.kind == "blocked"
    assert proxy.connections == 0 and proxy.forwarded == []
    assert feed_host.clients == []


async def test_a_redirect_to_a_forbidden_target_through_the_proxy_is_refused(
    feed_host: FeedHost, proxy: HttpProxy | Socks5Proxy
) -> None:
    inner = f"http://internal.example:{feed_host.port}/secret"
    async with fetcher(proxy_url(proxy)) as client:
        with pytest.raises(BlockedAddressError):
            await client.fetch(feed_host.url(f"/redirect?to={inner}"))
    # The first hop went through the proxy; the second was never handed to it.
    assert proxy.forwarded == [f"feeds.example:{feed_host.port}"]
    assert feed_host.clients == [proxy.source]


async def test_a_proxy_that_is_down_is_a_proxy_failure(feed_host: FeedHost) -> None:
    for scheme in ("http", "socks5"):
        down = f"{scheme}://tocsin:{SECRET}@127.0.0.1:{closed_port()}"
        async with fetcher(down) as client:
            with pytest.raises(FetchError) as caught:
                await client.fetch(feed_host.url("/news"))
        message = str(caught.value)
        assert caught.value.kind == "proxy", message
        assert "cannot reach the proxy" in message and "tocsin:***@127.0.0.1" in message
        assert SECRET not in message
    assert feed_host.clients == []


# --- In the running bot ---------------------------------------------------------------


async def test_fetch_proxy_and_each_feeds_own_setting_in_the_pipeline(
    feed_host: FeedHost,
    http_proxy: HttpProxy,
    socks_proxy: Socks5Proxy,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
) -> None:
    """FETCH_PROXY for feeds without a setting; `none` goes direct; a feed's own proxy
    wins over FETCH_PROXY; a feed whose proxy is down fails as `proxy`."""
    settings = make_settings(
        parse_pool="thread",
        fetch_allow_private_networks="127.0.0.2/32",
        fetch_proxy=f"http://tocsin@{http_proxy.host_port}",
    )
    down = f"socks5://tocsin:{SECRET}@127.0.0.1:{closed_port()}"
    async with running(settings, clock) as app:
        feeds = app.storage.feeds
        default = await feeds.add(f"{feed_host.base}/default", now=clock())
        direct = await feeds.add(f"{feed_host.base}/direct", now=clock(), proxy=DIRECT)
        own = await feeds.add(f"{feed_host.base}/own", now=clock(), proxy=proxy_url(socks_proxy))
        broken = await feeds.add(f"{feed_host.base}/broken", now=clock(), proxy=down)
        report, _ = await poll_now(app)
        stored = {feed.id: feed for feed in await feeds.all()}
        entries = {f.id: len(await entry_rows(app.storage, f.id)) for f in (default, direct, own)}
    errors = {r.feed_id: (r.error_kind, r.error) for r in report.feeds}
    assert errors[default.id] == errors[direct.id] == errors[own.id] == (None, None)
    assert entries == {default.id: 1, direct.id: 1, own.id: 1}
    assert http_proxy.forwarded == [f"127.0.0.2:{feed_host.port}"]
    assert http_proxy.authorizations == ["Basic dG9jc2luOg=="]  # "tocsin:" in base64
    assert socks_proxy.forwarded == [f"127.0.0.2:{feed_host.port}"]
    assert sorted(feed_host.clients) == sorted(["127.0.0.5", "127.0.0.6", "127.0.0.1"])
    failed = stored[broken.id]
    assert failed.last_error_kind == "proxy" and failed.consecutive_failures == 1
    assert failed.last_error is not None and SECRET not in failed.last_error
    assert "socks5://tocsin:***@127.0.0.1" in failed.last_error


def test_fetch_proxy_is_checked_and_never_echoed(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(f"FETCH_PROXY=ftp://tocsin:{SECRET}@proxy.example:21\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    assert str(caught.value).startswith("FETCH_PROXY: a proxy URL starts with http://")
    assert SECRET not in str(caught.value)
    env.write_text(f"FETCH_PROXY=socks5h://tocsin:{SECRET}@proxy.example:1080\n")
    settings = load_settings(env)
    assert settings.proxy == Proxy("socks5", "proxy.example", 1080, "tocsin", SECRET)
    assert SECRET not in repr(settings) and SECRET not in repr(settings.proxy)


async def test_feeds_add_with_a_proxy_and_feeds_list(
    tmp_path: Path, feed_host: FeedHost, http_proxy: HttpProxy
) -> None:
    http_proxy.user, http_proxy.password = "tocsin", SECRET
    env = {"DEMO_FEEDS": "off", "FETCH_ALLOW_PRIVATE_NETWORKS": "127.0.0.2/32"}
    through = f"http://tocsin:{SECRET}@{http_proxy.host_port}"
    added = await processes.tocsin_async(
        "feeds", "add", f"{feed_host.base}/a", "--proxy", through, cwd=tmp_path, env=env
    )
    assert added.returncode == 0, added.stderr
    shown = f"via http://tocsin:***@{http_proxy.host_port}"
    assert added.stdout.splitlines()[0] == f"added feed 1: Test feed (1 entries) {shown}"
    assert SECRET not in added.stdout + added.stderr
    assert feed_host.clients == ["127.0.0.5"]  # the check before adding used the proxy
    direct = await processes.tocsin_async(
        "feeds", "add", f"{feed_host.base}/b", "--proxy", "none", cwd=tmp_path, env=env
    )
    assert direct.returncode == 0, direct.stderr
    bad = await processes.tocsin_async(
        "feeds", "add", f"{feed_host.base}/c", "--proxy", f"ftp://x:{SECRET}@h", cwd=tmp_path
    )
    assert bad.returncode == 2 and "--proxy: a proxy URL starts with http://" in bad.stderr
    assert SECRET not in bad.stderr
    global_proxy = f"socks5://tocsin:{SECRET}@127.0.0.1:1080"
    listed = await processes.tocsin_async(
        "feeds", "list", cwd=tmp_path, env={**env, "FETCH_PROXY": global_proxy}
    )
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[1].endswith(f"<{feed_host.base}/a> {shown}")
    assert lines[2].endswith(f"<{feed_host.base}/b> direct (not through FETCH_PROXY)")
    assert lines[3] == (
        "feeds without a proxy of their own: via socks5://tocsin:***@127.0.0.1:1080 (FETCH_PROXY)"
    )
    assert SECRET not in listed.stdout
    for result in (added, direct, bad, listed):
        no_traceback(result)
