"""Cutting a long reply into messages a platform accepts."""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)


def split_text(body: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Split `body` into pieces of at most `limit` (as `measure` counts), preferring line breaks."""
    if limit < 2:
        raise ValueError("limit must leave room for any character")
    pieces: list[str] = []
    current = ""
    for line in body.split("\n"):
        while measure(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            cut = _longest_prefix(line, limit, measure)
            pieces.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if measure(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def _longest_prefix(line: str, limit: int, measure: Callable[[str], int]) -> int:
    """How many characters of `line` fit in `limit` (at least one, so splitting ends)."""
    low, high = 1, len(line)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(line[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low
