"""The message catalogs: every key in every language, and Russian chats read Russian."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime

import pytest

from bot.domain.alert import Alert
from bot.domain.chat import Chat
from bot.domain.detection import Clause
from bot.i18n import DEFAULT_LANGUAGE, catalog_keys, languages, text
from handlers.console.sender import format_console_alert
from handlers.rendering import why_line

# Latin words a Russian text may carry: names, formats and the commands' own words.
ALLOWED_LATIN = {
    "tocsin", "rss", "atom", "json", "http", "https", "url", "id", "telegram", "discord",
    "censorship", "arrest", "all", "ru", "en", "lang", "tiktok", "vpn", "utc", "token",
    "start", "help", "subscribe", "unsubscribe", "subscriptions", "feeds", "addfeed",
    "removefeed", "status", "missed", "feedback", "weak", "every", "stories", "grouped",
}  # fmt: skip


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def latin_words(russian: str) -> set[str]:
    bare = re.sub(r"\{[^}]*\}|/\w+|https?://\S+|<[^>]*>", " ", russian)
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", bare)} - ALLOWED_LATIN


def test_every_language_has_every_key_and_only_placeholders_the_callers_fill() -> None:
    reference = catalog_keys(DEFAULT_LANGUAGE)
    assert len(languages()) >= 2
    for lang in languages():
        assert catalog_keys(lang) == reference, lang
        for key in reference:
            # A language may leave a value out ("здесь" for "this chat"), never ask for
            # one the code does not give.
            own = placeholders(text(lang, key))
            assert own <= placeholders(text(DEFAULT_LANGUAGE, key)), (lang, key)


@pytest.mark.parametrize("key", sorted(catalog_keys("ru")))
def test_no_english_in_the_russian_catalog(key: str) -> None:
    assert latin_words(text("ru", key)) == set(), key


def alert_for(lang: str) -> Alert:
    chat = Chat(1, "console", "terminal", "", "console", "terminal", lang, True)
    clause = Clause(
        "censorship",
        "event",
        (("actor", "Роскомнадзор"), ("action", "потребовал удалить"), ("object", "видео")),
    )
    return Alert(
        outbox_id=1,
        event_id=1,
        chat=chat,
        categories=("censorship",),
        severity="high",
        explanation="censorship: actor «Роскомнадзор», action «потребовал удалить»",
        fields={"actor": "Роскомнадзор", "target": "TikTok"},
        title="Роскомнадзор потребовал от TikTok удалить видео",
        summary="",
        link="https://example.org/1",
        published_at=datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
        feed_title="Медиазона",
        feed_url="https://example.org/rss",
        entry_lang="ru",
        clauses=(clause,),
    )


def test_a_russian_chat_reads_its_alert_in_russian() -> None:
    printed = format_console_alert(alert_for("ru"))
    assert "ЦЕНЗУРА" in printed and "Источник: Медиазона" in printed
    assert "Почему: цензура: кто «Роскомнадзор», действие «потребовал удалить»" in printed
    assert "(высокая)" in printed
    for english in ("censorship", "actor", "action", "high", "Why", "Source", "Target"):
        assert english not in printed, english


def test_an_english_chat_reads_the_same_alert_in_english() -> None:
    alert = alert_for("en")
    assert why_line(alert, "en").startswith("Why: censorship: who «Роскомнадзор», action «")
    assert "CENSORSHIP" in format_console_alert(alert)
