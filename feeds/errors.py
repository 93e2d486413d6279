"""Why a feed could not be read, in words an operator can act on.

Every failure carries a `kind`, so that backoff, `feeds list` and admin notices can
group them without parsing messages:

    url          not an http(s) URL, or no host
    blocked      the host is a private or reserved address (the SSRF guard)
    dns          the host name does not resolve
    connect      no TCP connection, connection reset, broken body
    tls          the TLS handshake or certificate failed
    timeout      connect, read or total time limit passed
    redirects    more than the allowed number of redirects
    http         the server answered with an error status (`status` says which)
    proxy        the proxy could not be reached, or refused the request
    too_large    the body passed the size limit (counted after decompression)
    not_a_feed   HTML, an empty body, or something else that is not RSS/Atom/JSON Feed
    parse        a feed document that could not be read (or took too long to read)
    internal     a bug in Tocsin; logged with its traceback
"""

from __future__ import annotations

from feeds.badchars import encodable

KINDS: tuple[str, ...] = (
    "url",
    "blocked",
    "dns",
    "connect",
    "tls",
    "timeout",
    "redirects",
    "http",
    "proxy",
    "too_large",
    "not_a_feed",
    "parse",
    "internal",
)


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
        # The message is stored and shown to admins; whatever a server or a document
        # put into it must be encodable.
        super().__init__(encodable(message))
        if kind is not None:
            self.kind = kind
        self.status = status
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[object, ...]:
        # Parse errors cross a process boundary; keyword-only arguments need help.
        return (_rebuild, (type(self), str(self), self.kind, self.status, self.retry_after))


def _rebuild(
    cls: type[FeedError], message: str, kind: str, status: int | None, retry_after: float | None
) -> FeedError:
    return cls(message, kind=kind, status=status, retry_after=retry_after)


class FetchError(FeedError):
    kind = "fetch"


class BlockedAddressError(FetchError):
    """The URL resolves to an address Tocsin is not allowed to fetch from."""

    kind = "blocked"


class ParseError(FeedError):
    kind = "parse"
