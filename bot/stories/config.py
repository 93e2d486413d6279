"""The knobs of the grouping decision: time windows, signal weights, thresholds.

The defaults are the ones docs/stories.md measures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

Similarity = Literal["tfidf", "minhash"]


def _default_windows() -> dict[str, timedelta]:
    return {"arrest": timedelta(hours=36), "censorship": timedelta(days=3)}


def _default_follow_up() -> dict[str, timedelta]:
    return {"arrest": timedelta(days=3), "censorship": timedelta(days=21)}


@dataclass(frozen=True)
class Weights:
    """What each agreeing signal adds to a candidate's score (some take away)."""

    same_day: float = 0.9  # published within the same day (precise times only)
    close_in_time: float = 0.3  # within half a day of the story's span
    event_day: float = 0.6  # the texts name the same day for the event
    other_day: float = 1.5  # taken off when they name days two or more apart
    category: float = 0.3
    target: float = 2.0  # the platform or outlet acted on, named by both
    mention: float = 1.0  # a named platform or outlet both mention (taken off: one each)
    actor: float = 0.5
    target_kind: float = 0.3  # "mobile internet", "social media", "VPN"
    action: float = 0.3
    city: float = 1.5
    region: float = 1.5
    country: float = 0.8
    name: float = 0.9  # per shared name, up to names_cap
    names_cap: float = 1.8
    figure: float = 0.8  # per shared figure, half for round ones, up to figures_cap
    figures_cap: float = 1.6
    text: float = 4.0  # times the text similarity (0..1)


@dataclass(frozen=True)
class GroupingConfig:
    # How far from a story's reports (the gap between publication spans) a
    # report may be and still join on ordinary evidence, per category.
    windows: Mapping[str, timedelta] = field(default_factory=_default_windows)
    default_window: timedelta = timedelta(days=3)
    # Past the window and up to this, a report joins only on stronger evidence,
    # and only a lasting action (a block still in force), never a one-off one.
    follow_up: Mapping[str, timedelta] = field(default_factory=_default_follow_up)
    follow_up_extra: float = 1.5
    threshold: float = 2.0
    growth: float = 0.3  # added to the threshold per doubling of the story's size
    # A report the detector found nothing in needs more evidence ...
    unclassified_extra: float = 0.4
    # ... and must share what happened, not just where and when: a named target,
    # a name, a figure, the headline's action, or this much text similarity.
    topical_text: float = 0.25
    similarity: Similarity = "tfidf"
    weights: Weights = field(default_factory=Weights)
    # The index: how many candidates are scored, how many stories of one key are
    # looked at (the most recently changed), how many stories a lookup visits in
    # all, how many of a report's rarest words are keys.
    max_candidates: int = 4
    # A candidate this far over its threshold is joined without scoring the others.
    clear_margin: float = 3.5
    posting_cap: int = 16
    lookup_budget: int = 64
    index_terms: int = 8
    # How long a closed story is kept in memory for updates of its entries.
    keep_closed: timedelta = timedelta(days=30)
    _hours: dict[frozenset[str], tuple[float, float]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def window(self, categories: Iterable[str]) -> timedelta:
        found = [self.windows[c] for c in categories if c in self.windows]
        return max(found) if found else self.default_window

    def follow_up_window(self, categories: Iterable[str]) -> timedelta:
        found = [self.follow_up[c] for c in categories if c in self.follow_up]
        return max(found) if found else self.default_window

    def hours(self, categories: frozenset[str]) -> tuple[float, float]:
        """The window and the follow-up window for these categories, in hours (cached)."""
        found = self._hours.get(categories)
        if found is None:
            found = (
                self.window(categories).total_seconds() / 3600,
                self.follow_up_window(categories).total_seconds() / 3600,
            )
            self._hours[categories] = found
        return found

    @property
    def reach(self) -> timedelta:
        """The furthest apart in time a report and a story can be and still meet."""
        return max([self.default_window, *self.windows.values(), *self.follow_up.values()])
