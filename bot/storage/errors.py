"""What storage raises, whatever the backend."""

from __future__ import annotations

from feeds.redact import redact_url


class StorageError(Exception):
    """The database cannot be opened or used; the message is meant for a person."""


class StoriesChangedError(StorageError):
    """Another process wrote stories since this one read them: decide again."""

    def __init__(self) -> None:
        super().__init__("the stories changed in another process; read them again")


class DuplicateFeedError(StorageError):
    def __init__(self, url: str, feed_id: int) -> None:
        super().__init__(f"feed {redact_url(url)} is already added (id {feed_id})")
        self.url = url
        self.feed_id = feed_id


class MigrationError(StorageError):
    """The schema cannot be brought up to date; the message says why."""
