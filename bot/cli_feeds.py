"""`tocsin feeds ...`: the operator's view of the feeds."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.app import build_app
from bot.models import Feed
from bot.settings import Settings
from bot.storage import DuplicateFeedError, Storage
from bot.timeutil import utcnow
from feeds.errors import FeedError
from feeds.opml import OpmlError, Outline, parse_opml, render_opml

_usage_error: type[Exception] = ValueError


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{max(seconds, 0)}s ago"


def feed_state(feed: Feed, now: datetime) -> str:
    if not feed.enabled:
        return "disabled"
    if feed.consecutive_failures:
        return f"failing since {_ago(feed.failing_since, now)} ({feed.last_error_kind})"
    if feed.last_success_at is None:
        return "new"
    return "ok"


def format_feed_table(feeds: list[Feed], now: datetime) -> str:
    if not feeds:
        return "no feeds yet; add one with: tocsin feeds add URL"
    rows = [("ID", "STATE", "EVERY", "LAST OK", "ENTRIES", "FEED")]
    for feed in feeds:
        every = f"{feed.interval_seconds // 60}m" if feed.interval_seconds else "-"
        rows.append(
            (
                str(feed.id),
                feed_state(feed, now),
                every,
                _ago(feed.last_success_at, now),
                str(feed.entry_count),
                f"{feed.title} <{feed.url}>" if feed.title else feed.url,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5]
        for row in rows
    )


async def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    storage = await Storage.open(settings.database_path)
    try:
        print(format_feed_table(await storage.feeds.all(), utcnow()))
    finally:
        await storage.close()
    return 0


async def cmd_add(settings: Settings, args: argparse.Namespace) -> int:
    if args.no_check:
        storage = await Storage.open(settings.database_path)
        try:
            feed = await storage.feeds.add(args.url, now=utcnow(), added_by="cli")
        except DuplicateFeedError as exc:
            raise _usage_error(str(exc)) from None
        finally:
            await storage.close()
        print(f"added feed {feed.id}: {feed.url} (not checked)")
        return 0
    async with build_app(settings, with_platforms=False, embedded=False) as app:
        try:
            feed, preview = await app.pipeline.add_feed(args.url, added_by="cli")
        except FeedError as exc:
            print(f"not added: {exc}", file=sys.stderr)
            return 1
        except DuplicateFeedError as exc:
            print(f"not added: {exc}", file=sys.stderr)
            return 1
    print(f"added feed {feed.id}: {preview.title or feed.url} ({preview.entry_count} entries)")
    for title, categories in preview.alerting:
        print(f"  would have alerted [{', '.join(categories)}]: {title}")
    return 0


async def cmd_remove(settings: Settings, args: argparse.Namespace) -> int:
    storage = await Storage.open(settings.database_path)
    try:
        feed = await storage.feeds.get(args.id)
        if feed is None:
            print(f"no feed with id {args.id}", file=sys.stderr)
            return 1
        await storage.feeds.remove(args.id)
        await storage.audit.record("cli", "removefeed", feed.url, utcnow())
    finally:
        await storage.close()
    print(f"removed feed {args.id}: {feed.url}")
    return 0


async def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        outlines = parse_opml(await asyncio.to_thread(path.read_bytes))
    except OSError as exc:
        raise _usage_error(f"cannot read {path}: {exc.strerror}") from None
    except OpmlError as exc:
        raise _usage_error(f"{path}: {exc}") from None
    added = skipped = 0
    storage = await Storage.open(settings.database_path)
    try:
        for outline in outlines:
            if not outline.url.startswith(("http://", "https://")):
                print(f"skipped (not http/https): {outline.url}", file=sys.stderr)
                skipped += 1
                continue
            try:
                await storage.feeds.add(
                    outline.url,
                    now=utcnow(),
                    title=outline.title,
                    lang=outline.lang,
                    added_by="opml",
                )
                added += 1
            except DuplicateFeedError:
                skipped += 1
    finally:
        await storage.close()
    print(f"imported {added} feeds from {path} ({skipped} skipped: already present or invalid)")
    return 0


async def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    storage = await Storage.open(settings.database_path)
    try:
        feeds = [f for f in await storage.feeds.all() if f.kind != "demo"]
    finally:
        await storage.close()
    sys.stdout.write(render_opml(Outline(f.url, f.title, f.lang) for f in feeds))
    return 0


async def cmd_refresh(settings: Settings, args: argparse.Namespace) -> int:
    if not args.ids and not args.all:
        raise _usage_error("name feed ids, or --all")
    async with build_app(settings, with_platforms=False) as app:
        known = {feed.id for feed in await app.storage.feeds.all()}
        missing = [i for i in args.ids if i not in known]
        if missing:
            raise _usage_error(f"no feed with id {', '.join(map(str, missing))}")
        report = await app.pipeline.refresh(None if args.all else args.ids)
        delivered = await app.delivery.drain()
    for feed in report.feeds:
        if feed.error:
            outcome = f"error ({feed.error_kind}): {feed.error}"
        elif feed.not_modified:
            outcome = "not modified"
        else:
            outcome = f"{feed.new_entries} new entries, {feed.events} events"
        print(f"feed {feed.feed_id} {feed.url}: {outcome}")
    print(report.summary(delivered))
    return 0


def add_commands(commands: Any, usage_error: type[Exception]) -> None:
    global _usage_error
    _usage_error = usage_error
    feeds = commands.add_parser("feeds", help="add, list, remove, import and export feeds")
    sub = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="check a feed URL and start polling it")
    add.add_argument("url")
    add.add_argument("--no-check", action="store_true", help="add without fetching it first")
    add.set_defaults(handler=cmd_add)

    sub.add_parser("list", help="feeds with their state").set_defaults(handler=cmd_list)

    remove = sub.add_parser("remove", help="stop polling a feed and forget its entries")
    remove.add_argument("id", type=int)
    remove.set_defaults(handler=cmd_remove)

    opml_in = sub.add_parser("import", help="add the feeds listed in an OPML file")
    opml_in.add_argument("file", type=Path)
    opml_in.set_defaults(handler=cmd_import)

    sub.add_parser("export", help="print the feeds as OPML").set_defaults(handler=cmd_export)

    refresh = sub.add_parser("refresh", help="poll feeds now, whatever the schedule")
    refresh.add_argument("ids", type=int, nargs="*")
    refresh.add_argument("--all", action="store_true")
    refresh.set_defaults(handler=cmd_refresh)
