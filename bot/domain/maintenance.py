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

    Nothing an alert still waiting to be sent needs is touched.
    """

    entry_texts: datetime | None
    events: datetime | None
    outbox: datetime | None


@dataclass(frozen=True)
class PruneResult:
    entry_texts: int
    events: int
    outbox: int
    # Bytes the database file (with its write-ahead log) gave back to the file system.
    bytes_freed: int


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
