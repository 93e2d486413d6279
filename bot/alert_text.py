"""Words an alert uses, in the chat's language, and the text helpers every sender shares."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from bot.models import Alert

_LABELS = {
    "en": {"censorship": "CENSORSHIP", "arrest": "ARRESTS"},
    "ru": {"censorship": "ЦЕНЗУРА", "arrest": "ЗАДЕРЖАНИЯ"},
}
_FIELDS = {
    "en": {"actor": "Who", "target": "Target", "detained": "Detained", "place": "Where"},
    "ru": {"actor": "Кто", "target": "Цель", "detained": "Задержано", "place": "Где"},
}
_SOURCE = {"en": "Source", "ru": "Источник"}
_WHY = {"en": "Why", "ru": "Почему"}
FIELD_ORDER = ("actor", "target", "detained", "place")


UTC_MINUTE = "%Y-%m-%d %H:%M UTC"


def _lang(lang: str) -> str:
    return lang if lang in _LABELS else "en"


def utf16_len(value: str) -> int:
    """Length as Telegram and Discord count it: UTF-16 code units (astral emoji count two)."""
    return len(value.encode("utf-16-le")) // 2


def one_line(value: str) -> str:
    """Every run of whitespace, line breaks included, as one space; trimmed."""
    return " ".join(value.split())


def utc_minute(moment: datetime) -> str:
    """A moment as every Tocsin message writes it: "2026-03-01 14:05 UTC"."""
    return moment.strftime(UTC_MINUTE)


def safe_link(link: str | None, max_length: int) -> str | None:
    """The link if it is an absolute http(s) address of at most `max_length` characters
    with no whitespace in it; anything else from a feed is dropped."""
    if not link:
        return None
    candidate = link.strip()
    if len(candidate) > max_length or any(ch.isspace() for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or not parts.hostname:
        return None
    return candidate


def category_label(category: str, lang: str) -> str:
    return _LABELS[_lang(lang)].get(category, category.upper())


def labels(alert: Alert) -> str:
    """The alert's categories in the chat's language ("CENSORSHIP + ARRESTS"), "" if none."""
    return " + ".join(category_label(c, alert.chat.language) for c in alert.categories)


def field_name(field: str, lang: str) -> str:
    return _FIELDS[_lang(lang)].get(field, field)


def source_line(alert: Alert, lang: str) -> str:
    when = utc_minute(alert.published_at) if alert.published_at else ""
    return f"{_SOURCE[_lang(lang)]}: {alert.feed_title}" + (f", {when}" if when else "")


def why_line(alert: Alert, lang: str) -> str:
    """What the detector matched, so a reader can judge the alert ("" if it gave nothing)."""
    return f"{_WHY[_lang(lang)]}: {alert.explanation}" if alert.explanation.strip() else ""


def field_lines(alert: Alert, lang: str) -> list[str]:
    return [
        f"{field_name(key, lang)}: {alert.fields[key]}"
        for key in FIELD_ORDER
        if alert.fields.get(key)
    ]
