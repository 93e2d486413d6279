"""Which days a report says its event happened on: "9 июня", "on Sunday", "yesterday".

Publication time says when a report appeared, not when the event took place; a
report of Sunday's detentions may come out on Monday, next to Monday's own. The
text often says: an explicit date (the year taken from publication when absent),
a weekday (the latest such day on or before publication) or "yesterday". Weekdays
and relative days need a publication day; a month-only date gives none.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from bot.detect.lemmatize import Analyser
from bot.detect.text import NUMBER, WORD
from bot.stories.records import TimeSpan
from bot.stories.textview import TextView
from bot.stories.words import MONTHS, RELATIVE_DAYS, WEEKDAYS

# A date written without a year is taken in the publication's year, or the year
# before when that would put it more than this far after publication.
FUTURE_SLACK = timedelta(days=2)
# Dates further back than this are background ("the ban imposed in 2019"), and
# dates after publication are plans ("elections on 25 February"): neither is the
# day of the event reported.
LOOKBACK = timedelta(days=14)


class DateReader:
    def __init__(self, analysers: Mapping[str, Analyser]) -> None:
        self._months: dict[str, dict[str, int]] = {}
        self._weekdays: dict[str, dict[str, int]] = {}
        self._relative: dict[str, dict[str, int]] = {}
        for lang, analyser in analysers.items():
            if lang not in MONTHS:
                continue
            self._months[lang] = {
                key: n + 1
                for n, names in enumerate(MONTHS[lang])
                for name in names
                for key in analyser.rule_keys(name)
            }
            self._weekdays[lang] = {
                key: n for n, name in enumerate(WEEKDAYS[lang]) for key in analyser.rule_keys(name)
            }
            self._relative[lang] = dict(RELATIVE_DAYS[lang])

    def read(self, text: TextView, published: TimeSpan) -> tuple[str, ...]:
        """ISO dates of the days the text names, in order of mention."""
        months = self._months.get(text.lang)
        if not months:
            return ()
        tokens = text.tokens
        known_day = published.precision != "month"
        # The latest day the report can have appeared on: its own, or its month's last.
        pub = (
            published.start.date()
            if published.precision == "moment"
            else (published.end - timedelta(seconds=1)).date()
        )
        found: list[date] = []
        for i, tok in enumerate(tokens):
            if tok.kind == NUMBER:
                day = int(tok.text) if tok.text.isdigit() else 0
                if not 1 <= day <= 31:
                    continue
                month = self._month_at(text, i + 1, months) or self._month_at(text, i - 1, months)
                if month:
                    when = _resolve(day, month, self._year_near(text, i), pub)
                    if when is not None:
                        found.append(when)
                continue
            if tok.kind != WORD or not known_day:
                continue
            keys = text.keys(i)
            for key in keys:
                if key in self._weekdays[text.lang]:
                    back = (pub.weekday() - self._weekdays[text.lang][key]) % 7
                    found.append(pub - timedelta(days=back))
                    break
                if key in self._relative[text.lang]:
                    found.append(pub + timedelta(days=self._relative[text.lang][key]))
                    break
        earliest, latest = pub - LOOKBACK, pub + timedelta(days=1)
        return tuple(dict.fromkeys(d.isoformat() for d in found if earliest <= d <= latest))

    def _month_at(self, text: TextView, i: int, months: Mapping[str, int]) -> int:
        if not 0 <= i < len(text.tokens) or text.tokens[i].kind != WORD:
            return 0
        for key in text.keys(i):
            if key in months:
                return months[key]
        return 0

    def _year_near(self, text: TextView, i: int) -> int | None:
        for j in (i + 2, i + 3):
            if j < len(text.tokens) and text.tokens[j].kind == NUMBER:
                value = int(text.tokens[j].text) if text.tokens[j].text.isdigit() else 0
                if 1990 <= value <= 2100:
                    return value
        return None


def _resolve(day: int, month: int, year: int | None, published: date) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        when = date(published.year, month, day)
        if when - published > FUTURE_SLACK:
            when = date(published.year - 1, month, day)
        return when
    except ValueError:
        return None
