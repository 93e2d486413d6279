"""TELEGRAM_PROXY and DISCORD_PROXY: a real `tocsin run --once` reaches each platform
through a proxy on loopback (HTTP CONNECT or SOCKS5, with or without credentials),
and through nothing else: a proxy that refuses the bot means nothing is delivered."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.conftest import ARREST_ITEM, FakeClock, FeedServer, rss
from tests.fakes.discord_api import TEXT, FakeDiscord
from tests.fakes.proxies import HttpProxy, Socks5Proxy, running_proxy
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.processes import start_cli
from tests.storage_support import prepare_database

READER = 9301
ARREST = ARREST_ITEM
USER, PASSWORD = "ops", "p@ss:word"
# The password as it must be written in a URL.
QUOTED = "p%40ss%3Aword"


def proxy_for(kind: str, *, credentials: bool) -> HttpProxy | Socks5Proxy:
    login = {"user": USER, "password": PASSWORD} if credentials else {}
    return HttpProxy(**login) if kind == "http" else Socks5Proxy(**login)


def proxy_url(kind: str, host_port: str, *, credentials: str | None) -> str:
    return f"{kind}://{credentials + '@' if credentials else ''}{host_port}"


async def reader_of_one_feed(tmp_path: Path, clock: FakeClock, feed_server: FeedServer) -> None:
    await prepare_database(
        tmp_path / "tocsin.sqlite3",
        clock(),
        telegram_chats=[READER],
        feed_urls=[feed_server.serve("/rss", rss(ARREST))],
    )


async def run_once(tmp_path: Path, clock: FakeClock, **settings: str) -> str:
    process = await start_cli(
        clock(),
        "run",
        "--once",
        cwd=tmp_path,
        DATABASE_PATH=str(tmp_path / "tocsin.sqlite3"),
        FETCH_ALLOW_PRIVATE_NETWORKS="true",
        BACKLOG_ALERTS="1",
        PARSE_POOL="thread",
        **settings,
    )
    _, err = await asyncio.wait_for(process.communicate(), 120)
    assert "Traceback" not in err.decode(), err.decode()
    return err.decode()


@pytest.mark.parametrize(("kind", "credentials"), [("http", True), ("socks5", False)])
async def test_telegram_requests_go_through_telegram_proxy(
    kind: str,
    credentials: bool,
    telegram_api: FakeBotAPI,
    clock: FakeClock,
    feed_server: FeedServer,
    tmp_path: Path,
) -> None:
    await reader_of_one_feed(tmp_path, clock, feed_server)
    async with running_proxy(proxy_for(kind, credentials=credentials)) as proxy:
        login = f"{USER}:{QUOTED}" if credentials else None
        await run_once(
            tmp_path,
            clock,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=telegram_api.base_url,
            TELEGRAM_PROXY=proxy_url(kind, proxy.host_port, credentials=login),
        )
    assert [ARREST[1] in call.text for call in telegram_api.delivered_to(READER)] == [True]
    # Every connection the proxy made went to the Bot API (the feed is fetched directly).
    assert set(proxy.forwarded) == {telegram_api.base_url.removeprefix("http://")}


async def test_a_proxy_refusing_the_bot_means_telegram_is_not_reached(
    telegram_api: FakeBotAPI, clock: FakeClock, feed_server: FeedServer, tmp_path: Path
) -> None:
    await reader_of_one_feed(tmp_path, clock, feed_server)
    async with running_proxy(proxy_for("http", credentials=True)) as proxy:
        log = await run_once(
            tmp_path,
            clock,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=telegram_api.base_url,
            TELEGRAM_PROXY=proxy_url("http", proxy.host_port, credentials=f"{USER}:wrong"),
        )
    assert proxy.refused > 0 and proxy.forwarded == []
    assert telegram_api.calls == [] and telegram_api.delivered_to(READER) == []
    assert "wrong" not in log


@pytest.mark.parametrize(("kind", "credentials"), [("socks5", True), ("http", False)])
async def test_discord_requests_go_through_discord_proxy(
    kind: str, credentials: bool, clock: FakeClock, feed_server: FeedServer, tmp_path: Path
) -> None:
    async with FakeDiscord() as discord_fake:
        channel = discord_fake.add_channel(TEXT, "newsroom")
        await prepare_database(
            tmp_path / "tocsin.sqlite3",
            clock(),
            discord_channels=[channel.id],
            feed_urls=[feed_server.serve("/rss", rss(ARREST))],
        )
        async with running_proxy(proxy_for(kind, credentials=credentials)) as proxy:
            login = f"{USER}:{QUOTED}" if credentials else None
            await run_once(
                tmp_path,
                clock,
                DISCORD_BOT_TOKEN=discord_fake.token,
                DISCORD_API_URL=discord_fake.url,
                DISCORD_PROXY=proxy_url(kind, proxy.host_port, credentials=login),
            )
    assert [message["embeds"][0]["title"] for message in channel.messages] == [ARREST[1]]
    assert proxy.forwarded and set(proxy.forwarded) == {discord_fake.url.removeprefix("http://")}
