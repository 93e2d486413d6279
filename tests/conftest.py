"""Shared fixtures: real SQLite files in tmp_path, real HTTP servers on loopback."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest
from aiohttp import web

from bot.delivery.ratelimit import RateLimiter
from bot.settings import Settings
from bot.storage import Storage
from handlers.discord.client import client_options
from handlers.discord.runtime import point_discord_at
from tests.fakes import TEST_SERVER_GRACE
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeBotAPI, FakeLimits, running_bot_api
from tests.fakes.telegram_bot import TelegramHarness, telegram_bot, telegram_settings

# Where every test's clock starts; processes a test starts get it too (tests/processes.py).
TEST_START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or TEST_START
        self._start = self.now

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        """Monotonic seconds that also jump when the test advances the clock: for a
        rate limiter that must pace real requests yet see a pause end on `advance`."""
        return time.monotonic() + (self.now - self._start).total_seconds()

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_path": tmp_path / "tocsin.sqlite3",
            "fetch_allow_private_networks": "true",
            "demo_feeds": "off",
            "console_chat": "off",
            # One message per report, as most tests expect; story tests turn stories on.
            "stories": False,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return build


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    opened = await Storage.open(tmp_path / "tocsin.sqlite3")
    try:
        yield opened
    finally:
        await opened.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "telegram_limits(**limits): scale the fake Bot API's limits (FakeLimits fields) for "
        "tests whose own limiter is scaled the same way",
    )


@pytest.fixture
async def telegram_api(request: pytest.FixtureRequest) -> AsyncIterator[FakeBotAPI]:
    """The fake Bot API on loopback, keeping Telegram's limits as Telegram does, or as
    scaled by a `telegram_limits` mark (the bot's own limits must be scaled alike)."""
    marker = request.node.get_closest_marker("telegram_limits")
    limits = FakeLimits(**marker.kwargs) if marker is not None else None
    async with running_bot_api(limits) as server:
        yield server


@pytest.fixture
def telegram_limiter() -> RateLimiter | None:
    """The rate limiter of `tg`'s Telegram side; None: built from its settings, as in
    production. A test module overrides it to run the limits on the test's clock."""
    return None


@pytest.fixture
async def tg(
    request: pytest.FixtureRequest,
    telegram_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    telegram_limiter: RateLimiter | None,
) -> AsyncIterator[TelegramHarness]:
    """Tocsin's Telegram side against `telegram_api`, not polling for updates. A
    `telegram_limits` mark scales the bot's own per-chat pace like the fake's (a fast
    pace keeps tests quick; the limits have tests of their own)."""
    marker = request.node.get_closest_marker("telegram_limits")
    pace = marker.kwargs.get("per_chat_per_second") if marker is not None else None
    overrides = {"telegram_rate_per_chat_per_second": pace} if pace is not None else {}
    settings = telegram_settings(make_settings, telegram_api, **overrides)
    async with telegram_bot(
        settings, clock, telegram_api, start=False, limiter=telegram_limiter
    ) as harness:
        yield harness


@pytest.fixture
async def discord_api() -> AsyncIterator[FakeDiscord]:
    """The fake Discord REST API on loopback, with discord.py pointed at it."""
    async with FakeDiscord() as server:
        restore = point_discord_at(server.url)
        try:
            yield server
        finally:
            restore()


@pytest.fixture
async def discord_client(discord_api: FakeDiscord) -> AsyncIterator[discord.Client]:
    """A discord.py client configured as Tocsin's, logged in to `discord_api` over REST."""
    client = discord.Client(**client_options())
    try:
        await client.login(discord_api.token)
        yield client
    finally:
        await client.close()


@dataclass
class FeedServer:
    """A loopback HTTP server whose routes tests fill with feed documents or handlers."""

    base_url: str = ""
    documents: dict[str, tuple[bytes, dict[str, str]]] = field(default_factory=dict)
    handlers: dict[str, Callable[[web.Request], Any]] = field(default_factory=dict)
    requests: list[web.Request] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def serve(
        self,
        path: str,
        body: str | bytes,
        content_type: str = "application/rss+xml",
        **headers: str,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.documents[path] = (data, {"Content-Type": content_type, **headers})
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for request in self.requests if request.path == path)


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()

    async def handle(request: web.Request) -> web.StreamResponse:
        server.requests.append(request)
        handler = server.handlers.get(request.path)
        if handler is not None:
            result: web.StreamResponse = await handler(request)
            return result
        if request.path not in server.documents:
            raise web.HTTPNotFound()
        body, headers = server.documents[request.path]
        return web.Response(body=body, headers=headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=TEST_SERVER_GRACE)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield server
    finally:
        await runner.cleanup()


# One arrest report, as an item for `rss`: (guid, title, summary).
ARREST_ITEM = (
    "a1",
    "Police detained 12 protesters at a rally in Moscow",
    "OVD-Info reports that twelve people were detained at the rally on Pushkin Square.",
)


def rss(*items: tuple[str, str, str], title: str = "Test feed", lang: str = "en") -> str:
    """An RSS 2.0 document; items are (guid, title, description)."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{item_title}</title>"
        f"<link>https://example.org/{guid}</link><description>{text}</description>"
        "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item>"
        for guid, item_title, text in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link><language>{lang}</language>"
        f"{body}</channel></rss>"
    )


# --- Ingestion fixtures (issue 3) ---------------------------------------------------
# (Imported here rather than at the top: this section is appended to a shared file.)
import socket  # noqa: E402

from aiohttp.abc import AbstractResolver, ResolveResult  # noqa: E402


class StaticResolver(AbstractResolver):
    """An aiohttp resolver that answers made-up names from a table, as DNS would.

    Lets tests point a name at a loopback address (to check the SSRF guard refuses it)
    without touching real DNS. Unknown names fail like NXDOMAIN.
    """

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host not in self.table:
            raise OSError(socket.EAI_NONAME, f"{host}: name not known")
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in self.table[host]
        ]

    async def close(self) -> None:
        return None


@pytest.fixture
async def serve_on() -> AsyncIterator[Callable[..., Any]]:
    """Start an aiohttp app on a given loopback address; returns its base URL.

    All of 127.0.0.0/8 is loopback, so tests can run "different hosts" on one machine.
    """
    runners: list[web.AppRunner] = []

    async def start(app: web.Application, host: str = "127.0.0.1") -> str:
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=TEST_SERVER_GRACE)
        await runner.setup()
        await web.TCPSite(runner, host, 0).start()
        runners.append(runner)
        return f"http://{host}:{runner.addresses[0][1]}"

    try:
        yield start
    finally:
        for runner in runners:
            await runner.cleanup()
