"""`python -m bot group` and `python -m bot eval-groups`: story grouping from the shell.

``group`` reads JSON lines in publication order (title, summary, lang, published,
source, optional link) and writes one JSON line per input: its story and why.
``eval-groups`` groups a labelled file and prints B-cubed and pairwise scores
next to two baselines (one story per report; one story per publication day).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import re
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.settings import Settings
from bot.timeutil import Clock
from handlers.rendering import utc_minute

if TYPE_CHECKING:
    from bot.stories.records import Story

logger = logging.getLogger(__name__)

# The labelled development set, beside the checkout (../shared from the
# repository's root), when it is there.
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "realtext" / "stories_real.tsv"
SHOWN_ERRORS = 40

_usage_error: type[Exception] = ValueError


async def cmd_group(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    bad = await asyncio.to_thread(group_stream, sys.stdin, sys.stdout)
    if bad:
        print(f"{bad} input line(s) could not be grouped", file=sys.stderr)
    return 1 if bad else 0


def group_stream(inp: TextIO, out: TextIO) -> int:
    """One JSON line out per input line; returns the number of bad lines.

    A bad line yields {"error": "line N: reason"} and the rest goes on.
    """
    from bot.detect import Detector
    from bot.stories.features import ReportBuilder
    from bot.stories.grouping import Grouper
    from bot.stories.runner import BadItem, Stream, item_from_json

    builder = ReportBuilder(Detector.load())
    stream = Stream(builder, Grouper(places=builder.gazetteer))
    bad = 0
    for number, line in enumerate(inp, start=1):
        if not line.strip():
            continue
        try:
            item = item_from_json(line, number)
        except BadItem as exc:
            bad += 1
            logger.warning("group: line %d: %s", number, exc)
            out.write(json.dumps({"error": f"line {number}: {exc}"}, ensure_ascii=False) + "\n")
            continue
        _, outcome = stream.add(item)
        record: dict[str, Any] = {
            "line": number,
            "id": item.id,
            "story": outcome.story.id,
            "action": outcome.decision.action,
            "version": outcome.story.version,
            "why": outcome.decision.why,
        }
        if outcome.escalations:
            record["escalations"] = [e.detail for e in outcome.escalations]
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return bad


async def cmd_eval_groups(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    path: Path = args.data or DEFAULT_DATA
    if not await asyncio.to_thread(path.is_file):
        raise _usage_error(f"no labelled data at {path}")
    report = await asyncio.to_thread(_evaluate, path, args.errors)
    print(report)
    return 0


def _evaluate(path: Path, errors: bool) -> str:
    from bot.detect import Detector
    from bot.stories.features import ReportBuilder
    from bot.stories.runner import BadItem, evaluate_items, format_evaluation, grouping_errors

    try:
        items = read_labelled(path)
        builder = ReportBuilder(Detector.load())
        result = evaluate_items(builder, items)
    except BadItem as exc:
        raise _usage_error(f"{path}: {exc}") from None
    text = format_evaluation(path.name, result)
    if errors:
        text += "\n" + "\n".join(grouping_errors(items, result, SHOWN_ERRORS))
    return text


def read_labelled(path: Path) -> list[Any]:
    """Items of a labelled file: a TSV with a header row (stories_real.tsv's
    columns) or JSON lines, each with a ``story`` label."""
    from bot.stories.runner import BadItem, item_from_json, item_from_row

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _usage_error(f"cannot read {path}: {exc.strerror}") from None
    items = []
    if path.suffix.lower() in (".tsv", ".tab"):
        rows = csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
        for number, row in enumerate(rows, start=2):
            try:
                items.append(item_from_row(row, number))
            except BadItem as exc:
                raise BadItem(f"row {number}: {exc}") from None
        return items
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                items.append(item_from_json(line, number))
            except BadItem as exc:
                raise BadItem(f"line {number}: {exc}") from None
    return items


_SPAN = re.compile(r"^\s*(\d+)\s*([mhd])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_span(value: str) -> timedelta:
    """ "24h", "90m", "7d" -> a timedelta; raises the usage error otherwise."""
    found = _SPAN.match(value)
    if found is None:
        raise _usage_error(f"--since: expected a number and m, h or d (24h, 7d), not {value!r}")
    return timedelta(**{_UNITS[found.group(2).lower()]: int(found.group(1))})


async def cmd_stories(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from bot.app import open_storage

    since = parse_span(args.since)
    storage = await open_storage(settings)
    try:
        stories = await storage.stories.recent(clock() - since, limit=args.limit)
    finally:
        await storage.close()
    print(format_stories(stories, args.since))
    return 0


def format_stories(stories: Sequence[Story], since: str) -> str:
    """Recent stories for the operator: state, categories, facts, then every source."""
    if not stories:
        return f"no story has a report in the last {since}"
    blocks: list[str] = []
    for story in stories:
        facts = story.facts
        head = (
            f"{story.id}  v{story.version}  {story.state}  {'+'.join(facts.categories) or '-'}"
            f"  {len(facts.sources)} report(s), {len(facts.outlets)} outlet(s)"
        )
        lines = [
            head,
            f"  {utc_minute(facts.first_report_at)} .. {utc_minute(facts.latest_report_at)}",
        ]
        known = [
            f"actor {facts.actor}" if facts.actor else "",
            f"target {facts.target}" if facts.target else "",
            f"places {', '.join(facts.places)}" if facts.places else "",
            (
                f"detained {facts.detained.count}{'+' if facts.detained.at_least else ''}"
                f" ({facts.detained.outlet})"
                if facts.detained
                else ""
            ),
            "court decision" if facts.court else "",
        ]
        if any(known):
            lines.append("  " + "; ".join(k for k in known if k))
        for source in facts.sources:
            title = " ".join(source.title.split())[:90]
            lines.append(
                f"  - {utc_minute(source.published)} {source.outlet} [{source.lang}] {title}"
                + (f" <{source.link}>" if source.link else "")
            )
        blocks.append("\n".join(lines))
    return f"{len(stories)} stor{'y' if len(stories) == 1 else 'ies'} in the last {since}\n\n" + (
        "\n\n".join(blocks)
    )


def add_commands(commands: Any, usage_error: type[Exception]) -> None:
    global _usage_error
    _usage_error = usage_error
    group = commands.add_parser(
        "group",
        help="group JSON lines from stdin into stories (title, summary, lang, published, source)",
    )
    group.set_defaults(handler=cmd_group)
    evaluate = commands.add_parser(
        "eval-groups", help="B-cubed and pairwise scores of story grouping on labelled data"
    )
    evaluate.add_argument(
        "--data",
        type=Path,
        help=f"labelled TSV or JSON lines with a 'story' per item (default: {DEFAULT_DATA})",
    )
    evaluate.add_argument(
        "--errors", action="store_true", help="list the merges and splits behind the figures"
    )
    evaluate.set_defaults(handler=cmd_eval_groups)
    stories = commands.add_parser(
        "stories", help="recent stories with their sources and facts (newest first)"
    )
    stories.add_argument(
        "--since", default="24h", help="how far back a story's latest report may be (24h, 7d)"
    )
    stories.add_argument("--limit", type=int, default=50, help="at most this many stories")
    stories.set_defaults(handler=cmd_stories)
