"""Story grouping: one story per real-world event, across outlets and languages.

The lead's flow, per new or updated entry::

    builder = ReportBuilder(detector)                       # once
    grouper = Grouper(GroupingConfig(), places=builder.gazetteer)
    report = builder.build(entry_key, title=..., summary=..., published=moment(...),
                           outlet=..., link=..., feed=FeedKey(feed_id, uid),
                           detection=event_detection)
    outcome = grouper.assign(report)    # Outcome(decision, story, escalations)
    ... store report_to_dict(report), story_to_dict(outcome.story) ...
    closed = grouper.close_expired(now)

Everything here is pure and deterministic (no I/O but reading the bundled
gazetteer); see docs/stories.md for how the decision is made.
"""

from typing import TYPE_CHECKING

from bot.stories.codec import report_from_dict, report_to_dict, story_from_dict, story_to_dict
from bot.stories.facts import escalations_between, facts_of, merge_facts
from bot.stories.grouping import Grouper, GroupingConfig, Weights
from bot.stories.records import (
    Candidate,
    Decision,
    DetainedCount,
    DetainedFigure,
    Escalation,
    FeedKey,
    Outcome,
    Report,
    Signal,
    Source,
    Story,
    StoryFacts,
    TimeSpan,
)
from bot.stories.timing import day, moment, month, parse_published

if TYPE_CHECKING:
    from bot.stories.features import ReportBuilder


def __getattr__(name: str) -> object:
    # The evidence builder loads the detector: code that only reads stories (storage,
    # senders) does not pay for it on import.
    if name == "ReportBuilder":
        from bot.stories.features import ReportBuilder

        return ReportBuilder
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Candidate",
    "Decision",
    "DetainedCount",
    "DetainedFigure",
    "Escalation",
    "FeedKey",
    "Grouper",
    "GroupingConfig",
    "Outcome",
    "Report",
    "ReportBuilder",
    "Signal",
    "Source",
    "Story",
    "StoryFacts",
    "TimeSpan",
    "Weights",
    "day",
    "escalations_between",
    "facts_of",
    "merge_facts",
    "moment",
    "month",
    "parse_published",
    "report_from_dict",
    "report_to_dict",
    "story_from_dict",
    "story_to_dict",
]
