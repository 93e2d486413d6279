"""An event: the detector's verdict on one entry, as recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.detection import Detection


def is_event(detection: Detection) -> bool:
    """Worth recording: a category matched, as an event or as a weak one (a threat,
    a plan, a lifted ban) for the chats that ask for those."""
    return bool(detection.categories or detection.weak_categories)


@dataclass(frozen=True)
class Event:
    id: int
    entry_id: int
    detection: Detection
    created_at: datetime
