"""A story message's words, in the chat's language, for every platform to format.

The lines are plain, untrusted text (titles and outlet names come from feeds):
each platform escapes them its own way. A story row carries the story as it is
when the row leaves (`Alert.story`), so a message always shows the latest facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.alert import Alert
from bot.i18n import text
from bot.stories.records import Source, Story
from handlers.rendering import category_label, one_line, utc_minute

# Outlets named after the first one; the rest are counted: "Mediazona, Meduza (+3)".
NAMED_OUTLETS = 2
PLACES_SHOWN = 4


@dataclass(frozen=True)
class StoryLines:
    header: str  # "ARRESTS · story"
    title: str
    link: str | None  # the link of the report the title is from
    facts: tuple[str, ...]  # "Detained: 1,200+ (OVD-Info)", "Where: Moscow"
    sources: tuple[str, ...]  # "First: OVD-Info, ...", "Also reported by: ..."
    times: str  # "Reports from ... to ..."


def format_count(count: int, at_least: bool, lang: str) -> str:
    """1200 -> "1,200+" in English, "1 200+" in Russian ("+" when it is a floor)."""
    grouped = f"{count:,}"
    if lang == "ru":
        grouped = grouped.replace(",", "\u00a0")
    return grouped + ("+" if at_least else "")


def story_labels(story: Story, lang: str) -> str:
    named = " + ".join(category_label(c, lang) for c in story.facts.categories)
    return named or text(lang, "alert.generic")


def headline_source(story: Story, lang: str) -> Source | None:
    """The report whose title heads the message: the first in the chat's language."""
    sources = story.facts.sources
    for source in sources:
        if source.lang == lang and one_line(source.title):
            return source
    return next((s for s in sources if one_line(s.title)), sources[0] if sources else None)


def place_names(story: Story, names: Mapping[str, Mapping[str, str]], lang: str) -> list[str]:
    shown: list[str] = []
    for place in story.facts.places[:PLACES_SHOWN]:
        found = names.get(place, {})
        name = found.get(lang) or found.get("en") or ""
        if name and name not in shown:
            shown.append(name)
    return shown


def story_lines(alert: Alert) -> StoryLines:
    story = alert.story
    assert story is not None, "a story row"
    lang = alert.chat.language
    facts = story.facts
    head = headline_source(story, lang)
    fact_lines: list[str] = []
    if facts.detained is not None:
        figure = facts.detained
        count = format_count(figure.count, figure.at_least, lang)
        fact_lines.append(
            text(lang, "stories.detained", count=count, outlet=one_line(figure.outlet))
        )
    places = place_names(story, alert.place_names, lang)
    if places:
        fact_lines.append(text(lang, "stories.places", places=", ".join(places)))
    outlets = [one_line(o) for o in facts.outlets if one_line(o)]
    source_lines: list[str] = []
    if outlets:
        first = facts.sources[0]
        source_lines.append(
            text(lang, "stories.first", outlet=outlets[0], when=utc_minute(first.published))
        )
    others = outlets[1:]
    if others:
        named = ", ".join(others[:NAMED_OUTLETS])
        if len(others) > NAMED_OUTLETS:
            named += " " + text(lang, "stories.more", count=len(others) - NAMED_OUTLETS)
        source_lines.append(text(lang, "stories.also", outlets=named))
    return StoryLines(
        header=text(lang, "stories.header", labels=story_labels(story, lang)),
        title=one_line(head.title) if head else "",
        link=head.link if head else None,
        facts=tuple(fact_lines),
        sources=tuple(source_lines),
        times=text(
            lang,
            "stories.times",
            first=utc_minute(facts.first_report_at),
            latest=utc_minute(facts.latest_report_at),
        ),
    )


def escalation_text(alert: Alert) -> str:
    """The short reply an escalation sends: one line per escalation."""
    story = alert.story
    assert story is not None, "a story row"
    lang = alert.chat.language
    lines: list[str] = []
    for kind in alert.escalations:
        if kind == "detained" and story.facts.detained is not None:
            figure = story.facts.detained
            count = format_count(figure.count, figure.at_least, lang)
            lines.append(
                text(lang, "stories.reply_detained", count=count, outlet=one_line(figure.outlet))
            )
        elif kind == "category":
            lines.append(text(lang, "stories.reply_category", labels=story_labels(story, lang)))
        elif kind == "court":
            lines.append(text(lang, "stories.reply_court"))
    return "\n".join(lines) or text(lang, "stories.header", labels=story_labels(story, lang))
