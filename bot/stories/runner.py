"""Grouping a batch of news items end to end, and scoring it against labels.

What ``python -m bot group`` and ``python -m bot eval-groups`` run, without
their file handling: items in, reports, decisions and scores out.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.stories.features import ReportBuilder
from bot.stories.grouping import Grouper, GroupingConfig
from bot.stories.metrics import Evaluation, by_day, evaluate, singletons
from bot.stories.records import FeedKey, Outcome, Report, TimeSpan
from bot.stories.timing import order_key, parse_published


class BadItem(ValueError):
    """An input record that cannot be grouped; the message says why."""


@dataclass(frozen=True)
class Item:
    """One news item as the tools read it."""

    id: str
    title: str
    summary: str
    lang: str | None
    published: TimeSpan
    published_text: str  # as written, for the publication-day baseline
    outlet: str
    link: str | None
    feed: FeedKey | None
    label: str | None = None  # the true story, in labelled data


def item_from_json(line: str, number: int) -> Item:
    """One JSON line: title, summary, lang, published, source, optional link, id,
    story, feed and uid. Raises BadItem."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadItem(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(record, dict):
        raise BadItem("expected a JSON object")
    return item_from_mapping(record, f"line-{number}")


def item_from_mapping(record: Mapping[str, object], default_id: str) -> Item:
    def text(key: str, required: bool = False) -> str | None:
        value = record.get(key)
        if value is None:
            if required:
                raise BadItem(f"{key!r} is missing")
            return None
        if not isinstance(value, str):
            raise BadItem(f"{key!r} must be a string")
        return value

    title = text("title") or ""
    summary = text("summary") or ""
    if not title.strip() and not summary.strip():
        raise BadItem("'title' and 'summary' are both empty")
    published_text = text("published", required=True) or ""
    try:
        published = parse_published(published_text)
    except ValueError:
        raise BadItem(
            f"'published' must be YYYY-MM, YYYY-MM-DD or an ISO datetime, not {published_text!r}"
        ) from None
    outlet = text("source") or text("outlet") or ""
    link = text("link") or None
    feed_name, uid = text("feed"), text("uid")
    feed: FeedKey | None = None
    if feed_name and uid:
        feed = FeedKey(feed_name, uid)
    elif link:
        # The same outlet's same link is the same entry, whatever its new text.
        feed = FeedKey(outlet, link)
    raw_id = record.get("id")
    item_id = str(raw_id) if isinstance(raw_id, str | int) and str(raw_id) else default_id
    return Item(
        id=item_id,
        title=title,
        summary=summary,
        lang=(text("lang") or None),
        published=published,
        published_text=published_text.strip(),
        outlet=outlet,
        link=link,
        feed=feed,
        label=text("story"),
    )


def item_from_row(row: Mapping[str, str], number: int) -> Item:
    """One row of a labelled TSV (id, story, lang, published, outlet, title,
    summary, source, note): ``source`` is the link there."""
    record = {
        "id": row.get("id") or f"row-{number}",
        "story": row.get("story") or None,
        "lang": row.get("lang") or None,
        "published": row.get("published"),
        "source": row.get("outlet") or "",
        "title": row.get("title") or "",
        "summary": row.get("summary") or "",
        "link": row.get("source") or None,
    }
    return item_from_mapping(record, f"row-{number}")


def publication_order(items: Iterable[Item]) -> list[Item]:
    """Items sorted as a feed reader would meet them: by publication, an
    imprecise date placed at its span's end (timing.order_key); items published
    at the same time are ordered by a hash of their text, so neither file order
    nor ids (which may follow the labels) leak into the result."""
    return sorted(
        items,
        key=lambda i: (*order_key(i.published), zlib.crc32(f"{i.title}\n{i.summary}".encode())),
    )


def build_report(builder: ReportBuilder, item: Item) -> Report:
    return builder.build(
        item.id,
        title=item.title,
        summary=item.summary,
        published=item.published,
        outlet=item.outlet,
        link=item.link,
        feed=item.feed,
        lang=item.lang,
    )


class Stream:
    """Items assigned one at a time, in the order given; stories close as the
    latest publication time seen moves on."""

    def __init__(self, builder: ReportBuilder, grouper: Grouper) -> None:
        self.builder = builder
        self.grouper = grouper
        self._latest: datetime | None = None

    def add(self, item: Item) -> tuple[Report, Outcome]:
        report = build_report(self.builder, item)
        outcome = self.grouper.assign(report)
        if self._latest is None or report.published.start > self._latest:
            self._latest = report.published.start
            self.grouper.close_expired(self._latest)
        return report, outcome


def group_items(
    builder: ReportBuilder, grouper: Grouper, items: Iterable[Item]
) -> Iterator[tuple[Item, Report, Outcome]]:
    stream = Stream(builder, grouper)
    for item in items:
        report, outcome = stream.add(item)
        yield item, report, outcome


@dataclass(frozen=True)
class GroupingEvaluation:
    grouping: Evaluation
    singletons: Evaluation
    by_day: Evaluation
    predicted: Mapping[str, str]  # item id -> story id
    why: Mapping[str, str]  # item id -> the decision's why


def evaluate_items(
    builder: ReportBuilder, items: Sequence[Item], config: GroupingConfig | None = None
) -> GroupingEvaluation:
    """Group labelled items in publication order; score the result and the baselines."""
    missing = [i.id for i in items if i.label is None]
    if missing:
        raise BadItem(f"{len(missing)} item(s) have no story label, e.g. {missing[0]}")
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise BadItem("item ids must be unique")
    truth = {i.id: i.label or "" for i in items}
    grouper = Grouper(config, places=builder.gazetteer)
    predicted: dict[str, str] = {}
    why: dict[str, str] = {}
    for item, _, outcome in group_items(builder, grouper, publication_order(items)):
        predicted[item.id] = outcome.story.id
        why[item.id] = outcome.decision.why
    return GroupingEvaluation(
        grouping=evaluate(truth, predicted),
        singletons=evaluate(truth, singletons(ids)),
        by_day=evaluate(truth, by_day({i.id: i.published_text for i in items})),
        predicted=predicted,
        why=why,
    )


def format_evaluation(name: str, result: GroupingEvaluation) -> str:
    g = result.grouping
    lines = [
        f"{name}: {g.items} reports, {g.true_stories} labelled stories",
        f"{'':<24} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6}   {'pair P':>6} {'pair R':>6} "
        f"{'pair F1':>7}   stories",
    ]
    for label, e in (
        ("grouping", result.grouping),
        ("one story per report", result.singletons),
        ("same publication day", result.by_day),
    ):
        b, p = e.bcubed, e.pairwise
        lines.append(
            f"{label:<24} {b.precision:>6.3f} {b.recall:>6.3f} {b.f1:>6.3f}   "
            f"{p.precision:>6.3f} {p.recall:>6.3f} {p.f1:>7.3f}   {e.predicted_stories:>7}"
        )
    return "\n".join(lines)


def grouping_errors(items: Sequence[Item], result: GroupingEvaluation, limit: int) -> list[str]:
    """Reports put with another story's first report, and reports left apart
    from their story: the decisions behind the figures, for whoever tunes them."""
    by_id = {i.id: i for i in items}
    first_of: dict[str, str] = {}
    first_of_label: dict[str, str] = {}
    lines: list[str] = []
    for item in publication_order(items):
        story = result.predicted[item.id]
        label = item.label or ""
        first = first_of.setdefault(story, item.id)
        if first != item.id and by_id[first].label != label:
            lines.append(
                f"  merged {item.id} ({label}) into {by_id[first].label}: {result.why[item.id]}"
            )
        elif first == item.id and label in first_of_label:
            lines.append(f"  split  {item.id} ({label}): {result.why[item.id]}")
        first_of_label.setdefault(label, item.id)
    if len(lines) > limit:
        lines = [*lines[:limit], f"  ... and {len(lines) - limit} more"]
    return lines
