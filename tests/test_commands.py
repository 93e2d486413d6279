"""The platform-neutral command service, called as the adapters call it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.app import build_app
from bot.settings import Settings
from handlers.commands import Caller, ChatRef, CommandService
from tests.conftest import FakeClock

ADMIN = 7


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("99999999999999999999999", "#99999999999999999999999"),  # past SQLite's integers
        ("²", "²"),  # a digit to str.isdigit(), not to int()
        ("#0", "#0"),
    ],
)
async def test_removefeed_with_an_impossible_id_gets_a_plain_answer(
    make_settings: Callable[..., Settings], clock: FakeClock, argument: str, expected: str
) -> None:
    async with build_app(make_settings(), clock=clock, with_platforms=False) as app:
        service = CommandService(
            app.storage, app.pipeline, admin_ids={"telegram": frozenset({ADMIN})}, clock=clock
        )
        ref = ChatRef("telegram", str(ADMIN), "private")
        reply = await service.remove_feed(ref, Caller(ADMIN), argument)
    assert reply.error
    assert expected in reply.text
    assert "internal" not in reply.text.lower()


async def test_commands_answer_while_a_poll_cycle_holds_the_database_for_writing(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    async with build_app(make_settings(), clock=clock, with_platforms=False) as app:
        service = CommandService(
            app.storage, app.pipeline, admin_ids={"telegram": frozenset({ADMIN})}, clock=clock
        )
        await app.storage.feeds.add("https://example.org/rss", now=clock(), title="Example")
        ref = ChatRef("telegram", str(ADMIN), "private")
        writing, done = asyncio.Event(), asyncio.Event()

        async def long_write() -> None:
            # A cycle storing thousands of entries holds the write lock this long.
            async with app.storage.db.transaction():
                writing.set()
                await done.wait()

        writer = asyncio.create_task(long_write())
        await writing.wait()
        try:
            status = await asyncio.wait_for(service.status(ref, Caller(ADMIN)), 5)
            feeds = await asyncio.wait_for(service.feeds(ref, Caller(ADMIN)), 5)
        finally:
            done.set()
            await writer
    assert "Feeds: 0 ok, 0 failing, 1 not checked yet, 0 disabled" in status.text
    assert "Example" in feeds.text


async def test_missed_takes_a_link_once_per_person_and_twenty_a_day(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    async with build_app(make_settings(), clock=clock, with_platforms=False) as app:
        service = CommandService(app.storage, app.pipeline, admin_ids={}, clock=clock)
        group = ChatRef("telegram", "-100", "supergroup")
        reader, other = Caller(42), Caller(43)
        for n in range(20):
            reply = await service.missed(group, reader, f"https://example.org/news/{n}")
            assert "recorded for the operators" in reply.text
        again = await service.missed(group, reader, "https://example.org/news/3")
        assert "sent this link before" in again.text and not again.refused
        over = await service.missed(group, reader, "https://example.org/news/20")
        assert over.refused and "20 links in the last 24 hours" in over.text
        # Someone else is not held to the reader's count; the reader is, a day later.
        assert "recorded" in (await service.missed(group, other, "https://example.org/a")).text
        clock.advance(hours=24)
        later = await service.missed(group, reader, "https://example.org/news/20")
        assert "recorded for the operators" in later.text
        counted = await app.storage.feedback.counts(clock() - timedelta(days=2))
    assert counted.missed == 22
