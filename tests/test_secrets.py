"""Secrets never leak: feed credentials and query tokens, the bot's token.

The database and `feeds export` keep a feed's URL as given (it is needed to fetch);
everything a person or a log sees hides its secrets, and the bot's token reaches no
log line, no error text and no row of the database, even when a library's error
quotes the Bot API URL it failed on.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import build_app
from bot.domain.chat import Subscription
from bot.domain.vocabulary import CATEGORIES
from bot.logs import RedactingFilter
from bot.settings import Settings
from bot.storage import Storage
from feeds.redact import MASK, Redactor, is_secret_name, redact_text, redact_url
from handlers.commands import Caller, ChatRef, CommandService
from tests.conftest import FakeClock, FeedServer, rss
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.processes import start_cli

pytestmark = pytest.mark.telegram_limits(per_chat_per_second=50)

USER, PASSWORD = "reader", "pw-Zq81-unguessable"
QUERY_TOKEN = "tok-Yx42-unguessable"
PROXY_PASSWORD = "proxy-pw-Kd73"
CHAT = 8101
ARREST = (
    "a1",
    "Police detained 12 protesters at a rally in Moscow",
    "OVD-Info reports that twelve people were detained at the rally on Pushkin Square.",
)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:pass@example.org/rss", "https://user:***@example.org/rss"),
        ("https://tokenonly@example.org/rss", "https://***@example.org/rss"),
        ("https://example.org/rss?token=abc&lang=ru", "https://example.org/rss?token=***&lang=ru"),
        ("https://example.org/rss?API-Key=abc", "https://example.org/rss?API-Key=***"),
        (
            "https://example.org/rss?access_token=a;secret=b",
            "https://example.org/rss?access_token=***;secret=***",
        ),
        ("https://example.org/rss?key=abc&page=2", "https://example.org/rss?key=***&page=2"),
        (
            "https://example.org/rss?X-Amz-Signature=f00",
            "https://example.org/rss?X-Amz-Signature=***",
        ),
        ("https://example.org/feed#access_token=abc", "https://example.org/feed#access_token=***"),
        ("https://a.org/rss?q=monkey&topic=keys", "https://a.org/rss?q=monkey&topic=keys"),
        ("https://meduza.io/rss/all", "https://meduza.io/rss/all"),
        (
            f"http://127.0.0.1:8081/bot{TOKEN}/sendMessage",
            "http://127.0.0.1:8081/bot***/sendMessage",
        ),
        ("https://u:p@[::1]:8443/p?password=x#top", "https://u:***@[::1]:8443/p?password=***#top"),
    ],
)
def test_a_url_as_people_see_it_hides_credentials_and_secret_parameters(
    url: str, shown: str
) -> None:
    assert redact_url(url) == shown


def test_secret_parameter_names_are_matched_by_meaning_not_spelling() -> None:
    secret = ["token", "Access-Token", "api_key", "apikey", "client_secret", "passwd", "sig"]
    plain = ["q", "page", "lang", "topic", "keyword", "monkey", "format", "category"]
    assert [n for n in secret if not is_secret_name(n)] == []
    assert [n for n in plain if is_secret_name(n)] == []


def test_an_error_text_quoting_a_bot_api_url_loses_the_token() -> None:
    # What aiohttp's TooManyRedirects says once aiogram has wrapped it.
    error = (
        "TelegramNetworkError: HTTP Client says - TooManyRedirects: 302, message='', "
        f"url=URL('http://127.0.0.1:8081/bot{TOKEN}/sendMessage')"
    )
    percent = f"/bot{TOKEN.replace(':', '%3A')}/sendMessage"
    for text in (error, percent, f"token {TOKEN} refused"):
        assert TOKEN.split(":")[1] not in redact_text(text)
        assert MASK in redact_text(text)


def test_the_log_filter_hides_known_secrets_in_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(Redactor(["discord-token-abcdef", PROXY_PASSWORD])))
    logger = logging.getLogger("tests.secrets")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("token %s, proxy %s", "discord-token-abcdef", f"http://u:{PROXY_PASSWORD}@p")
        try:
            raise RuntimeError(f"failed on https://x.org/rss?api_key={QUERY_TOKEN}")
        except RuntimeError:
            logger.exception("feed failed: %s", f"http://{USER}:{PASSWORD}@x.org/")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    written = stream.getvalue()
    assert "RuntimeError" in written and "feed failed" in written  # the lines are there
    for secret in ("discord-token-abcdef", PROXY_PASSWORD, QUERY_TOKEN, PASSWORD):
        assert secret not in written


def feed_url(server: FeedServer, path: str) -> str:
    host = server.base_url.removeprefix("http://")
    return f"http://{USER}:{PASSWORD}@{host}{path}?format=rss&token={QUERY_TOKEN}"


def database_files(database: Path) -> bytes:
    """The database's files as they are on disk (write-ahead log included)."""
    return b"".join(path.read_bytes() for path in database.parent.glob(f"{database.name}*"))


async def run(now_offset: float, clock: FakeClock, *args: str, tmp_path: Path, **env: str) -> str:
    """One `python -m bot` process; returns everything it wrote (stdout and stderr)."""
    process = await start_cli(
        clock() + timedelta(seconds=now_offset),
        *args,
        cwd=tmp_path,
        DATABASE_PATH=str(tmp_path / "tocsin.sqlite3"),
        FETCH_ALLOW_PRIVATE_NETWORKS="true",
        LOG_LEVEL="DEBUG",
        PARSE_POOL="thread",
        **env,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    written = out.decode() + err.decode()
    assert process.returncode in (0, 1), written
    return written


# Five processes, each importing aiogram and the detector: minutes on a busy machine.
@pytest.mark.timeout(400)
async def test_no_output_log_or_database_row_holds_the_token_or_a_feeds_secrets(
    telegram_api: FakeBotAPI,
    clock: FakeClock,
    feed_server: FeedServer,
    tmp_path: Path,
    make_settings: Callable[..., Settings],
) -> None:
    """Real processes, every output at DEBUG: `feeds add`, two `run --once` (the first
    while the Bot API answers with a redirect loop, the second delivering), `feeds
    list`, `feeds remove`; /feeds; then the whole database file."""
    database = tmp_path / "tocsin.sqlite3"
    feed_server.serve("/rss", rss(ARREST, title=""))  # untitled: the URL names it
    auth_seen: list[str] = []

    async def private(request: web.Request) -> web.Response:
        auth_seen.append(request.headers.get("Authorization", ""))
        return web.Response(status=500, text=f"failed for {request.url}")

    feed_server.handlers["/private"] = private
    storage = await Storage.open(database)
    try:
        chat = await storage.chats.upsert("telegram", str(CHAT), now=clock(), kind="private")
        await storage.chats.subscribe(chat.id, Subscription(chat.id, CATEGORIES), now=clock())
        await storage.feeds.add(feed_url(feed_server, "/private"), now=clock())
    finally:
        await storage.close()
    platform = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram_api.base_url,
        "TELEGRAM_RATE_PER_CHAT_PER_SECOND": "50",
        "BACKLOG_ALERTS": "1",
    }
    added = feed_url(feed_server, "/rss")
    outputs = [await run(0, clock, "feeds", "add", "--no-check", added, tmp_path=tmp_path)]
    telegram_api.redirect_loop.add("sendMessage")
    outputs.append(await run(1, clock, "run", "--once", tmp_path=tmp_path, **platform))
    assert telegram_api.redirects > 0 and telegram_api.delivered == []
    with contextlib.closing(sqlite3.connect(database)) as connection:
        [(error,)] = connection.execute("SELECT last_error FROM outbox").fetchall()
    # The error names what happened, with the token hidden.
    assert "TooManyRedirects" in error and "/bot***/sendMessage" in error, error
    telegram_api.redirect_loop.clear()
    outputs.append(await run(120, clock, "run", "--once", tmp_path=tmp_path, **platform))
    outputs.append(await run(130, clock, "feeds", "list", tmp_path=tmp_path))
    async with build_app(make_settings(), clock=clock, with_platforms=False) as app:
        service = CommandService(app.storage, app.pipeline, admin_ids={}, clock=clock)
        feeds_reply = await service.feeds(ChatRef("telegram", "5", "private"), Caller(5))
    outputs.append(feeds_reply.text)
    outputs.append(await run(150, clock, "feeds", "remove", "1", tmp_path=tmp_path))

    # The credentials work: the feed was fetched with them, and the alert went out.
    assert auth_seen and all(a.startswith("Basic ") for a in auth_seen)
    [alert] = telegram_api.delivered_to(CHAT)
    assert "***@127.0.0.1" in alert.text and "token=***" in alert.text
    # Every output, the alert and /feeds included, hides them; so does every log line.
    seen = "\n".join([*outputs, alert.text])
    assert "feed 1" in seen and "feed 2" in seen and "***@" in seen  # named, secrets hidden
    for secret in (TOKEN, TOKEN.split(":")[1], PASSWORD, QUERY_TOKEN):
        assert secret not in seen

    # The database: the token nowhere in its files; a feed's secrets only in its URL.
    assert TOKEN.split(":")[1].encode() not in database_files(database)
    with contextlib.closing(sqlite3.connect(database)) as connection:
        # What `feeds export` writes: the operator's, as needed to fetch.
        urls = [url for (url,) in connection.execute("SELECT url FROM feeds")]
        assert [PASSWORD in url and QUERY_TOKEN in url for url in urls] == [True]
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        for (table,) in tables.fetchall():
            for row in connection.execute(f"SELECT * FROM {table}"):
                cells = [str(cell) for cell in row if cell is not None and cell not in urls]
                for cell in cells:
                    assert PASSWORD not in cell and QUERY_TOKEN not in cell, (table, cell)
