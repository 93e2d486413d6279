"""The SSRF guard and hostile documents: what a feed URL or a feed body must never achieve.

All of 127.0.0.0/8 is loopback, so "a public host" is played by 127.0.0.2 with the
guard told to allow exactly 127.0.0.2/32; everything else on loopback stays private.
"""

from __future__ import annotations

import ipaddress
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web

from bot.settings import Settings
from feeds.errors import BlockedAddressError, FetchError
from feeds.fetch import FetchConfig, Fetcher
from feeds.netguard import NetworkPolicy, policy_from
from feeds.parse import parse_feed
from tests.conftest import FakeClock, StaticResolver, rss
from tests.fakes import TEST_SERVER_GRACE
from tests.ingest_support import running

FEED = rss(("1", "Roskomnadzor blocked a VPN service", "text")).encode()
ONLY_127_0_0_2 = policy_from(False, ["127.0.0.2/32"])


def serving(body: bytes) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    return app


def redirecting(to: str, status: int = 302) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Location": to})

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    return app


def guarded(policy: NetworkPolicy, **overrides: Any) -> Fetcher:
    return Fetcher(FetchConfig(policy=policy, timeout_seconds=5.0, **overrides))


# --- The guard on live connections -------------------------------------------------


async def test_the_allow_list_admits_exactly_its_range(serve_on: Callable[..., Any]) -> None:
    allowed = await serve_on(serving(FEED), "127.0.0.2")
    other = await serve_on(serving(FEED), "127.0.0.3")
    async with guarded(ONLY_127_0_0_2) as client:
        assert (await client.fetch(f"{allowed}/rss")).body == FEED
        with pytest.raises(BlockedAddressError) as caught:
            await client.fetch(f"{other}/rss")
    assert caught.value.kind == "blocked"
    assert "FETCH_ALLOW_PRIVATE_NETWORKS" in str(caught.value)


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/rss", "http://localhost:{port}/rss"])
async def test_a_redirect_hop_to_loopback_is_refused(
    serve_on: Callable[..., Any], target: str
) -> None:
    """The first hop is allowed; the guard still checks where the redirect points."""
    inner = await serve_on(serving(b"secret admin page"), "127.0.0.1")
    port = inner.rsplit(":", 1)[1]
    outer = await serve_on(redirecting(target.format(port=port)), "127.0.0.2")
    async with guarded(ONLY_127_0_0_2) as client:
        with pytest.raises(BlockedAddressError) as caught:
            await client.fetch(f"{outer}/rss")
    assert caught.value.kind == "blocked"


async def test_a_redirect_to_another_scheme_is_refused(serve_on: Callable[..., Any]) -> None:
    outer = await serve_on(redirecting("file:///etc/passwd"), "127.0.0.2")
    async with guarded(ONLY_127_0_0_2) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(f"{outer}/rss")
    assert caught.value.kind == "url" and "file" in str(caught.value)


async def test_localhost_by_name_is_refused_by_default(serve_on: Callable[..., Any]) -> None:
    base = await serve_on(serving(FEED), "127.0.0.1")
    port = base.rsplit(":", 1)[1]
    async with guarded(NetworkPolicy()) as client:
        with pytest.raises(BlockedAddressError) as caught:
            await client.fetch(f"http://localhost:{port}/rss")
    assert "localhost resolves to" in str(caught.value)


@pytest.mark.parametrize("host", ["2130706433", "0x7f.0.0.1", "127.1", "[::ffff:127.0.0.1]"])
async def test_loopback_in_disguise_is_refused(serve_on: Callable[..., Any], host: str) -> None:
    """Numeric forms the C resolver would read as 127.0.0.1, and the IPv4-mapped IPv6
    form: refused as blocked, or as not a valid URL, and never requested."""
    hits: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(body=FEED)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    base = await serve_on(app, "127.0.0.1")
    port = base.rsplit(":", 1)[1]
    async with guarded(NetworkPolicy()) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(f"http://{host}:{port}/rss")
    assert caught.value.kind in ("blocked", "url")
    assert hits == []


async def test_a_name_with_a_private_and_an_allowed_address_connects_only_to_the_allowed(
    serve_on: Callable[..., Any],
) -> None:
    """DNS answers with both; the private one must not even be tried. Both servers
    listen on the same port, so the only difference is the address connected to."""
    private = await serve_on(serving(b"<rss>secret</rss>"), "127.0.0.1")
    port = int(private.rsplit(":", 1)[1])
    public_app = serving(FEED)
    runner = web.AppRunner(public_app, access_log=None, shutdown_timeout=TEST_SERVER_GRACE)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.2", port).start()
    try:
        resolver = StaticResolver({"feeds.test": ["127.0.0.1", "127.0.0.2"]})
        async with guarded(ONLY_127_0_0_2, resolver=resolver) as client:
            result = await client.fetch(f"http://feeds.test:{port}/rss")
    finally:
        await runner.cleanup()
    assert result.body == FEED


async def test_a_blocked_feed_is_a_recorded_failure_not_a_crash(
    serve_on: Callable[..., Any], make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    inner = await serve_on(serving(FEED), "127.0.0.1")
    outer = await serve_on(redirecting(f"{inner}/rss", status=301), "127.0.0.2")
    settings = make_settings(fetch_allow_private_networks="127.0.0.2/32", parse_pool="thread")
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(f"{outer}/rss", now=clock())
        report, _ = await app.run_once()
        stored = await app.storage.feeds.get(feed.id)
    assert report.feeds[0].error_kind == "blocked"
    assert stored is not None
    assert (stored.last_error_kind, stored.consecutive_failures) == ("blocked", 1)
    # A refused redirect never moves the feed, permanent or not.
    assert stored.url == f"{outer}/rss"


# --- Address classification ---------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",  # CGNAT, first and last
        "100.127.255.254",
        "169.254.169.254",  # link-local: the cloud metadata service
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped forms of the above
        "::ffff:10.0.0.1",
        "::ffff:100.64.0.1",
        "::ffff:169.254.169.254",
        "::ffff:0.0.0.0",
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
    ],
)
def test_private_and_special_addresses_are_refused(address: str) -> None:
    assert not NetworkPolicy().is_allowed(ipaddress.ip_address(address))
    assert NetworkPolicy(allow_private=True).is_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "100.63.255.255", "100.128.0.1", "2606:4700::1111", "::ffff:1.1.1.1"],
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert NetworkPolicy().is_allowed(ipaddress.ip_address(address))


def test_an_allowed_range_also_admits_its_ipv4_mapped_form_and_nothing_else() -> None:
    policy = policy_from(False, ["10.8.0.0/16"])
    assert policy.is_allowed(ipaddress.ip_address("10.8.3.4"))
    assert policy.is_allowed(ipaddress.ip_address("::ffff:10.8.3.4"))
    assert not policy.is_allowed(ipaddress.ip_address("10.9.0.1"))
    assert not policy.is_allowed(ipaddress.ip_address("127.0.0.1"))


# --- Hostile documents --------------------------------------------------------------

_LAUGHS = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">' + _LAUGHS + "]>"
    "<rss version='2.0'><channel><title>Laughs</title>"
    "<item><guid>1</guid><title>Police detained &lol9;</title>"
    "<description>&lol9;</description></item></channel></rss>"
).encode()
# One 100 kB entity referenced 20,000 times: 2 GB if expanded.
QUADRATIC = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + "A" * 100_000 + '">]>'
    "<rss version='2.0'><channel><title>Quadratic</title><item><guid>1</guid><title>t</title>"
    "<description>" + "&a;" * 20_000 + "</description></item></channel></rss>"
).encode()


# Under expat's own amplification limit (a hundred times the input): 150 kB that would
# inflate to 12 MB of text, and some 50 MB of parser state with it. (A feed of 10 MB,
# the size cap, would be gigabytes.)
AMPLIFIED = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + "x" * 240 + '">]>'
    "<rss version='2.0'><channel><title>Amplified</title><item><guid>1</guid><title>t</title>"
    "<description>" + "&a;" * 50_000 + "</description></item></channel></rss>"
).encode()


@pytest.mark.parametrize(
    "document", [BILLION_LAUGHS, QUADRATIC, AMPLIFIED], ids=["laughs", "quadratic", "amplified"]
)
def test_entity_expansion_cannot_blow_up_memory_or_time(document: bytes) -> None:
    tracemalloc.start()
    # Work done, in CPU seconds: a bomb shows there whatever else loads the machine.
    started = time.process_time()
    try:
        parsed = parse_feed(document, "https://example.org/feed")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.process_time() - started < 10
    assert peak < 32 * 1024 * 1024
    # Whatever survives is bounded text, not gigabytes of "lol".
    for entry in parsed.entries:
        assert len(entry.title) <= 1_000 and len(entry.summary) <= 4_000
        assert "lollollol" not in entry.summary


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_entity_declarations_are_found_in_wide_encodings_too(codec: str) -> None:
    document = BILLION_LAUGHS.decode("ascii").replace('"1.0"?>', f'"1.0" encoding="{codec}"?>')
    started = time.process_time()
    parsed = parse_feed(document.encode(codec), "https://example.org/feed")
    assert time.process_time() - started < 1
    assert parsed.title == "Laughs" and parsed.entries[0].title.startswith("Police detained")


def test_a_doctype_without_entities_is_left_alone() -> None:
    """RSS 0.91 feeds name Netscape's DTD; that is how feedparser tells their version."""
    document = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
        b' "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel>'
        b"<title>Old</title><item><title>One &amp; two</title><link>https://e.org/1</link></item>"
        b"</channel></rss>"
    )
    parsed = parse_feed(document, "https://example.org/feed")
    assert parsed.version == "rss091n" and parsed.entries[0].title == "One & two"


def test_quoted_brackets_inside_the_doctype_do_not_end_it_early() -> None:
    document = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY trick "]>"><!ENTITY a "'
        + b"y" * 240
        + b'">]><rss version="2.0"><channel><title>Tricky</title><item><guid>1</guid>'
        b"<title>t</title><description>"
        + b"&a;" * 50_000
        + b"</description></item></channel></rss>"
    )
    tracemalloc.start()
    try:
        parsed = parse_feed(document, "https://example.org/feed")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert parsed.title == "Tricky" and "yyyy" not in parsed.entries[0].summary
    assert peak < 32 * 1024 * 1024


def test_external_entities_are_never_read() -> None:
    document = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        b"<rss version='2.0'><channel><title>x</title><item><guid>1</guid>"
        b"<title>leak &x;</title><description>&x;</description></item></channel></rss>"
    )
    with open("/etc/hostname", encoding="utf-8") as handle:
        secret = handle.read().strip()
    parsed = parse_feed(document, "https://example.org/feed")
    assert secret
    assert all(secret not in e.title and secret not in e.summary for e in parsed.entries)


async def test_an_entity_bomb_is_one_feeds_problem_in_the_pipeline(
    serve_on: Callable[..., Any], make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    bomb = await serve_on(serving(BILLION_LAUGHS), "127.0.0.2")
    good = await serve_on(serving(FEED), "127.0.0.3")
    settings = make_settings(parse_pool="thread")
    async with running(settings, clock) as app:
        await app.storage.feeds.add(f"{bomb}/rss", now=clock())
        await app.storage.feeds.add(f"{good}/rss", now=clock())
        started = time.process_time()
        report, _ = await app.run_once()
    assert time.process_time() - started < 5
    by_url = {r.url: r for r in report.feeds}
    assert by_url[f"{good}/rss"].error is None and by_url[f"{good}/rss"].new_entries == 1
    # The bomb is either salvaged as bounded text or classified; never a crash.
    assert by_url[f"{bomb}/rss"].error_kind in (None, "parse", "not_a_feed")
