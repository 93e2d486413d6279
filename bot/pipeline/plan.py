"""What a poll's entries mean for the feed: a pure decision over data, no I/O.

Given the items a feed lists now and what Tocsin already has of it, decide which
items are new, which are edits of known ones, which are the same story listed again
under another id (guids or links that change), and which of them may alert.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from bot.storage.intents import KnownEntry
from feeds.models import NormalizedEntry

# Shorter texts ("Daily digest", an empty title) say too little to be the same story.
MIN_STORY_TEXT = 40


def text_hash(item: NormalizedEntry) -> str | None:
    """The item's words (title and summary), whatever its id and link: two items with
    the same text tell the same story. None for a text too short to tell."""
    words = f"{' '.join(item.title.split())}\n{' '.join(item.summary.split())}".casefold()
    if len(words) < MIN_STORY_TEXT:
        return None
    return hashlib.sha256(words.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class PlannedNew:
    item: NormalizedEntry
    text_hash: str | None
    may_alert: bool


@dataclass(frozen=True)
class PlannedEdit:
    entry_id: int
    item: NormalizedEntry
    text_hash: str | None
    may_alert: bool


@dataclass
class EntryPlan:
    new: list[PlannedNew] = field(default_factory=list)
    edited: list[PlannedEdit] = field(default_factory=list)
    # Items whose text the feed already had under another id: neither stored nor alerted.
    reidentified: int = 0

    @property
    def to_classify(self) -> list[NormalizedEntry]:
        return [p.item for p in self.new if p.may_alert] + [
            p.item for p in self.edited if p.may_alert
        ]


def newest_first(items: Sequence[NormalizedEntry]) -> list[NormalizedEntry]:
    """Dated items newest first, then undated ones in the feed's own order."""
    order = {id(item): n for n, item in enumerate(items)}
    return sorted(
        items,
        key=lambda i: (i.published_at is not None, i.published_at, -order[id(i)]),
        reverse=True,
    )


def plan_entries(
    items: Sequence[NormalizedEntry],
    known: Mapping[str, KnownEntry],
    texts_seen: Collection[str],
    *,
    primed: bool,
    backlog_alerts: int,
) -> EntryPlan:
    """Sort a poll's items into new, edited and re-identified, and say which may alert.

    - An item whose id is known is an edit when its content changed; an edit of an
      entry from the feed's first poll (its backlog) never alerts.
    - An item with a new id whose text (or exact content) the feed already has, in the
      database or earlier in this same poll, is the same story listed again: it is
      not stored, so churning ids cannot grow the database, and it cannot alert.
    - On the feed's first poll (not yet `primed`) only the newest `backlog_alerts` new
      items may alert; afterwards every new item may.
    """
    plan = EntryPlan()
    seen = set(texts_seen)
    taken: set[str] = set()
    for item in items:
        if item.uid in taken:
            continue  # the same id twice in one document: the first one counts
        taken.add(item.uid)
        words = text_hash(item)
        old = known.get(item.uid)
        if old is not None:
            if old.content_hash != item.content_hash:
                plan.edited.append(PlannedEdit(old.id, item, words, primed and not old.baseline))
            seen.update(h for h in (words, item.content_hash) if h)
            continue
        if (words is not None and words in seen) or item.content_hash in seen:
            plan.reidentified += 1
            continue
        seen.update(h for h in (words, item.content_hash) if h)
        plan.new.append(PlannedNew(item, words, primed))
    if not primed and backlog_alerts > 0:
        allowed = {id(i) for i in newest_first([p.item for p in plan.new])[:backlog_alerts]}
        plan.new = [PlannedNew(p.item, p.text_hash, id(p.item) in allowed) for p in plan.new]
    return plan
