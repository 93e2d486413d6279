"""The health endpoint of a running bot: /healthz, /readyz and /metrics, scraped over HTTP
from a real `python -m bot run` that polls a feed and delivers to the fake Bot API."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.observability.health import (
    MIN_STALE_SECONDS,
    Heartbeat,
    liveness_problem,
    stale_after,
)
from bot.settings import Settings, parse_listen
from tests.conftest import ARREST_ITEM, TEST_START, FakeClock, FeedServer, rss
from tests.fakes.discord_api import TEXT, FakeDiscord
from tests.fakes.discord_api import Failure as DiscordFailure
from tests.fakes.telegram_api import BLOCKED, SERVER_ERROR, FakeBotAPI, retry_after
from tests.processes import running, start_cli, telegram_bot_running
from tests.storage_support import prepare_database

pytestmark = pytest.mark.telegram_limits(per_chat_per_second=50)

READER = 7001
# A person who blocked the bot: its chat is deactivated at the first alert.
GONE = 7002
ARREST = ARREST_ITEM
LISTENING = re.compile(r"health endpoint listening on (http://\S+)")

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(exposition: str) -> Samples:
    found: Samples = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: Samples, name: str, **labels: str) -> float:
    return found[(name, tuple(sorted(labels.items())))]


async def get(session: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with session.get(url) as response:
        return response.status, await response.text()


async def wait_until(check: Callable[[], Awaitable[bool]], within: float = 30.0) -> None:
    """Ask `check` every tenth of a second until it says yes (a scrape has no event to
    wait for: the endpoint is asked, as a monitoring system would)."""
    async with asyncio.timeout(within):
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.1)


def test_health_listen_is_off_by_default_and_binds_loopback_given_a_port() -> None:
    assert Settings(_env_file=None).health_address is None  # type: ignore[call-arg]
    assert parse_listen("9090") == ("127.0.0.1", 9090)
    assert parse_listen("0.0.0.0:9090") == ("0.0.0.0", 9090)
    assert parse_listen("[::1]:9090") == ("::1", 9090)
    for bad in ("", "host:", "9090x", "127.0.0.1:70000"):
        with pytest.raises(ValueError):
            parse_listen(bad)


async def test_a_running_bot_answers_health_readiness_and_metrics(
    telegram_api: FakeBotAPI, clock: FakeClock, feed_server: FeedServer, tmp_path: Path
) -> None:
    database = tmp_path / "tocsin.sqlite3"
    await prepare_database(
        database,
        clock(),
        telegram_chats=(READER, GONE),
        feed_urls=[feed_server.serve("/rss", rss(ARREST))],
    )
    telegram_api.chat_errors[GONE] = BLOCKED
    # Telegram asks the bot to slow down once: the alert waits, then goes.
    telegram_api.fail("sendMessage", retry_after(1), chat_id=READER)
    async with telegram_bot_running(
        clock(),
        tmp_path,
        database,
        telegram_api.base_url,
        TELEGRAM_RATE_PER_CHAT_PER_SECOND="50",
        BACKLOG_ALERTS="1",
        HEALTH_LISTEN="127.0.0.1:0",
    ) as log:
        # Importing aiogram alone takes seconds on a busy machine.
        await log.wait_for("health endpoint listening on ", within=90)
        match = LISTENING.search(log.text)
        assert match is not None
        base = match.group(1)
        await telegram_api.wait_for(
            "sendMessage", chat_id=READER, count=2, within=30, where=lambda c: ARREST[1] in c.text
        )
        async with aiohttp.ClientSession() as session:

            async def delivered() -> bool:
                _, text = await get(session, f"{base}/metrics")
                found = samples(text)
                return (
                    found.get(
                        ("tocsin_sends_total", (("outcome", "delivered"), ("platform", "telegram")))
                    )
                    == 1
                    and ("tocsin_chats_deactivated", (("platform", "telegram"),)) in found
                    # The counter moves when the answer arrives, the row just after.
                    and found.get(
                        ("tocsin_outbox", (("platform", "telegram"), ("status", "sending")))
                    )
                    == 0
                )

            await wait_until(delivered)
            assert await get(session, f"{base}/healthz") == (200, "ok\n")
            assert await get(session, f"{base}/readyz") == (200, "ready\n")
            async with session.get(f"{base}/metrics") as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith("text/plain")
                found = samples(await response.text())

            # Telegram out of reach: not ready, and the endpoint says why.
            telegram_api.fail("getUpdates", SERVER_ERROR, times=3)

            async def unready() -> bool:
                status, text = await get(session, f"{base}/readyz")
                return status == 503 and "telegram: the Bot API cannot be reached" in text

            await wait_until(unready)
            assert (await get(session, f"{base}/healthz"))[0] == 200

            async def ready_again() -> bool:
                return (await get(session, f"{base}/readyz"))[0] == 200

            await wait_until(ready_again)

    assert value(found, "tocsin_feeds", state="ok") == 1
    assert value(found, "tocsin_feeds", state="failing") == 0
    assert value(found, "tocsin_fetch_duration_seconds_count") >= 1
    assert value(found, "tocsin_feed_polls_total", result="ok") >= 1
    assert value(found, "tocsin_entries_total") == 1
    assert value(found, "tocsin_events_total") == 1
    assert value(found, "tocsin_alerts_queued_total") == 2
    assert value(found, "tocsin_detection_seconds_count") >= 1
    # One alert delivered after one 429; one refused for good, its chat deactivated.
    assert value(found, "tocsin_sends_total", platform="telegram", outcome="delivered") == 1
    assert value(found, "tocsin_sends_total", platform="telegram", outcome="rate_limited") == 1
    assert value(found, "tocsin_sends_total", platform="telegram", outcome="chat_gone") == 1
    assert value(found, "tocsin_send_duration_seconds_count", platform="telegram") == 3
    assert value(found, "tocsin_too_many_requests_total", platform="telegram") == 1
    assert value(found, "tocsin_rate_limit_wait_seconds_count", platform="telegram") >= 3
    assert value(found, "tocsin_chats_deactivated", platform="telegram") == 1
    for status, rows in (("pending", 0), ("sending", 0), ("failed", 1)):
        assert value(found, "tocsin_outbox", status=status, platform="telegram") == rows
    assert value(found, "tocsin_platform_connected", platform="telegram") == 1
    assert "tocsin_fetch_errors_total" not in {name for name, _ in found}


def test_the_scheduler_is_alive_while_it_beats_and_dead_once_it_stops() -> None:
    now = [0.0]
    heartbeat = Heartbeat(lambda: now[0])
    limit = stale_after(tick_seconds=5.0)
    assert limit == MIN_STALE_SECONDS  # a feed may take its whole fetch timeout
    now[0] = limit - 1
    assert liveness_problem(heartbeat.age(), limit) is None
    heartbeat.beat()  # a feed finished in a long cycle
    now[0] += limit
    assert liveness_problem(heartbeat.age(), limit) is None
    now[0] += 1
    problem = liveness_problem(heartbeat.age(), limit)
    assert problem is not None and "has not ticked for 121 s" in problem
    assert stale_after(tick_seconds=60.0) == 300.0


async def test_discord_connected_and_its_429s_counted_on_a_running_bot(
    clock: FakeClock, feed_server: FeedServer, tmp_path: Path
) -> None:
    async with FakeDiscord() as discord_fake:
        channel = discord_fake.add_channel(TEXT, "newsroom")
        database = tmp_path / "tocsin.sqlite3"
        await prepare_database(
            database,
            clock(),
            discord_channels=[channel.id],
            feed_urls=[feed_server.serve("/rss", rss(ARREST))],
        )
        # A short 429, which discord.py sleeps through by itself: Tocsin's sender
        # never hears of it, the endpoint still counts it.
        discord_fake.fail_next(channel, DiscordFailure(429, 0, "rate limited", retry_after=0.3))
        process = await start_cli(
            clock(),
            "run",
            cwd=tmp_path,
            DATABASE_PATH=str(database),
            DISCORD_BOT_TOKEN=discord_fake.token,
            DISCORD_API_URL=discord_fake.url,
            FETCH_ALLOW_PRIVATE_NETWORKS="true",
            BACKLOG_ALERTS="1",
            PARSE_POOL="thread",
            HEALTH_LISTEN="127.0.0.1:0",
        )
        async with running(process) as log:
            await log.wait_for("health endpoint listening on ", within=90)
            match = LISTENING.search(log.text)
            assert match is not None
            base = match.group(1)
            async with aiohttp.ClientSession() as session:

                async def connected_and_sent() -> bool:
                    ready = await get(session, f"{base}/readyz")
                    return ready == (200, "ready\n") and len(channel.messages) == 1

                await wait_until(connected_and_sent, within=60)
                found = samples((await get(session, f"{base}/metrics"))[1])
    assert value(found, "tocsin_platform_connected", platform="discord") == 1
    assert value(found, "tocsin_too_many_requests_total", platform="discord") == 1
    assert value(found, "tocsin_sends_total", platform="discord", outcome="delivered") == 1
    assert value(found, "tocsin_rate_limit_wait_seconds_count", platform="discord") >= 1


async def test_a_health_port_already_taken_is_said_plainly(tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        process = await start_cli(
            TEST_START, "run", cwd=tmp_path, DEMO_FEEDS="on", HEALTH_LISTEN=str(port)
        )
        _, err = await asyncio.wait_for(process.communicate(), 90)
    finally:
        taken.close()
    assert process.returncode == 2
    assert f"configuration error: HEALTH_LISTEN: cannot listen on 127.0.0.1:{port}" in err.decode()
    assert "Traceback" not in err.decode()
