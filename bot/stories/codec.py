"""Reports and stories as JSON-ready dicts and back, for storage.

Times become ISO 8601 strings with their UTC offset; tuples become lists. The
dicts hold plain values only, so a store can keep them as JSON columns and a
renderer can read them without this package.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from bot.domain.vocabulary import Category, is_category
from bot.stories.records import (
    DetainedCount,
    DetainedFigure,
    FeedKey,
    Phase,
    Precision,
    Report,
    Source,
    Story,
    StoryFacts,
    StoryState,
    TimeSpan,
)

FORMAT = 1  # bumped when a field changes meaning; readers refuse what they do not know


def report_to_dict(report: Report) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "id": report.id,
        "feed": [report.feed.feed, report.feed.uid] if report.feed else None,
        "title": report.title,
        "summary": report.summary,
        "lang": report.lang,
        "published": _span_out(report.published),
        "outlet": report.outlet,
        "link": report.link,
        "categories": list(report.categories),
        "weak_categories": list(report.weak_categories),
        "modality": report.modality,
        "phase": report.phase,
        "actors": list(report.actors),
        "targets": list(report.targets),
        "main_targets": list(report.main_targets),
        "target_kinds": list(report.target_kinds),
        "actions": list(report.actions),
        "context": list(report.context),
        "places": list(report.places),
        "countries": list(report.countries),
        "names": list(report.names),
        "numbers": list(report.numbers),
        "days": list(report.days),
        "detained": (
            [report.detained.count, report.detained.text, report.detained.at_least]
            if report.detained
            else None
        ),
        "terms": [[t, n] for t, n in report.terms],
        "shingles": list(report.shingles),
    }


def report_from_dict(data: Mapping[str, Any]) -> Report:
    _check_format(data)
    feed = data.get("feed")
    detained = data.get("detained")
    return Report(
        id=str(data["id"]),
        feed=FeedKey(str(feed[0]), str(feed[1])) if feed else None,
        title=str(data["title"]),
        summary=str(data["summary"]),
        lang=str(data["lang"]),
        published=_span_in(data["published"]),
        outlet=str(data["outlet"]),
        link=data.get("link"),
        categories=_categories(data["categories"]),
        weak_categories=_categories(data["weak_categories"]),
        modality=str(data["modality"]),
        phase=cast(Phase, data["phase"]),
        actors=_strings(data["actors"]),
        targets=_strings(data["targets"]),
        main_targets=_strings(data["main_targets"]),
        target_kinds=_strings(data["target_kinds"]),
        actions=_strings(data["actions"]),
        context=_strings(data.get("context", ())),
        places=_strings(data["places"]),
        countries=_strings(data["countries"]),
        names=_strings(data["names"]),
        numbers=tuple(int(n) for n in data["numbers"]),
        days=_strings(data["days"]),
        detained=(
            DetainedCount(int(detained[0]), str(detained[1]), bool(detained[2]))
            if detained
            else None
        ),
        terms=tuple((str(t), int(n)) for t, n in data["terms"]),
        shingles=tuple(int(h) for h in data["shingles"]),
    )


def story_to_dict(story: Story) -> dict[str, Any]:
    facts = story.facts
    return {
        "format": FORMAT,
        "id": story.id,
        "version": story.version,
        "state": story.state,
        "members": list(story.members),
        "facts": {
            "sources": [
                {
                    "report_id": s.report_id,
                    "outlet": s.outlet,
                    "link": s.link,
                    "lang": s.lang,
                    "published": s.published.isoformat(),
                    "title": s.title,
                }
                for s in facts.sources
            ],
            "first_report_at": facts.first_report_at.isoformat(),
            "latest_report_at": facts.latest_report_at.isoformat(),
            "categories": list(facts.categories),
            "phase": facts.phase,
            "actor": facts.actor,
            "target": facts.target,
            "places": list(facts.places),
            "detained": (
                {
                    "count": facts.detained.count,
                    "text": facts.detained.text,
                    "at_least": facts.detained.at_least,
                    "outlet": facts.detained.outlet,
                    "link": facts.detained.link,
                    "report_id": facts.detained.report_id,
                }
                if facts.detained
                else None
            ),
            "court": facts.court,
        },
    }


def story_from_dict(data: Mapping[str, Any]) -> Story:
    _check_format(data)
    f = data["facts"]
    d = f.get("detained")
    facts = StoryFacts(
        sources=tuple(
            Source(
                str(s["report_id"]),
                str(s["outlet"]),
                s.get("link"),
                str(s["lang"]),
                _time(s["published"]),
                str(s["title"]),
            )
            for s in f["sources"]
        ),
        first_report_at=_time(f["first_report_at"]),
        latest_report_at=_time(f["latest_report_at"]),
        categories=_categories(f["categories"]),
        phase=cast(Phase, f["phase"]),
        actor=f.get("actor"),
        target=f.get("target"),
        places=_strings(f["places"]),
        detained=(
            DetainedFigure(
                int(d["count"]),
                str(d["text"]),
                bool(d["at_least"]),
                str(d["outlet"]),
                d.get("link"),
                str(d["report_id"]),
            )
            if d
            else None
        ),
        court=bool(f.get("court", False)),
    )
    return Story(
        id=str(data["id"]),
        version=int(data["version"]),
        state=cast(StoryState, data["state"]),
        members=_strings(data["members"]),
        facts=facts,
    )


def _check_format(data: Mapping[str, Any]) -> None:
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown story record format {data.get('format')!r}")


def _span_out(span: TimeSpan) -> list[str]:
    return [span.start.isoformat(), span.end.isoformat(), span.precision]


def _span_in(value: Any) -> TimeSpan:
    start, end, precision = value
    return TimeSpan(_time(start), _time(end), cast(Precision, precision))


def _time(text: Any) -> datetime:
    moment = datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        raise ValueError(f"stored time without an offset: {text!r}")
    return moment


def _strings(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def _categories(values: Any) -> tuple[Category, ...]:
    return tuple(v for v in values if is_category(v))
