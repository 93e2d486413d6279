"""Readers' feedback on Discord, through the real runtime against the fake Discord: the
"false alarm" button under every alert (a persistent button answering the presser
alone), /missed, and /subscribe's weak-signals option, in both languages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.delivery import Delivery
from bot.settings import Settings
from tests.conftest import FakeClock
from tests.fakes.discord_api import MEMBER_PERMISSIONS, TEXT, FakeDiscord, validate_message
from tests.test_discord_commands import (
    ADMIN,
    MANAGER,
    World,
    ask,
    content,
    deferred_answers,
    ephemeral,
    running_world,
    split,
    subscription_of,
)
from tests.test_discord_sender import queue_alert


@pytest.fixture
async def world(make_settings: Callable[..., Settings], clock: FakeClock) -> AsyncIterator[World]:
    async with running_world(make_settings, clock) as started:
        yield started


async def alert_in(world: World, clock: FakeClock, language: str) -> tuple[int, dict[str, Any]]:
    """An alert delivered by the runtime's sender to a channel speaking `language`:
    (event id, the message as Discord stored it)."""
    channel = world.fake.add_channel(TEXT, f"alerts-{language}")
    chat = await world.app.storage.chats.upsert(
        "discord", str(channel.id), now=clock(), kind="guild_text", language=language
    )
    event = await queue_alert(world.app.storage, clock, chat)
    delivery = Delivery(world.app.storage, {"discord": world.runtime.sender}, clock=clock)
    assert await delivery.drain() == 1
    [stored] = world.fake.messages(channel)
    return event, stored | {"channel": channel}


async def press(world: World, stored: dict[str, Any], user_id: int, locale: str) -> str:
    channel = stored["channel"]
    [[button]] = [row["components"] for row in stored["components"]]
    payload = world.fake.component(
        button["custom_id"],
        channel=channel,
        user_id=user_id,
        permissions=MEMBER_PERMISSIONS,
        components=stored["components"],
    )
    payload["locale"] = locale
    [answer] = deferred_answers(*split(await world.fake.interact(payload, replies=2)))
    assert ephemeral(answer)  # the channel sees nothing of it
    return content(answer)


@pytest.mark.parametrize(
    ("language", "label", "thanks", "again"),
    [
        ("en", "False alarm", "Thank you: marked as a false alarm", "already marked"),
        ("ru", "Ложная тревога", "Спасибо: отмечено как ложная тревога", "уже отметили"),
    ],
)
async def test_every_alert_carries_a_false_alarm_button_counted_once_per_person(
    world: World, clock: FakeClock, language: str, label: str, thanks: str, again: str
) -> None:
    event, stored = await alert_in(world, clock, language)
    [[button]] = [row["components"] for row in stored["components"]]
    assert (button["label"], button["custom_id"]) == (label, f"tocsin-fa:{event}")
    assert thanks in await press(world, stored, 5001, "en-US")
    assert again in await press(world, stored, 5001, "en-US")
    assert thanks in await press(world, stored, 5002, "ru")
    [flagged] = await world.app.storage.feedback.flagged(clock() - timedelta(days=1))
    assert (flagged.event_id, flagged.flags) == (event, 2)
    assert len(world.fake.messages(stored["channel"])) == 1


async def test_the_button_of_an_event_since_deleted_says_so(world: World, clock: FakeClock) -> None:
    _, stored = await alert_in(world, clock, "en")
    for feed in await world.app.storage.feeds.all():
        await world.app.storage.feeds.remove(feed.id)  # its entries and events go too
    assert "no longer stored" in await press(world, stored, 5001, "en-US")


async def test_missed_is_recorded_for_the_operators_who_see_it_in_status(world: World) -> None:
    [reply] = await ask(world, "missed", {"link": "https://example.org/story"})
    assert ephemeral(reply) and "the link is recorded" in content(reply)
    [reply] = await ask(world, "missed", {"link": "see example.org"}, locale="ru")
    assert "не веб-адрес" in content(reply)
    [status] = await ask(world, "status", user_id=ADMIN)
    assert "0 false-alarm marks on 0 alerts; 1 missed links" in content(status)
    assert "https://example.org/story" in content(status)


async def test_subscribe_with_weak_signals_and_the_button_to_stop_them(world: World) -> None:
    [reply] = await ask(world, "subscribe", {"category": "all", "weak": True}, permissions=MANAGER)
    assert "also weak signals (threats, plans, bills, lifted bans)" in content(reply)
    subscription = await subscription_of(world, world.channel)
    assert subscription is not None and subscription.min_severity == "low"
    press = world.fake.component("tocsin:weak:off", channel=world.channel, permissions=MANAGER)
    [done] = deferred_answers(*split(await world.fake.interact(press, replies=2)))
    assert "events only" in content(done)
    [[back]] = [row["components"] for row in done["components"]]
    assert (back["custom_id"], back["label"]) == ("tocsin:weak:on", "Also weak signals")
    subscription = await subscription_of(world, world.channel)
    assert subscription is not None and subscription.min_severity == "medium"


async def test_subscribe_refuses_a_language_the_detector_does_not_read(world: World) -> None:
    [reply] = await ask(world, "subscribe", {"languages": "ru kk"}, permissions=MANAGER)
    assert ephemeral(reply) and "cannot find events in sources in “kk”" in content(reply)
    assert await subscription_of(world, world.channel) is None


@pytest.mark.parametrize(
    ("components", "broken"),
    [
        (
            [
                {
                    "type": 1,
                    "components": [{"type": 2, "style": 2, "label": "x" * 81, "custom_id": "a"}],
                }
            ],
            "label",
        ),
        (
            [
                {
                    "type": 1,
                    "components": [{"type": 2, "style": 2, "label": "x", "custom_id": "a" * 101}],
                }
            ],
            "custom_id",
        ),
        (
            [
                {
                    "type": 1,
                    "components": [{"type": 2, "style": 2, "label": "x", "custom_id": "a"}] * 2,
                }
            ],
            "duplicate",
        ),
        ([{"type": 1, "components": []}], "components.0.components"),
        ([{"type": 2, "style": 2, "label": "x", "custom_id": "a"}], "components.0.type"),
    ],
)
def test_the_fake_discord_refuses_components_discord_refuses(
    components: list[dict[str, Any]], broken: str
) -> None:
    assert broken in (validate_message({"content": "x", "components": components}) or "")


async def test_the_fake_discord_takes_one_initial_response_per_interaction() -> None:
    import aiohttp

    async with FakeDiscord() as fake:
        url = f"{fake.api_base}/interactions/77/itoken.77/callback"
        async with aiohttp.ClientSession() as session:
            first = await session.post(url, json={"type": 5, "data": {}})
            second = await session.post(url, json={"type": 4, "data": {"content": "x"}})
            assert first.status == 200
            assert second.status == 400 and (await second.json())["code"] == 40060
