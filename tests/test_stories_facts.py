"""Story facts: what the reports say together, and when a story escalates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.stories import (
    DetainedCount,
    Report,
    facts_of,
    merge_facts,
    moment,
    report_from_dict,
    report_to_dict,
    story_from_dict,
    story_to_dict,
)
from bot.stories.records import Story

T0 = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


def make(report_id: str, hours: float = 0.0, count: int | None = None, **fields: Any) -> Report:
    values: dict[str, Any] = {
        "id": report_id,
        "feed": None,
        "title": f"title {report_id}",
        "summary": "",
        "lang": "ru",
        "published": moment(T0 + timedelta(hours=hours)),
        "outlet": f"outlet {report_id}",
        "link": f"https://example.org/{report_id}",
        "categories": ("arrest",),
        "weak_categories": (),
        "modality": "event",
        "phase": "event",
        "places": ("ru/moscow",),
        "detained": DetainedCount(count, f"{count} человек", False) if count else None,
    }
    values.update(fields)
    return Report(**values)


@pytest.mark.parametrize(
    ("before", "after", "escalates"),
    [
        (100, 1000, True),  # "более 100" -> "more than 1,000"
        (10, 20, True),  # doubles and grows by ten
        (5, 12, False),  # doubles, but by seven people
        (100, 150, False),  # grows by fifty, does not double
        (300, 250, False),  # a smaller figure later is not news
        (None, 400, False),  # the first figure is the story's, not an escalation
    ],
)
def test_detained_count_escalates_when_it_doubles_and_grows_by_ten(
    before: int | None, after: int, escalates: bool
) -> None:
    facts, _ = merge_facts(None, make("a", count=before))
    new, escalations = merge_facts(facts, make("b", 2, count=after))
    assert [e.kind for e in escalations] == (["detained"] if escalates else [])
    assert new.detained is not None
    assert new.detained.count == max(after, before or 0)


def test_the_largest_figure_wins_and_keeps_whose_it_is() -> None:
    facts = facts_of([make("a", count=40), make("b", 1, count=300), make("c", 2, count=150)])
    assert facts.detained is not None
    assert (facts.detained.count, facts.detained.outlet) == (300, "outlet b")
    assert facts.detained.link == "https://example.org/b"
    assert facts.detained.report_id == "b"


def test_figures_of_censorship_reports_are_not_head_counts() -> None:
    facts = facts_of([make("a", categories=("censorship",), count=947, places=("ru",))])
    assert facts.detained is None


def test_a_second_category_escalates() -> None:
    facts, _ = merge_facts(None, make("a", categories=("censorship",)))
    new, escalations = merge_facts(facts, make("b", 1, categories=("censorship", "arrest")))
    assert new.categories == ("censorship", "arrest")
    assert [e.kind for e in escalations] == ["category"]
    # Once both are there, more of either is no news.
    _, again = merge_facts(new, make("c", 2, categories=("arrest",)))
    assert again == ()


def test_a_court_decision_after_detentions_escalates() -> None:
    facts, _ = merge_facts(None, make("a", count=150, actions=("detain",)))
    new, escalations = merge_facts(facts, make("b", 26, actions=("court",)))
    assert new.court
    assert [e.kind for e in escalations] == ["court"]
    _, again = merge_facts(new, make("c", 30, actions=("court",)))
    assert again == ()


def test_sources_times_places_and_names_accumulate() -> None:
    facts = facts_of(
        [
            make("a", 5, places=("ru/moscow", "ru"), actors=("police",), lang="ru"),
            make("b", 0, places=("ru/moscow",), lang="en", main_targets=("telegram",)),
            make("c", 9, places=("ru",), targets=("youtube",)),
        ]
    )
    assert facts.outlets == ("outlet a", "outlet b", "outlet c")
    assert [s.lang for s in facts.sources] == ["ru", "en", "ru"]
    assert facts.first_report_at == T0
    assert facts.latest_report_at == T0 + timedelta(hours=9)
    assert facts.places == ("ru/moscow", "ru")
    assert facts.actor == "police"
    assert facts.target == "telegram"


def test_reports_and_stories_survive_storage() -> None:
    report = make(
        "a",
        count=120,
        feed=None,
        names=("nvln",),
        terms=(("задержать", 2), ("москва", 1)),
        shingles=(5, 17),
        days=("2026-03-14",),
    )
    assert report_from_dict(report_to_dict(report)) == report
    story = Story("story:a", 3, "open", ("a", "b"), facts_of([report, make("b", 1, count=300)]))
    assert story_from_dict(story_to_dict(story)) == story


def test_stored_records_of_an_unknown_format_are_refused() -> None:
    stored = report_to_dict(make("a"))
    stored["format"] = 99
    with pytest.raises(ValueError, match="format"):
        report_from_dict(stored)
