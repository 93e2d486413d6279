"""What a poll cycle did, feed by feed: for logs, `run --once`, `feeds refresh` and tests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FeedReport:
    feed_id: int
    url: str
    new_entries: int = 0
    # Entries listed again under new ids: the same story, neither stored nor alerted.
    reidentified: int = 0
    events: int = 0
    alerts: int = 0
    not_modified: bool = False
    error: str | None = None
    error_kind: str | None = None
    # Seconds until the next scheduled poll, as decided by this poll.
    interval_seconds: int | None = None
    # The feed moved permanently (301/308): its stored URL is now this.
    moved_to: str | None = None


@dataclass
class CycleReport:
    feeds: list[FeedReport] = field(default_factory=list)
    notices_sent: int = 0

    @property
    def new_entries(self) -> int:
        return sum(r.new_entries for r in self.feeds)

    @property
    def events(self) -> int:
        return sum(r.events for r in self.feeds)

    @property
    def alerts(self) -> int:
        return sum(r.alerts for r in self.feeds)

    @property
    def failures(self) -> int:
        return sum(1 for r in self.feeds if r.error)

    @property
    def not_modified(self) -> int:
        return sum(1 for r in self.feeds if r.not_modified)

    def summary(self, delivered: int) -> str:
        """The one line `run --once` and `feeds refresh` end with."""
        feeds = len(self.feeds)
        line = (
            f"polled {feeds} feed{'s' if feeds != 1 else ''}: {self.new_entries} new entries, "
            f"{self.events} events, {delivered} alerts delivered"
        )
        if self.failures:
            line += f", {self.failures} feed{'s' if self.failures != 1 else ''} failed"
        return line


@dataclass(frozen=True)
class FeedPreview:
    url: str
    title: str
    entry_count: int
    # (entry title, categories) of current entries that would alert.
    alerting: list[tuple[str, tuple[str, ...]]]
    lang: str | None = None
