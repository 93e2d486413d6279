"""Words an alert uses, in the chat's language, shared by every sender."""

from __future__ import annotations

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
FIELD_ORDER = ("actor", "target", "detained", "place")


def _lang(lang: str) -> str:
    return lang if lang in _LABELS else "en"


def category_label(category: str, lang: str) -> str:
    return _LABELS[_lang(lang)].get(category, category.upper())


def field_name(field: str, lang: str) -> str:
    return _FIELDS[_lang(lang)].get(field, field)


def source_line(alert: Alert, lang: str) -> str:
    when = alert.published_at.strftime("%Y-%m-%d %H:%M UTC") if alert.published_at else ""
    return f"{_SOURCE[_lang(lang)]}: {alert.feed_title}" + (f", {when}" if when else "")


def field_lines(alert: Alert, lang: str) -> list[str]:
    return [
        f"{field_name(key, lang)}: {alert.fields[key]}"
        for key in FIELD_ORDER
        if alert.fields.get(key)
    ]
