"""Flagged events as labelled JSON lines, in the form of tests/data/detect_dev.jsonl.

A record says what readers said: "labels" is their verdict (none of the categories
the detector gave: they called it a false alarm), "detected" and "detected_weak"
what the detector said, and "flagged_false" how many people pressed "false alarm".
Review a record before it joins the development data: a press is one reader's word.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.domain.feedback import FlaggedEvent

_SPAN = re.compile(r"^\s*([0-9]{1,5})\s*([mhdw])\s*$")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_UNITS["w"] = timedelta(weeks=1)


def parse_span(value: str) -> timedelta:
    """'30d', '12h', '90m', '2w' -> a timedelta; ValueError for anything else."""
    match = _SPAN.match(value.lower())
    if match is None:
        raise ValueError(f"{value!r} is not a span such as 30d, 12h, 90m or 2w")
    return int(match.group(1)) * _UNITS[match.group(2)]


def feedback_record(event: FlaggedEvent) -> dict[str, object]:
    return {
        "id": f"feedback-{event.event_id}",
        "lang": event.lang or None,
        "style": "summary" if event.summary.strip() else "headline",
        "title": event.title,
        "summary": event.summary,
        "labels": [],
        "trap": None,
        "modality": event.modality,
        "detected": list(event.categories),
        "detected_weak": list(event.weak_categories),
        "flagged_false": event.flags,
        "link": event.link,
    }
