"""What a Telegram alert says, read from the fake Bot API after the real delivery path:
every alert says why it fired, escaped, and never at the cost of the limit or the link."""

from __future__ import annotations

import html
import re

import pytest

from bot.domain.detection import Clause
from tests.conftest import FakeClock
from tests.fakes.telegram_api import CANT_PARSE, FakeBotAPI, parse_html, utf16_len
from tests.fakes.telegram_bot import TelegramHarness, add_event, subscribed_chat

# The bot here paces chats at 50/s (quick tests); the fake Bot API is scaled alike.
pytestmark = pytest.mark.telegram_limits(per_chat_per_second=50)


async def deliver_one(tg: TelegramHarness, clock: FakeClock, language: str, **event: object) -> str:
    chat = await subscribed_chat(tg.storage, clock(), 42, language=language)
    event_id = await add_event(tg.storage, clock(), **event)  # type: ignore[arg-type]
    await tg.storage.outbox.enqueue(event_id, [chat], clock())
    assert await tg.app.delivery.drain() == 1
    [sent] = tg.api.delivered
    return sent.text


async def test_the_alert_says_why_it_fired_escaped(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:

    why = 'censorship: actor «<b>Роскомнадзор</b>», action «blocked» & "more"'
    text = await deliver_one(tg, clock, "en", explanation=why)

    problem, visible = parse_html(text)
    assert problem is None
    assert f"<i>Why: {html.escape(why, quote=True)}</i>" in text
    assert f"\nWhy: {why}\n" in visible  # between the excerpt and the link
    assert visible.endswith("🔗 example.org")


async def test_the_why_line_speaks_the_chats_language(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    reason = Clause("arrest", "event", (("action", "задержали"), ("context", "акции")))
    text = await deliver_one(
        tg, clock, "ru", explanation="arrest: action «задержали»", clauses=(reason,)
    )
    assert "<i>Почему: задержания: действие «задержали», обстоятельства «акции»</i>" in text
    assert "arrest" not in text and "action" not in text


@pytest.mark.parametrize("html_refused", [False, True], ids=["html", "plain-fallback"])
async def test_a_huge_explanation_keeps_the_limit_and_the_link(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock, html_refused: bool
) -> None:
    if html_refused:
        telegram_api.fail("sendMessage", CANT_PARSE, when=lambda p: p.get("parse_mode") == "HTML")
    link = 'https://example.org/news?id=1&q="x"&' + "p=1&" * 200
    text = await deliver_one(
        tg,
        clock,
        "en",
        title="Суд <заблокировал> " * 100,
        summary="<script>alert(1)</script> & " * 800,
        fields={key: "<&>" * 500 for key in ("actor", "target", "detained", "place")},
        link=link,
        explanation="actor «<&\"'>» " * 3000,
    )

    assert utf16_len(text) <= 4096
    if html_refused:
        visible = text
        assert visible.endswith("\n" + link)
    else:
        problem, visible = parse_html(text)
        assert problem is None
        [anchor] = re.findall(r'<a href="([^"]*)">', text)
        assert html.unescape(anchor) == link
    [why] = [line for line in visible.splitlines() if line.startswith("Why: ")]
    assert why.startswith("Why: actor «<&\"'>» actor") and why.endswith("…")
    assert 100 < utf16_len(why) <= 400


async def test_an_alert_without_explanation_has_no_empty_why_line(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    text = await deliver_one(tg, clock, "en", explanation="  ")
    assert "Why" not in text
