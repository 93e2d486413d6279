"""The grouping decision on hand-made evidence: one signal at a time.

Reports are built as records here so each case changes exactly the signal it is
about; tests/test_stories_near_misses.py runs the same kinds of cases through
the detector on written text.
"""

from __future__ import annotations

import pickle
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.detect import Detector
from bot.stories import Decision, FeedKey, Grouper, GroupingConfig, Report, moment, story_to_dict
from bot.stories.gazetteer import Gazetteer

T0 = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    rulesets = Detector.load().rulesets
    return Gazetteer.load({lang: r.language.analyser for lang, r in rulesets.items()})


def make(report_id: str, hours: float = 0.0, **fields: Any) -> Report:
    """A detention report from Moscow unless told otherwise."""
    values: dict[str, Any] = {
        "id": report_id,
        "feed": None,
        "title": "",
        "summary": "",
        "lang": "en",
        "published": moment(T0 + timedelta(hours=hours)),
        "outlet": f"outlet {report_id}",
        "link": None,
        "categories": ("arrest",),
        "weak_categories": (),
        "modality": "event",
        "phase": "event",
        "actions": ("detain",),
        "context": ("detain", "protest"),
        "places": ("ru/moscow",),
        "countries": ("ru",),
        "terms": (("detain", 1), ("rally", 1), ("square", 1)),
    }
    values.update(fields)
    return Report(**values)


def block(report_id: str, hours: float = 0.0, target: str = "signal", **fields: Any) -> Report:
    """A report of a Russian block of a platform."""
    values: dict[str, Any] = {
        "categories": ("censorship",),
        "actions": ("block",),
        "context": ("block",),
        "places": ("ru",),
        "countries": ("ru",),
        "main_targets": (target,),
        "targets": (target,),
        "actors": ("roskomnadzor",),
        "terms": (("block", 1), ("messenger", 1), (target, 1), ("regulator", 1)),
    }
    values.update(fields)
    return make(report_id, hours, **values)


def grouper(gazetteer: Gazetteer, *reports: Report, **config: Any) -> Grouper:
    g = Grouper(GroupingConfig(**config), places=gazetteer)
    for r in reports:
        g.assign(r)
    return g


CASES = [
    # (case, earlier reports, the new one, expected action, words the why must hold)
    (
        "same city, same day, other outlet",
        [make("a")],
        make("b", 3, terms=(("police", 1), ("detain", 1))),
        "join",
        "city ru/moscow",
    ),
    (
        "another city the same day",
        [make("a")],
        make("b", 1, places=("ru/saint-petersburg",)),
        "new",
        "another place",
    ),
    (
        "the same city a week later",
        [make("a")],
        make("b", 24 * 7),
        "new",
        "past the",
    ),
    (
        "the same city, the report names a later day",
        [make("a", days=("2026-03-12",))],
        make("b", 20, days=("2026-03-14",)),
        "new",
        "another day",
    ),
    (
        "a roundup naming the day a wave began",
        [make("a", days=("2026-03-14",))],
        make("b", 20, days=("2026-03-10",), numbers=(1900,), names=("vmgl",)),
        "join",
        "another day 2026-03-10 vs 2026-03-14 -1.50",
    ),
    (
        "another country",
        [block("a")],
        block("b", 2, places=("tr",), countries=("tr",), actors=()),
        "new",
        "another country",
    ),
    (
        "the same platform, same day, other wording",
        [block("a")],
        block("b", 5, terms=(("restrict", 1), ("signal", 1))),
        "join",
        "target signal",
    ),
    (
        "another platform blocked the same day",
        [block("a")],
        block("b", 1, target="discord"),
        "new",
        "another target",
    ),
    (
        "a block and its lifting",
        [block("a")],
        block("b", 24 * 4, phase="lifted", categories=(), weak_categories=("censorship",)),
        "new",
        "another phase",
    ),
    (
        "a threat and the block",
        [block("a", phase="announced", categories=(), weak_categories=("censorship",))],
        block("b", 6),
        "new",
        "another phase",
    ),
    (
        "a fine and a block of the same platform",
        [block("a", actions=("fine",))],
        block("b", 10),
        "new",
        "another step",
    ),
    (
        "a second fine on the same company weeks later",
        [block("a", actions=("fine",), target="google")],
        block("b", 24 * 21, actions=("fine",), target="google"),
        "new",
        "happens once",
    ),
    (
        "a block still reported ten days on",
        [block("a"), block("a2", 2)],
        block("b", 24 * 10, names=("xyz",), numbers=(947,)),
        "join",
        "follow-up",
    ),
    (
        "detentions and a block: another category",
        [make("a")],
        block("b", 1),
        "new",
        "another category",
    ),
    (
        "Russian and English reports of one block",
        [block("a", lang="ru", terms=(("заблокировать", 1), ("signal", 1)))],
        block("b", 4, terms=(("block", 1), ("signal", 1))),
        "join",
        "target signal",
    ),
    (
        "no event found, only place and time in common",
        [make("a")],
        make(
            "b",
            1,
            categories=(),
            phase="none",
            actions=(),
            context=(),
            terms=(("flight", 1), ("fog", 1)),
        ),
        "new",
        "nothing but place and time",
    ),
    (
        "nothing shared at all",
        [make("a")],
        block("b", 1, places=("br",), countries=("br",), target="twitter", actors=()),
        "new",
        "no open story shares",
    ),
]


@pytest.mark.parametrize(
    ("earlier", "new", "action", "why"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_decision_per_signal(
    gazetteer: Gazetteer, earlier: list[Report], new: Report, action: str, why: str
) -> None:
    g = grouper(gazetteer, *earlier)
    decision = g.decide(new)
    assert decision.action == action, decision.why
    assert why in decision.why
    if action == "join":
        assert decision.story_id == f"story:{earlier[0].id}"
    else:
        assert decision.story_id == f"story:{new.id}"


def test_a_lifting_ends_the_block_it_lifts(gazetteer: Gazetteer) -> None:
    lifted = block("l", 24 * 5, phase="lifted", categories=(), weak_categories=("censorship",))
    g = grouper(gazetteer, block("a"), block("a2", 3), lifted)
    # Two weeks on the platform is blocked again: a new block, not the old one.
    decision = g.decide(block("b", 24 * 14))
    assert decision.action == "new"
    assert any(c.veto and "lifted on" in c.veto for c in decision.considered)


def test_the_threshold_rises_as_a_story_grows(gazetteer: Gazetteer) -> None:
    small = grouper(gazetteer, make("a"))
    big = grouper(gazetteer, *[make(f"a{n}", n * 0.5) for n in range(8)])
    probe = make("p", 4, actions=(), terms=(("unrelated", 1),))
    small_candidate = small.decide(probe).best
    big_candidate = big.decide(probe).best
    assert small_candidate is not None and big_candidate is not None
    assert big_candidate.threshold > small_candidate.threshold
    # The same evidence (place, category, action, close in time; no shared words)
    # joins a fresh story but not a large one.
    weak = make("w", 4, terms=(("unrelated", 1),))
    assert small.decide(weak).action == "join"
    assert big.decide(weak).action == "new"


def test_an_updated_entry_updates_its_story_and_never_starts_another(
    gazetteer: Gazetteer,
) -> None:
    key = FeedKey("feed-1", "entry-7")
    first = make("v1", feed=key)
    g = grouper(gazetteer, first, make("other", 1))
    # The new version says something else entirely: still the same story.
    second = block("v2", 30, feed=key, places=("br",), countries=("br",), target="twitter")
    outcome = g.assign(second)
    assert outcome.decision.action == "update"
    assert outcome.story.id == "story:v1"
    assert outcome.story.members == ("v2", "other")
    assert outcome.story.version == 3
    assert len(g.open_stories) == 1


def test_an_update_after_the_story_closed_reopens_it(gazetteer: Gazetteer) -> None:
    key = FeedKey("feed-1", "entry-7")
    g = grouper(gazetteer, make("v1", feed=key))
    closed = g.close_expired(T0 + timedelta(days=30))
    assert [s.state for s in closed] == ["closed"]
    assert g.open_stories == ()
    outcome = g.assign(make("v2", 24 * 31, feed=key, detained=None))
    assert outcome.decision.action == "update"
    assert outcome.story.state == "open"
    assert outcome.story.version == closed[0].version + 1


def test_a_closed_story_takes_no_new_reports(gazetteer: Gazetteer) -> None:
    g = grouper(gazetteer, make("a"))
    g.close_expired(T0 + timedelta(days=9))
    assert g.decide(make("b", 24 * 9)).action == "new"


def test_decide_changes_nothing(gazetteer: Gazetteer) -> None:
    g = grouper(gazetteer, make("a"))
    probe = make("b", 2)
    first = g.decide(probe)
    assert g.decide(probe) == first
    assert [s.members for s in g.open_stories] == [("a",)]
    assert g.apply(probe, first).story.members == ("a", "b")


def test_same_input_same_stories(gazetteer: Gazetteer) -> None:
    reports = [
        make("a"),
        make("b", 1, places=("ru/saint-petersburg",)),
        block("c", 2),
        block("d", 3, target="discord"),
        make("e", 4),
        block("f", 5, lang="ru"),
    ]
    runs = []
    for _ in range(2):
        g = Grouper(places=gazetteer)
        decisions = [(o.story.id, o.decision.why) for o in (g.assign(r) for r in reports)]
        runs.append((decisions, [story_to_dict(s) for s in g.open_stories]))
    assert runs[0] == runs[1]
    assert len(runs[0][1]) == 4  # Moscow, St Petersburg, the Signal block, the Discord block


def test_restored_stories_decide_as_the_originals(gazetteer: Gazetteer) -> None:
    reports = [make("a"), make("b", 1), block("c", 2), block("d", 3)]
    original = grouper(gazetteer, *reports)
    restored = Grouper(places=gazetteer)
    restored.restore(original.open_stories, reports)
    probe = replace(make("p", 5), terms=(("detain", 1),))
    assert restored.decide(probe) == original.decide(probe)
    assert [s.id for s in restored.open_stories] == [s.id for s in original.open_stories]


def test_a_decision_read_later_reads_as_one_worded_at_once(gazetteer: Gazetteer) -> None:
    # The explanation is worded when first read; whoever reads it, copies it or
    # stores it meets the same plain record, with the same words.
    g = grouper(gazetteer, make("a"), block("c", 1))
    decision = g.decide(make("b", 2))
    plain = Decision(*(getattr(decision, f.name) for f in fields(Decision)))
    assert decision.action == "join" and decision.why.startswith("join story:a: score ")
    assert decision.best is not None and decision.best.signals
    assert decision == plain and plain == decision and hash(decision) == hash(plain)
    assert repr(decision) == repr(plain)
    copied = pickle.loads(pickle.dumps(decision))
    assert type(copied) is Decision and copied == plain
    assert replace(decision, why="edited").why == "edited"
    assert g.decide(make("b", 2)) == decision


@pytest.mark.parametrize(
    ("place", "english", "russian"),
    [
        ("ru/perm", "Perm", "Пермь"),  # spelled from the Russian name
        ("ru/kazan", "Kazan", "Казань"),
        ("ru/moscow", "Moscow", "Москва"),  # spelled out in the gazetteer
    ],
)
def test_places_are_named_as_a_reader_writes_them(
    gazetteer: Gazetteer, place: str, english: str, russian: str
) -> None:
    assert gazetteer.name(place, "en") == english
    assert gazetteer.name(place, "ru") == russian
