"""What a story's reports say together, and when a new report makes it more urgent.

``merge_facts`` is pure: the story's facts and one new report in, the new facts
and the escalations out. A story escalates when

- a second category joins (a block story now also reports detentions);
- the head count at least doubles and grows by at least ten ("более 100" ->
  "more than 1,000"), counted only from reports of detentions;
- a court decision on the detained follows a detention.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.vocabulary import CATEGORIES, Category
from bot.stories.records import DetainedFigure, Escalation, Report, Source, StoryFacts

MIN_GROWTH = 10
GROWTH_FACTOR = 2
MAX_CREDIBLE = 200_000


def merge_facts(
    facts: StoryFacts | None, report: Report
) -> tuple[StoryFacts, tuple[Escalation, ...]]:
    """The facts with one more report, and the escalations it brings."""
    published = report.published.start
    source = Source(
        report.id,
        report.outlet,
        report.link,
        report.lang,
        published,
        report.title or report.summary[:120],
    )
    detained = _credible(report, facts) if report.detained is not None else None
    if facts is None:
        new = StoryFacts(
            sources=(source,),
            first_report_at=published,
            latest_report_at=published,
            categories=report.categories,
            phase=report.phase,
            actor=report.actors[0] if report.actors else None,
            target=_first(report.main_targets or report.targets),
            places=report.places,
            detained=detained,
            court="court" in report.actions and "arrest" in report.categories,
        )
        return new, ()

    categories = _categories(facts.categories, report.categories)
    figure = facts.detained
    if detained is not None and (figure is None or detained.count > figure.count):
        figure = detained
    new = StoryFacts(
        sources=(*facts.sources, source),
        first_report_at=min(facts.first_report_at, published),
        latest_report_at=max(facts.latest_report_at, published),
        categories=categories,
        phase=facts.phase if facts.phase != "none" else report.phase,
        actor=facts.actor or (report.actors[0] if report.actors else None),
        target=facts.target or _first(report.main_targets or report.targets),
        places=tuple(dict.fromkeys((*facts.places, *report.places)))
        if report.places
        else facts.places,
        detained=figure,
        court=facts.court or ("court" in report.actions and "arrest" in categories),
    )
    return new, escalations_between(facts, new)


def escalations_between(before: StoryFacts, after: StoryFacts) -> tuple[Escalation, ...]:
    """What became more urgent from one version of a story's facts to the next."""
    if (
        after.categories is before.categories
        and after.detained is before.detained
        and after.court == before.court
    ):
        return ()  # what escalates is unchanged: most joins
    found: list[Escalation] = []
    added = [c for c in after.categories if c not in before.categories]
    if added and before.categories:
        found.append(
            Escalation("category", f"{', '.join(added)} joined {', '.join(before.categories)}")
        )
    old, new = before.detained, after.detained
    if (
        old is not None
        and new is not None
        and new.count >= GROWTH_FACTOR * old.count
        and new.count - old.count >= MIN_GROWTH
    ):
        found.append(Escalation("detained", f"detained {old.count} -> {new.count}"))
    if after.court and not before.court and "arrest" in before.categories:
        found.append(Escalation("court", "a court decision followed the detentions"))
    return tuple(found)


# The categories of a story and a report, in CATEGORIES order: a handful of
# combinations, each worked out once.
_MERGED: dict[tuple[tuple[Category, ...], tuple[Category, ...]], tuple[Category, ...]] = {}


def _categories(ours: tuple[Category, ...], theirs: tuple[Category, ...]) -> tuple[Category, ...]:
    """Both sets of categories in CATEGORIES order (the story's own tuple when
    the report adds none)."""
    key = (ours, theirs)
    found = _MERGED.get(key)
    if found is None:
        found = tuple(c for c in CATEGORIES if c in ours or c in theirs)
        if len(_MERGED) >= 256:
            _MERGED.clear()
        _MERGED[key] = found
    return ours if found == ours else found


def facts_of(reports: Iterable[Report]) -> StoryFacts:
    """The facts of a story made of these reports, in order (at least one)."""
    facts: StoryFacts | None = None
    for report in reports:
        facts, _ = merge_facts(facts, report)
    if facts is None:
        raise ValueError("a story has at least one report")
    return facts


def _credible(report: Report, facts: StoryFacts | None) -> DetainedFigure | None:
    """The report's head count, when it can stand for the story's.

    Only reports of detentions count (a censorship story's figures are
    pages or fines), and only figures a person could count (not 0, not millions).
    """
    found = report.detained
    if found is None or not 0 < found.count <= MAX_CREDIBLE:
        return None
    about_arrests = "arrest" in report.categories or (
        report.phase == "none" and facts is not None and "arrest" in facts.categories
    )
    if not about_arrests:
        return None
    return DetainedFigure(
        found.count, found.text, found.at_least, report.outlet, report.link, report.id
    )


def _first(items: tuple[str, ...]) -> str | None:
    return items[0] if items else None
