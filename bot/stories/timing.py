"""Publication times as spans, and how far apart two spans are.

A report's time is rarely a point: a feed may give only a date, a page only a
month. Each is kept as the span it covers in UTC (a day: 00:00 to 24:00; a month:
its first to its last day), and "how far apart" means the gap between spans, zero
when they overlap. So a month-only report is compatible in time with any report
of that month, and the other signals decide; it never stretches a story's window.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from bot.stories.records import Precision, TimeSpan

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def moment(when: datetime) -> TimeSpan:
    """An exact time; a naive datetime is refused (Tocsin handles aware UTC only)."""
    if when.tzinfo is None:
        raise ValueError("naive datetime given; publication times must be aware")
    when = when.astimezone(UTC)
    return TimeSpan(when, when, "moment")


def day(when: date) -> TimeSpan:
    start = datetime(when.year, when.month, when.day, tzinfo=UTC)
    return TimeSpan(start, start + timedelta(days=1), "day")


def month(year: int, number: int) -> TimeSpan:
    start = datetime(year, number, 1, tzinfo=UTC)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return TimeSpan(start, following, "month")


def parse_published(text: str) -> TimeSpan:
    """``YYYY-MM``, ``YYYY-MM-DD`` or an ISO datetime (no offset means UTC).

    Raises ValueError on anything else.
    """
    text = text.strip()
    found = _MONTH_RE.match(text)
    if found:
        year, number = int(found.group(1)), int(found.group(2))
        if not 1 <= number <= 12:
            raise ValueError(f"no month {number} in {text!r}")
        return month(year, number)
    if len(text) == 10:
        return day(date.fromisoformat(text))
    when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return moment(when)


def hull(spans: list[TimeSpan]) -> TimeSpan:
    """The smallest span holding all of them (at least one), at the finest precision
    among them: a story's time is what its most precise reports say."""
    precise = [s for s in spans if s.precision != "month"]
    chosen = precise or spans
    start = min(s.start for s in chosen)
    end = max(s.end for s in chosen)
    precision: Precision
    if not precise:
        precision = "month"
    elif all(s.precision == "moment" for s in precise):
        precision = "moment"
    else:
        precision = "day"
    return TimeSpan(start, end, precision)


def order_key(span: TimeSpan) -> tuple[datetime, datetime]:
    """Sort key for publication order when times are imprecise: by the span's end.

    A date-only report comes after the timed reports of its day, a month-only one
    after everything dated inside its month: it is known only to be out by then,
    and placed there it is compared with every story of the month instead of
    seeding a story that the month's precise reports would then drift into.
    """
    return span.end, span.start
