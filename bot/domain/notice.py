"""Admin notices about feeds: what happened to a feed that its admins should hear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

NoticeKind = Literal["failing", "recovered", "silent", "resumed"]


@dataclass(frozen=True)
class StoredNotice:
    id: int
    feed_id: int
    kind: str
    episode: datetime
    text: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None
