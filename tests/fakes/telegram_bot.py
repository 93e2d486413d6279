"""Tocsin's Telegram side, wired as the composition root wires it, against `FakeBotAPI`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.app import Tocsin, build_app
from bot.delivery.ratelimit import RateLimiter
from bot.domain.chat import Subscription
from bot.domain.detection import Clause
from bot.domain.vocabulary import CATEGORIES, Category
from bot.settings import Settings
from bot.storage import Storage
from bot.timeutil import Clock
from feeds.models import NormalizedEntry
from handlers.commands import CommandService
from handlers.telegram.runtime import TelegramRuntime
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.storage_support import detection, store_entry

ADMIN_ID = 700


@dataclass
class TelegramHarness:
    app: Tocsin
    service: CommandService
    runtime: TelegramRuntime
    api: FakeBotAPI

    @property
    def storage(self) -> Storage:
        return self.app.storage


def telegram_settings(
    make_settings: Callable[..., Settings], api: FakeBotAPI, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_url": api.base_url,
        "telegram_admin_ids": str(ADMIN_ID),
    }
    values.update(overrides)
    return make_settings(**values)


@asynccontextmanager
async def telegram_bot(
    settings: Settings,
    clock: Clock,
    api: FakeBotAPI,
    *,
    start: bool = True,
    limiter: RateLimiter | None = None,
) -> AsyncIterator[TelegramHarness]:
    async with build_app(settings, clock=clock, with_platforms=False, embedded=False) as app:
        service = CommandService(
            app.storage,
            app.pipeline,
            admin_ids={"telegram": frozenset(settings.telegram_admin_ids)},
            clock=clock,
        )
        runtime = TelegramRuntime(settings, service, limiter=limiter, polling_timeout=1)
        app.delivery.add_sender(runtime.sender)
        if start:
            await runtime.start()
        try:
            yield TelegramHarness(app, service, runtime, api)
        finally:
            await runtime.stop()


async def add_event(
    storage: Storage,
    now: datetime,
    *,
    title: str = "Roskomnadzor blocked Signal",
    summary: str = "The regulator restricted access to the messenger.",
    link: str | None = "https://example.org/news/1",
    categories: tuple[Category, ...] = ("censorship",),
    fields: dict[str, str] | None = None,
    feed_url: str = "https://example.org/feed.xml",
    uid: str | None = None,
    explanation: str = "test",
    clauses: tuple[Clause, ...] = (),
) -> int:
    """Store a feed (once), an entry and its event, as the pipeline would; return the event id."""
    feed = await storage.feeds.get_by_url(feed_url)
    if feed is None:
        feed = await storage.feeds.add(feed_url, now=now, title="Example News")
    entry = NormalizedEntry(
        uid=uid or f"{title}-{now.isoformat()}-{summary[:10]}",
        content_hash=str(hash((title, summary))),
        title=title,
        summary=summary,
        link=link,
        published_at=now,
        lang="en",
    )
    event_id = await store_entry(
        storage,
        feed.id,
        entry,
        now,
        verdict=detection(
            categories, explanation=explanation, fields=fields or {}, clauses=clauses
        ),
    )
    assert event_id is not None
    return event_id


async def subscribed_chat(
    storage: Storage,
    now: datetime,
    external_id: int,
    *,
    kind: str = "private",
    thread_id: str = "",
    language: str = "en",
) -> int:
    chat = await storage.chats.upsert(
        "telegram", str(external_id), now=now, kind=kind, thread_id=thread_id, language=language
    )
    await storage.chats.subscribe(chat.id, Subscription(chat.id, CATEGORIES), now=now)
    return chat.id
