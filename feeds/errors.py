"""Why a feed could not be read, in words an operator can act on."""

from __future__ import annotations


class FeedError(Exception):
    """One feed failed; the batch goes on. `kind` groups failures for backoff and reports."""

    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        kind: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        self.status = status
        self.retry_after = retry_after


class FetchError(FeedError):
    kind = "fetch"


class BlockedAddressError(FetchError):
    """The URL resolves to an address Tocsin is not allowed to fetch from."""

    kind = "blocked"


class ParseError(FeedError):
    kind = "parse"
