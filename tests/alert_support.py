"""Alerts and stories as storage hands them to a sender, built directly for tests
that need no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.alert import Alert
from bot.domain.chat import Chat
from bot.stories.records import DetainedFigure, Source, Story, StoryFacts

T0 = datetime(2026, 5, 9, 8, 0, tzinfo=UTC)


def an_alert(chat: Chat, outbox_id: int, **extra: object) -> Alert:
    """An alert of an arrest event for `chat`, with empty texts; `extra` sets any field."""
    base = Alert(
        outbox_id=outbox_id,
        event_id=1,
        chat=chat,
        categories=("arrest",),
        severity="high",
        explanation="",
        fields={},
        title="",
        summary="",
        link=None,
        published_at=None,
        feed_title="",
        feed_url="",
        entry_lang="en",
    )
    return replace(base, **extra)  # type: ignore[arg-type]


def a_story(version: int, outlets: tuple[str, ...], count: int) -> Story:
    """A story of arrests at a rally, `version` as stored, one report per outlet (ten
    minutes apart) and `count` detained as the first outlet reports it."""
    sources = tuple(
        Source(
            f"r{n}",
            outlet,
            f"https://news.example/{n}",
            "en",
            T0 + timedelta(minutes=10 * n),
            "Police detain dozens at a rally on the river embankment",
        )
        for n, outlet in enumerate(outlets)
    )
    return Story(
        id="story:r0",
        version=version,
        state="open",
        members=tuple(s.report_id for s in sources),
        facts=StoryFacts(
            sources=sources,
            first_report_at=sources[0].published,
            latest_report_at=sources[-1].published,
            categories=("arrest",),
            phase="event",
            actor=None,
            target=None,
            places=("ru/samara",),
            detained=DetainedFigure(count, f"{count} people", True, outlets[0], None, "r0"),
        ),
    )
