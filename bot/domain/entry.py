"""An entry as stored: a feed item with Tocsin's id for it."""

from __future__ import annotations

from dataclasses import dataclass

from feeds.models import NormalizedEntry


@dataclass(frozen=True)
class Entry:
    id: int
    feed_id: int
    item: NormalizedEntry
