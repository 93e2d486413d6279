"""Helpers shared by the tests/test_ingest_*.py files: a running Tocsin on a fake clock,
feed documents with dated items, and a notice sink that remembers what it was given."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from html import escape

from bot.app import Tocsin, build_app
from bot.pipeline import CycleReport
from bot.settings import Settings
from bot.storage import Storage
from tests.conftest import FakeClock


@dataclass(frozen=True)
class Item:
    guid: str | None
    title: str
    description: str = ""
    published: datetime | None = None
    # None: a link made from the guid; "" for no <link> at all.
    link: str | None = None


def rss_feed(
    items: Sequence[Item],
    *,
    title: str = "Test feed",
    channel_extra: str = "",
    encoding: str = "utf-8",
    declare: bool = True,
) -> str:
    """An RSS 2.0 document (text; encode it as the test needs). Titles and descriptions
    are inserted as given, so a test can put markup or entities in them."""
    parts = []
    for item in items:
        fields = [f"<title>{item.title}</title>"]
        if item.guid is not None:
            fields.append(f"<guid isPermaLink='false'>{escape(item.guid)}</guid>")
        link = item.link if item.link is not None else f"https://example.org/{item.guid}"
        if link:
            fields.append(f"<link>{escape(link)}</link>")
        if item.description:
            fields.append(f"<description>{item.description}</description>")
        if item.published is not None:
            fields.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        parts.append(f"<item>{''.join(fields)}</item>")
    prolog = f'<?xml version="1.0" encoding="{encoding}"?>' if declare else '<?xml version="1.0"?>'
    return (
        f"{prolog}<rss version='2.0' xmlns:sy='http://purl.org/rss/1.0/modules/syndication/'>"
        f"<channel><title>{title}</title><link>https://example.org/</link>{channel_extra}"
        f"{''.join(parts)}</channel></rss>"
    )


@dataclass
class RecordingSink:
    """A NoticeSink that keeps the texts it was handed (and can be told to fail)."""

    texts: list[str] = field(default_factory=list)
    failing: bool = False
    name: str = "recording"
    language: str = "en"

    async def notify_admins(self, message: str) -> None:
        if self.failing:
            raise ConnectionError("admin chat unreachable")
        self.texts.append(message)


@asynccontextmanager
async def running(
    settings: Settings, clock: FakeClock, out: io.StringIO | None = None
) -> AsyncIterator[Tocsin]:
    """Tocsin as `run` builds it (minus the chat platforms), on a fake clock."""
    async with build_app(
        settings, clock=clock, console_stream=out or io.StringIO(), with_platforms=False
    ) as app:
        yield app


async def entry_rows(storage: Storage, feed_id: int) -> list[sqlite3.Row]:
    """What the database holds for a feed's entries, oldest first (tests read, never write)."""
    return await storage.db.fetchall(
        "SELECT e.*, (SELECT COUNT(*) FROM events v WHERE v.entry_id = e.id) AS events"
        " FROM entries e WHERE e.feed_id = ? ORDER BY e.id",
        (feed_id,),
    )


async def outbox_count(storage: Storage) -> int:
    row = await storage.db.fetchone("SELECT COUNT(*) AS n FROM outbox")
    return int(row["n"]) if row else 0


async def poll_now(app: Tocsin) -> tuple[CycleReport, int]:
    """Every feed, now, whatever the schedule (as `feeds refresh --all`), then deliver."""
    report = await app.pipeline.refresh()
    delivered = await app.delivery.drain()
    return report, delivered
