"""The platform-neutral command service, called as the adapters call it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

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
