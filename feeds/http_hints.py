"""Reading the polling hints servers send in HTTP headers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:,|$)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-cache|no-store)\b", re.IGNORECASE)


def parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After is either seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    moment = parse_http_date(text)
    if moment is None:
        return None
    reference = now or datetime.now(UTC)
    return max((moment - reference).total_seconds(), 0.0)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, candidate in headers.items():
        if key.lower() == lowered:
            return candidate
    return None


def freshness_seconds(headers: Mapping[str, str], now: datetime) -> float | None:
    """How long the response says it stays fresh: Cache-Control max-age, else Expires.

    None when the server gave no such hint, 0 when it asked not to be cached.
    Expires is measured against the server's own Date header when there is one, so
    that a server whose clock is off does not stretch or shrink the hint.
    """
    control = _header(headers, "Cache-Control") or ""
    if _NO_CACHE.search(control):
        return 0.0
    match = _MAX_AGE.search(control)
    if match:
        age_text = (_header(headers, "Age") or "").strip()
        age = int(age_text) if age_text.isdigit() else 0
        return max(float(match.group(1)) - age, 0.0)
    expires_text = _header(headers, "Expires")
    if expires_text is None:
        return None
    expires = parse_http_date(expires_text)
    if expires is None:
        # "Expires: 0" and other junk mean "already expired".
        return 0.0
    reference = parse_http_date(_header(headers, "Date")) or now
    return max((expires - reference).total_seconds(), 0.0)
