"""A chat chooses stories (the default) or every report, in either language, on any
platform; the terminal chooses with CONSOLE_STORIES."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.app import build_app
from bot.settings import Settings
from handlers.commands import Caller, ChatRef, CommandService
from handlers.commands.arguments import parse_subscribe_args
from handlers.console.sender import CONSOLE_CHAT_ID
from handlers.discord.subscriptions import subscribe_argument
from tests.conftest import FakeClock

ADMIN = 7


@pytest.mark.parametrize(
    ("argument", "grouped"),
    [
        ("arrest", True),
        ("arrest every", False),
        ("все каждое", False),
        ("censorship сюжеты", True),
        ("every stories", True),  # the last word wins
    ],
)
def test_subscribe_arguments_say_stories_or_every_report(argument: str, grouped: bool) -> None:
    request = parse_subscribe_args(argument)
    assert request is not None and request.grouped is grouped


def test_discords_delivery_option_becomes_the_same_argument() -> None:
    argument = subscribe_argument("arrest", "ru", None, None, delivery="every")
    request = parse_subscribe_args(argument)
    assert request is not None and not request.grouped and request.languages == ("ru",)


@pytest.mark.parametrize(
    ("lang", "argument", "said"),
    [
        ("en", "arrest every", "a message for every report"),
        ("en", "arrest", "one message per story, updated as reports arrive"),
        ("ru", "arrest every", "сообщение о каждой публикации"),
    ],
)
async def test_the_choice_is_kept_and_told_back(
    make_settings: Callable[..., Settings], clock: FakeClock, lang: str, argument: str, said: str
) -> None:
    async with build_app(make_settings(), clock=clock, with_platforms=False) as app:
        service = CommandService(
            app.storage, app.pipeline, admin_ids={"telegram": frozenset({ADMIN})}, clock=clock
        )
        ref = ChatRef("telegram", str(ADMIN), "private")
        caller = Caller(ADMIN, language_hint=lang)
        reply = await service.subscribe_command(ref, caller, argument)
        assert said in reply.text
        chat = await app.storage.chats.get("telegram", str(ADMIN))
        assert chat is not None
        subscription = await app.storage.chats.subscription(chat.id)
        assert subscription is not None
        assert subscription.grouped is ("every" not in argument)
        listed = await service.subscriptions(ref, caller)
        assert said in listed.text


@pytest.mark.parametrize("stories", [True, False])
async def test_the_terminal_follows_console_stories(
    make_settings: Callable[..., Settings], clock: FakeClock, stories: bool
) -> None:
    for setting in (not stories, stories):  # a change of the setting is taken up
        settings = make_settings(console_chat="on", console_stories=setting)
        async with build_app(settings, clock=clock, with_platforms=False) as app:
            chat = await app.storage.chats.get("console", CONSOLE_CHAT_ID)
            assert chat is not None
            subscription = await app.storage.chats.subscription(chat.id)
            assert subscription is not None and subscription.grouped is setting
