"""The embedded demo stays a demo: it opens no door in the SSRF guard beyond its own
server, and nothing of it (feeds, terminal chat, alerts) reaches a real deployment.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.domain.chat import Subscription
from bot.domain.vocabulary import CATEGORIES
from bot.storage import Storage, StorageError
from tests.conftest import FeedServer, rss
from tests.processes import no_traceback, tocsin, tocsin_async

# A platform token makes a run a real one; nothing here contacts the platform.
REAL = {"TELEGRAM_BOT_TOKEN": "123456:TEST-token-never-sent"}


def table(path: Path, sql: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.execute(sql))
    finally:
        connection.close()


async def test_the_demo_reaches_its_own_server_and_no_other_loopback_service(
    tmp_path: Path, feed_server: FeedServer, serve_on: Callable[..., Any]
) -> None:
    # A service on loopback that the settings do not allow (an admin page, a cache).
    forbidden = feed_server.serve("/secret", rss(("s1", "Roskomnadzor blocked Signal", "")))
    port = forbidden.rsplit(":", 1)[1].split("/")[0]

    # One host the operator did allow, which redirects to the forbidden service.
    async def bounce(request: web.Request) -> web.Response:
        raise web.HTTPFound(forbidden)

    redirector = web.Application()
    redirector.router.add_get("/feed", bounce)
    allowed = await serve_on(redirector, "127.0.0.2")
    env = {"FETCH_ALLOW_PRIVATE_NETWORKS": "127.0.0.2/32"}

    (tmp_path / "feeds.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        f'<outline type="rss" text="by name" xmlUrl="http://localhost:{port}/secret"/>'
        "</body></opml>"
    )
    for command in (
        ("feeds", "add", "--no-check", forbidden),
        ("feeds", "add", "--no-check", f"{allowed}/feed"),
        ("feeds", "import", "feeds.opml"),
    ):
        assert tocsin(*command, cwd=tmp_path, env=env).returncode == 0

    refreshed = await tocsin_async("feeds", "refresh", "--all", cwd=tmp_path, env=env)

    assert refreshed.returncode == 0, refreshed.stderr
    no_traceback(refreshed)
    assert feed_server.requests == []  # directly, by the name localhost, by redirect: none
    lines = [line for line in refreshed.stdout.splitlines() if line.startswith("feed ")]
    blocked = [line for line in lines if f":{port}/" in line or "127.0.0.2" in line]
    assert len(blocked) == 3
    assert all("private or reserved address" in line for line in blocked), blocked
    demo = [line for line in lines if "/demo/" in line]
    assert len(demo) == 7 and all(" new entr" in line for line in demo), demo
    assert "CENSORSHIP" in refreshed.stdout  # the demo still alerts in the terminal


def test_a_demo_run_leaves_nothing_in_the_real_database(tmp_path: Path) -> None:
    demo = tocsin("run", "--once", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr

    # Later the operator sets a token: a real deployment starts from a clean database.
    listed = tocsin("feeds", "list", cwd=tmp_path, env=REAL)
    assert listed.returncode == 0, listed.stderr
    assert "no feeds yet" in listed.stdout and "feeds add-catalog" in listed.stdout
    real = tmp_path / "data" / "tocsin.sqlite3"
    assert table(real, "SELECT url FROM feeds") == []
    assert table(real, "SELECT platform FROM chats") == []
    assert table(real, "SELECT value FROM meta WHERE key = 'role'") == [("live",)]
    # The demo's own database still has its feeds, apart.
    assert len(table(tmp_path / "data" / "demo.sqlite3", "SELECT url FROM feeds")) == 7


def test_a_command_that_misses_the_env_file_says_it_is_on_the_demo_database(
    tmp_path: Path,
) -> None:
    real_folder = tmp_path / "deploy"
    real_folder.mkdir()
    (real_folder / ".env").write_text("TELEGRAM_BOT_TOKEN=123456:TEST-token-never-sent\n")
    assert tocsin("feeds", "add", "--no-check", "https://example.org/rss", cwd=real_folder).stdout

    # Run from elsewhere, .env is not found: no token, so this is the demo's database,
    # and the operator is told so instead of seeing an empty production.
    elsewhere = tocsin("feeds", "list", cwd=tmp_path)
    assert elsewhere.returncode == 0
    assert "demo's database" in elsewhere.stderr and ".env" in elsewhere.stderr
    assert table(real_folder / "data" / "tocsin.sqlite3", "SELECT url FROM feeds") == [
        ("https://example.org/rss",)
    ]


def test_the_demo_refuses_a_database_a_platform_has_used(tmp_path: Path) -> None:
    real = tmp_path / "prod.sqlite3"
    added = tocsin(
        "feeds", "add", "--no-check", "https://example.org/rss", cwd=tmp_path,
        env={**REAL, "DATABASE_PATH": str(real)},
    )  # fmt: skip
    assert added.returncode == 0, added.stderr

    pointed = tocsin("run", "--once", cwd=tmp_path, env={"DEMO_DATABASE_PATH": str(real)})

    assert pointed.returncode == 1
    assert "belongs to a real deployment" in pointed.stderr
    assert "DEMO_DATABASE_PATH" in pointed.stderr
    no_traceback(pointed)
    assert table(real, "SELECT kind FROM feeds") == [("news",)]  # no demo feed written


def test_a_real_run_refuses_the_demo_database(tmp_path: Path) -> None:
    assert tocsin("run", "--once", cwd=tmp_path).returncode == 0
    demo_db = tmp_path / "data" / "demo.sqlite3"

    pointed = tocsin("feeds", "list", cwd=tmp_path, env={**REAL, "DATABASE_PATH": str(demo_db)})

    assert pointed.returncode == 1
    assert "holds the embedded demo's data" in pointed.stderr
    assert "DATABASE_PATH" in pointed.stderr
    no_traceback(pointed)


async def test_a_database_from_before_roles_loses_its_demo_leftovers_when_run_for_real(
    tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    path = tmp_path / "old.sqlite3"
    storage = await Storage.open(path)  # as older versions opened it: no role claimed
    try:
        await storage.feeds.add("http://127.0.0.1:9/demo/ovd-info.xml", now=clock(), kind="demo")
        await storage.feeds.add("https://ovd.info/rss", now=clock())
        terminal = await storage.chats.upsert("console", "console", now=clock(), kind="console")
        await storage.chats.subscribe(
            terminal.id, Subscription(terminal.id, CATEGORIES), now=clock(), by="console"
        )
        group = await storage.chats.upsert("telegram", "-100123", now=clock(), kind="supergroup")
        await storage.chats.subscribe(
            group.id, Subscription(group.id, CATEGORIES), now=clock(), by="1"
        )
    finally:
        await storage.close()

    with pytest.raises(StorageError, match="real deployment"):
        await Storage.open(path, role="demo")
    storage = await Storage.open(path, role="live")
    try:
        assert [feed.url for feed in await storage.feeds.all()] == ["https://ovd.info/rss"]
        chats = [chat.platform for chat, _ in await storage.chats.active_subscriptions()]
        assert chats == ["telegram"]
    finally:
        await storage.close()
