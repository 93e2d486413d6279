"""Helpers for the topic tests' tables, and their own check.

Entries in the tables are written as "title || summary" (the summary may be
left out, and "|| summary" alone is a summary-only entry); families of
examples must say the event in both languages.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from bot.detect import Detection, Detector


def classify(detector: Detector, text: str) -> Detection:
    """An entry written as "title || summary"."""
    title, _, summary = text.partition("||")
    return detector.classify(title.strip(), summary.strip())


def expect_reading(
    detector: Detector,
    text: str,
    expected: tuple[str, ...],
    why: str,
    weak: tuple[str, ...] = (),
) -> None:
    """An entry ("title || summary") reports these categories and weak ones."""
    d = classify(detector, text)
    assert (d.categories, d.weak_categories) == (expected, weak), f"{why}: {d.explanation}"


def one_language_families(
    families: Mapping[str, Sequence[str]], exempt: Collection[str] = ()
) -> list[str]:
    """Families, other than the exempt, whose examples are all Cyrillic or all not."""

    def cyrillic(text: str) -> bool:
        return any("а" <= ch <= "я" for ch in text.lower())

    return [
        name
        for name, texts in families.items()
        if name not in exempt and not (any(map(cyrillic, texts)) and not all(map(cyrillic, texts)))
    ]


def test_an_entry_splits_into_title_and_summary() -> None:
    detector = Detector.load()
    d = classify(detector, "Новости дня || Роскомнадзор заблокировал сайт «Медузы».")
    assert d.categories == ("censorship",)
    assert d.spans[0].start > len("Новости дня")  # found in the summary, after the title
    assert classify(detector, "|| Police detained 30 people at a rally.").categories == ("arrest",)


def test_a_family_needs_both_languages() -> None:
    families = {"both": ["Суд заблокировал сайт", "Court blocks site"], "ru": ["Суд заблокировал"]}
    assert one_language_families(families) == ["ru"]
    assert one_language_families(families, exempt={"ru"}) == []
