"""A stand-in parser for the parse pool's tests: it takes exactly as long as it is told.

The body is the number of seconds to take (as text); worker processes import this
module by name, which is why it is a module and not a test's local function.
"""

from __future__ import annotations

import time

from feeds.models import ParsedFeed


def take_seconds(body: bytes, url: str, headers: dict[str, str]) -> ParsedFeed:
    time.sleep(float(body.decode()))
    return ParsedFeed(title=url, site_url=None, lang=None, entries=())
