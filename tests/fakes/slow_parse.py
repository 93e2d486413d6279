"""A stand-in parser for the parse pool's tests: it takes exactly as long as it is told.

The body is the number of seconds to take (as text); worker processes import this
module by name, which is why it is a module and not a test's local function.
"""

from __future__ import annotations

import threading

from feeds.models import ParsedFeed


def take_seconds(body: bytes, url: str, headers: dict[str, str]) -> ParsedFeed:
    # A timed wait rather than time.sleep, which fails under libfaketime; like a
    # parse, it is cut short by the worker's own alarm.
    threading.Event().wait(float(body.decode()))
    return ParsedFeed(title=url, site_url=None, lang=None, entries=())
