"""How a weak signal reads in an alert, on every platform, in both languages."""

from __future__ import annotations

import dataclasses

import pytest

from bot.domain.detection import Clause
from handlers.console.sender import format_console_alert
from handlers.discord.sender import DEFAULT_COLOUR, build_embed
from handlers.telegram.sender import format_html
from tests.test_i18n import alert_for

THREAT = Clause("censorship", "threat", (("actor", "Роскомнадзор"), ("action", "заблокировать")))


@pytest.mark.parametrize(
    ("language", "note", "kind"),
    [
        ("en", "LOW-SEVERITY NOTE: CENSORSHIP", "censorship (threatened)"),
        ("ru", "ЗАМЕТКА, НИЗКАЯ ВАЖНОСТЬ: ЦЕНЗУРА", "цензура (угроза)"),
    ],
)
def test_a_weak_signal_is_marked_as_a_note_everywhere(language: str, note: str, kind: str) -> None:
    weak = dataclasses.replace(
        alert_for(language),
        categories=(),
        weak_categories=("censorship",),
        severity="low",
        clauses=(THREAT,),
    )
    html = format_html(weak)
    assert html.startswith(f"<b>ℹ️ {note}</b>") and kind in html
    assert note in format_console_alert(weak)
    embed = build_embed(weak)
    assert embed.author.name == note and embed.colour is not None
    assert embed.colour.value == DEFAULT_COLOUR
    # An event keeps its siren and its plain label.
    assert format_html(alert_for(language)).startswith("<b>🚨 ")
    assert "(" not in format_console_alert(alert_for(language)).splitlines()[0].split("━━")[1]


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "ARRESTS + CENSORSHIP (weak signal)"), ("ru", "ЗАДЕРЖАНИЯ + ЦЕНЗУРА (слабый сигнал)")],
)
def test_a_weak_category_beside_an_event_is_named_as_weak(language: str, label: str) -> None:
    mixed = dataclasses.replace(
        alert_for(language), categories=("arrest",), weak_categories=("censorship",)
    )
    assert format_html(mixed).startswith(f"<b>🚨 {label}</b>")
