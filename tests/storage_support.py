"""Putting entries and events into a real database the way the pipeline does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.domain.alert import Alert
from bot.domain.chat import Platform, Subscription
from bot.domain.detection import Clause, Detection
from bot.domain.vocabulary import CATEGORIES, Category
from bot.pipeline.plan import EntryPlan, plan_entries, text_hash
from bot.storage import Storage
from bot.storage.intents import EditedEntry, IngestBatch, NewEntry, Verdict
from feeds.models import NormalizedEntry


def detection(
    categories: Sequence[Category] = ("censorship",),
    *,
    severity: str = "high",
    explanation: str = "why",
    fields: dict[str, str] | None = None,
    lang: str = "en",
    clauses: Sequence[Clause] = (),
) -> Detection:
    return Detection(
        categories=tuple(categories),
        weak_categories=(),
        modality="event",
        score=0.9,
        severity=severity,
        explanation=explanation,
        spans=(),
        fields=fields or {},
        lang=lang,
        clauses=tuple(clauses),
    )


async def store_entry(
    storage: Storage,
    feed_id: int,
    item: NormalizedEntry,
    now: datetime,
    *,
    verdict: Detection | None = None,
    chat_ids: Sequence[int] = (),
) -> int | None:
    """Store one new entry (with its event and alerts when `verdict` is given); returns
    the event's id, or None when no event was recorded."""
    new = NewEntry(
        item, text_hash(item), Verdict(verdict, tuple(chat_ids)) if verdict is not None else None
    )
    await storage.entries.record(IngestBatch(feed_id, new=(new,)), now)
    known = await storage.entries.known(feed_id, [item.uid])
    if verdict is None or item.uid not in known:
        return None
    rows = await storage.db.fetchall(
        "SELECT id FROM events WHERE entry_id = ?", (known[item.uid].id,)
    )
    return int(rows[0]["id"]) if rows else None


async def store_poll(
    storage: Storage,
    feed_id: int,
    items: Sequence[NormalizedEntry],
    now: datetime,
    *,
    primed: bool = True,
) -> EntryPlan:
    """What a poll of these items stores, as the pipeline decides it (no detection)."""
    known = await storage.entries.known(feed_id, [item.uid for item in items])
    unknown = [item for item in items if item.uid not in known]
    texts = [h for h in (text_hash(item) for item in unknown) if h is not None]
    seen = await storage.entries.texts_seen(feed_id, texts, [i.content_hash for i in unknown])
    plan = plan_entries(items, known, seen, primed=primed, backlog_alerts=0)
    batch = IngestBatch(
        feed_id,
        new=tuple(NewEntry(p.item, p.text_hash) for p in plan.new),
        edited=tuple(EditedEntry(p.entry_id, p.item, p.text_hash) for p in plan.edited),
    )
    await storage.entries.record(batch, now)
    return plan


async def claim_due(storage: Storage, now: datetime, platforms: Sequence[str]) -> list[Alert]:
    """Due outbox rows marked 'sending', as the delivery loop takes them just before
    their requests leave."""
    alerts = await storage.outbox.lease_due(now, platforms)
    started = await storage.outbox.begin_send_many([a.outbox_id for a in alerts])
    return [a for a in alerts if a.outbox_id in started]


async def prepare_database(
    path: Path,
    now: datetime,
    *,
    telegram_chats: Sequence[int] = (),
    discord_channels: Sequence[int] = (),
    feed_urls: Sequence[str] = (),
) -> None:
    """A database for a process to open: private Telegram chats and Discord text
    channels subscribed to every category, and feeds to poll."""
    chats: list[tuple[Platform, int, str]] = [
        *(("telegram", chat_id, "private") for chat_id in telegram_chats),
        *(("discord", channel_id, "guild_text") for channel_id in discord_channels),
    ]
    storage = await Storage.open(path)
    try:
        for platform, external_id, kind in chats:
            chat = await storage.chats.upsert(platform, str(external_id), now=now, kind=kind)
            await storage.chats.subscribe(chat.id, Subscription(chat.id, CATEGORIES), now=now)
        for url in feed_urls:
            await storage.feeds.add(url, now=now)
    finally:
        await storage.close()
