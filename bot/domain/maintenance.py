"""Records of the database's upkeep: what retention removes, and what the file holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PruneCutoffs:
    """What is old enough to go; None keeps that kind of data forever.

    - `entry_texts`: entries first seen before this lose their words (title, summary,
      link); their identity (uid, content and text hashes, dates) stays, so the feed
      listing them again never alerts again.
    - `events`: events detected before this are deleted with their outbox rows.
    - `outbox`: delivered or failed outbox rows finished before this are deleted.
    - `stories`: stories last reported before this go with their reports (the words
      of the entries they were read from) and their messages' ids; `missed` links
      readers sent before this go too.
    - `notices`: admin notices sent before this go, except each feed's latest of
      each kind (it says whether a failure is still being told).
    - `audit`: audit log entries written before this go.

    Nothing an alert still waiting to be sent needs is touched.
    """

    entry_texts: datetime | None
    events: datetime | None
    outbox: datetime | None
    stories: datetime | None = None
    notices: datetime | None = None
    missed: datetime | None = None
    audit: datetime | None = None


@dataclass(frozen=True)
class PruneResult:
    entry_texts: int
    events: int
    outbox: int
    # Bytes the database file (with its write-ahead log) gave back to the file system.
    bytes_freed: int
    stories: int = 0
    notices: int = 0
    missed: int = 0
    audit: int = 0


@dataclass(frozen=True)
class TableStats:
    name: str
    rows: int
    # Bytes of the table with its indexes; None when SQLite cannot tell (no dbstat).
    bytes: int | None


@dataclass(frozen=True)
class DatabaseStats:
    path: str
    file_bytes: int
    wal_bytes: int
    page_size: int
    pages: int
    free_pages: int
    # "incremental" lets the daily prune give free pages back without a full VACUUM.
    auto_vacuum: str
    tables: tuple[TableStats, ...]
    entries_pruned: int
    last_prune_at: datetime | None
