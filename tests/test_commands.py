"""The platform-neutral command service, called as the adapters call it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.app import build_app
from bot.settings import Settings
from handlers.service import Caller, ChatRef, CommandService
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
