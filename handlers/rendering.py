"""Words an alert uses, in the chat's language, and the text helpers every sender shares."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from bot.domain.alert import Alert
from bot.domain.detection import Clause
from bot.domain.vocabulary import WEAK_MODALITIES
from bot.i18n import has_text, text

FIELD_ORDER = ("actor", "target", "detained", "place")


UTC_MINUTE = "%Y-%m-%d %H:%M UTC"


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
    return text(lang, f"alert.label.{category}")


def labels(alert: Alert) -> str:
    """The alert's categories in the chat's language ("CENSORSHIP + ARRESTS"); a weak
    event's say it is a low-severity note, so no reader takes a threat for a block."""
    lang = alert.chat.language
    if alert.is_weak:
        weak = " + ".join(category_label(c, lang) for c in alert.weak_categories)
        return text(lang, "feedback.weak_label", categories=weak)
    named = " + ".join(category_label(c, lang) for c in alert.categories)
    return named or text(lang, "alert.generic")


def alert_icon(alert: Alert) -> str:
    """The mark before an alert's label: a siren for an event, a note for a weak one."""
    return "ℹ️" if alert.is_weak else "🚨"


def field_name(field: str, lang: str) -> str:
    return text(lang, f"alert.field.{field}")


def severity_word(severity: str, lang: str) -> str:
    return text(lang, f"severity.{severity}") if has_text(f"severity.{severity}") else severity


def source_line(alert: Alert, lang: str) -> str:
    if alert.published_at is None:
        return text(lang, "alert.source", feed=alert.feed_title)
    return text(lang, "alert.source_at", feed=alert.feed_title, when=utc_minute(alert.published_at))


def reasons(clauses: Sequence[Clause], lang: str) -> str:
    """Why, in words: "censorship: who «RKN», action «blocked», what «Signal»"."""
    worded = []
    for clause in clauses:
        parts = [(role, said) for role, said in clause.parts if role != "null"]
        if not parts:
            continue
        named = ", ".join(f"{_role(role, lang)} «{said}»" for role, said in parts)
        head = text(lang, f"alert.category.{clause.category}")
        if clause.modality in WEAK_MODALITIES:
            head += f" ({text(lang, f'alert.modality.{clause.modality}')})"
        worded.append(f"{head}: {named}")
    return "; ".join(worded)


def _role(role: str, lang: str) -> str:
    key = f"alert.role.{role}"
    return text(lang, key) if has_text(key) else role


def why_line(alert: Alert, lang: str) -> str:
    """What the detector matched, so a reader can judge the alert ("" if it gave nothing).

    Events recorded before reasons were kept as records have only the detector's
    English sentence: English chats still get it, others none rather than English.
    """
    worded = reasons(alert.clauses, lang)
    if not worded and lang == "en":
        worded = alert.explanation.strip()
    return text(lang, "alert.why", reasons=worded) if worded else ""


def field_lines(alert: Alert, lang: str) -> list[str]:
    return [
        f"{field_name(key, lang)}: {alert.fields[key]}"
        for key in FIELD_ORDER
        if alert.fields.get(key)
    ]
