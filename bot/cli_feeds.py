"""`tocsin feeds ...`: the operator's view of the feeds."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.app import build_app, open_storage
from bot.detect.languages import unread_note
from bot.domain.feed import Feed
from bot.notices import NoticeConfig, format_duration, notice_config, silent_since
from bot.pipeline import FeedReport
from bot.settings import Settings
from bot.storage import DuplicateFeedError
from bot.timeutil import Clock
from feeds.catalog import KINDS, CatalogFeed, load_catalog, select
from feeds.errors import FeedError
from feeds.opml import OpmlError, Outline, parse_opml, render_opml
from feeds.proxy import Proxy, ProxyURLError, feed_proxy_setting, shown_setting
from feeds.redact import redact_text, redact_url

_usage_error: type[Exception] = ValueError


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{max(seconds, 0)}s ago"


def feed_state(feed: Feed, now: datetime, config: NoticeConfig | None = None) -> str:
    if not feed.enabled:
        return "disabled"
    if feed.consecutive_failures:
        return f"failing since {_ago(feed.failing_since, now)} ({feed.last_error_kind})"
    if feed.last_success_at is None:
        return "new"
    silent = silent_since(feed, now, config or NoticeConfig())
    if silent is not None:
        return f"silent since {_ago(silent, now)}"
    # A feed whose guids or links change on every poll: harmless now, worth knowing.
    return "ok, ids change" if feed.reidentified else "ok"


def _feed_cell(feed: Feed) -> str:
    """The last column of `feeds list`: title, URL, and the feed's own proxy setting
    (password hidden)."""
    cell = f"{feed.title} <{feed.shown_url}>" if feed.title else feed.shown_url
    proxy = shown_setting(feed.proxy)
    if proxy == "direct":
        return f"{cell} direct (not through FETCH_PROXY)"
    return f"{cell} via {proxy}" if proxy else cell


def format_feed_table(
    feeds: list[Feed],
    now: datetime,
    config: NoticeConfig | None = None,
    default_proxy: Proxy | None = None,
) -> str:
    if not feeds:
        return (
            "no feeds yet; add the bundled catalog with: tocsin feeds add-catalog\n"
            "or one feed with: tocsin feeds add URL"
        )
    rows = [("ID", "STATE", "EVERY", "LAST OK", "ENTRIES", "FEED")]
    for feed in feeds:
        every = format_duration(feed.interval_seconds) if feed.interval_seconds else "-"
        rows.append(
            (
                str(feed.id),
                feed_state(feed, now, config),
                every,
                _ago(feed.last_success_at, now),
                str(feed.entry_count),
                _feed_cell(feed),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    table = "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5]
        for row in rows
    )
    if default_proxy is not None:
        table += f"\nfeeds without a proxy of their own: via {default_proxy.shown} (FETCH_PROXY)"
    return table


async def cmd_list(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    storage = await open_storage(settings)
    try:
        feeds = await storage.feeds.all()
        print(format_feed_table(feeds, clock(), notice_config(settings), settings.proxy))
    finally:
        await storage.close()
    return 0


async def cmd_add(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    try:
        proxy = None if args.proxy is None else feed_proxy_setting(args.proxy)
    except ProxyURLError as exc:
        raise _usage_error(f"--proxy: {exc}") from None
    if args.no_check:
        storage = await open_storage(settings)
        try:
            feed = await storage.feeds.add(args.url, now=clock(), added_by="cli", proxy=proxy)
        except DuplicateFeedError as exc:
            raise _usage_error(str(exc)) from None
        finally:
            await storage.close()
        print(f"added feed {feed.id}: {feed.shown_url} (not checked)")
        return 0
    async with build_app(
        settings, clock=clock, with_platforms=False, embedded=False, deliver=False
    ) as app:
        try:
            feed, preview = await app.pipeline.add_feed(args.url, added_by="cli", proxy=proxy)
        except FeedError as exc:
            print(f"not added: {redact_text(str(exc))}", file=sys.stderr)
            return 1
        except DuplicateFeedError as exc:
            print(f"not added: {exc}", file=sys.stderr)
            return 1
    route = f" via {shown_setting(proxy)}" if proxy else ""
    name = preview.title or feed.shown_url
    print(f"added feed {feed.id}: {name} ({preview.entry_count} entries){route}")
    for title, categories in preview.alerting:
        print(f"  would have alerted [{', '.join(categories)}]: {title}")
    note = unread_note(preview.lang)
    if note:
        print(f"note: feed {feed.id}: {note}")
    return 0


async def cmd_remove(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    storage = await open_storage(settings)
    try:
        feed = await storage.feeds.get(args.id)
        if feed is None:
            print(f"no feed with id {args.id}", file=sys.stderr)
            return 1
        await storage.feeds.remove(args.id)
        await storage.audit.record("cli", "removefeed", feed.shown_url, clock())
    finally:
        await storage.close()
    print(f"removed feed {args.id}: {feed.shown_url}")
    return 0


async def cmd_import(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    path: Path = args.file
    try:
        outlines = parse_opml(await asyncio.to_thread(path.read_bytes))
    except OSError as exc:
        raise _usage_error(f"cannot read {path}: {exc.strerror}") from None
    except OpmlError as exc:
        raise _usage_error(f"{path}: {exc}") from None
    added = skipped = 0
    storage = await open_storage(settings)
    try:
        for outline in outlines:
            if not outline.url.startswith(("http://", "https://")):
                print(f"skipped (not http/https): {redact_url(outline.url)}", file=sys.stderr)
                skipped += 1
                continue
            try:
                await storage.feeds.add(
                    outline.url,
                    now=clock(),
                    title=outline.title,
                    lang=outline.lang,
                    country=outline.country,
                    # Only the kinds Tocsin knows: "demo" is the embedded demo's own.
                    kind=outline.kind if outline.kind in KINDS else "news",
                    added_by="opml",
                )
                added += 1
            except DuplicateFeedError:
                skipped += 1
    finally:
        await storage.close()
    print(f"imported {added} feeds from {path} ({skipped} skipped: already present or invalid)")
    return 0


async def cmd_export(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    storage = await open_storage(settings)
    try:
        feeds = [f for f in await storage.feeds.all() if f.kind != "demo"]
    finally:
        await storage.close()
    sys.stdout.write(render_opml(Outline(f.url, f.title, f.lang, f.country, f.kind) for f in feeds))
    return 0


def refresh_line(report: FeedReport) -> str:
    """One line per feed for `feeds refresh`: what this poll found."""
    if report.error:
        outcome = f"error ({report.error_kind}): {report.error}"
    elif report.not_modified:
        outcome = "not modified"
    else:
        entries = "entry" if report.new_entries == 1 else "entries"
        events = "event" if report.events == 1 else "events"
        outcome = f"{report.new_entries} new {entries}, {report.events} {events}"
        if report.reidentified:
            outcome += f", {report.reidentified} known under new ids"
    if report.moved_to:
        outcome += f" (moved permanently to {redact_url(report.moved_to)})"
    if report.interval_seconds:
        outcome += f"; next poll in {format_duration(report.interval_seconds)}"
    return f"feed {report.feed_id} {report.url}: {outcome}"


async def cmd_refresh(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    """Poll now and run what is new through the pipeline, as a scheduled poll would.

    Feeds that fail are reported, one line each; the exit status is non-zero only
    when the refresh could not run at all.
    """
    if not args.ids and not args.all:
        raise _usage_error("name feed ids, or --all")
    if args.ids and args.all:
        raise _usage_error("name feed ids or --all, not both")
    async with build_app(settings, clock=clock) as app:
        if app.delivered_by is not None and settings.demo_enabled:
            raise _usage_error(
                f"the demo is running in another process ({app.delivered_by}); "
                "it polls its own feeds"
            )
        known = {feed.id for feed in await app.storage.feeds.all()}
        missing = [i for i in args.ids if i not in known]
        if missing:
            raise _usage_error(f"no feed with id {', '.join(map(str, missing))}")
        if app.delivered_by is None:
            # Alerts and admin notices reach every platform, as in `run --once`.
            await app.start_sending()
        report = await app.pipeline.refresh(None if args.all else args.ids)
        delivered = await app.delivery.drain() if app.delivered_by is None else 0
    for feed in report.feeds:
        print(refresh_line(feed))
    print(report.summary(delivered))
    if app.delivered_by is not None:
        print(
            f"{report.alerts} alerts queued: the Tocsin running on this database"
            f" ({app.delivered_by}) delivers them"
        )
    return 0


def format_catalog(feeds: list[CatalogFeed], subscribed: set[str]) -> str:
    if not feeds:
        return "no catalog feed matches"
    rows = [("SLUG", "KIND", "LANG", "COUNTRY", "", "FEED")]
    for feed in feeds:
        mark = "added" if feed.url in subscribed else ""
        rows.append((feed.slug, feed.kind, feed.lang, feed.country, mark, feed.title))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    urls = ["", *(f" <{feed.url}>" for feed in feeds)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5] + url
        for row, url in zip(rows, urls, strict=True)
    )


def _catalog_selection(args: argparse.Namespace) -> list[CatalogFeed]:
    return select(load_catalog(), langs=args.lang, countries=args.country, kinds=args.kind)


async def cmd_catalog(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    feeds = _catalog_selection(args)
    storage = await open_storage(settings)
    try:
        subscribed = {feed.url for feed in await storage.feeds.all()}
    finally:
        await storage.close()
    print(format_catalog(feeds, subscribed))
    for feed in feeds:
        if feed.note:
            print(f"  {feed.slug}: {feed.note}")
        note = unread_note(feed.lang)
        if note:
            print(f"  {feed.slug}: {note}")
    return 0


async def cmd_add_catalog(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    """Subscribe to catalog feeds without fetching them first: the first poll checks
    them, and `feeds list` shows any that fail."""
    feeds = _catalog_selection(args)
    if not feeds:
        raise _usage_error("no catalog feed matches; see: tocsin feeds catalog")
    added = present = unread = 0
    storage = await open_storage(settings)
    try:
        for feed in feeds:
            try:
                stored = await storage.feeds.add(
                    feed.url,
                    now=clock(),
                    title=feed.title,
                    lang=feed.lang,
                    country=feed.country,
                    kind=feed.kind,
                    added_by="catalog",
                )
            except DuplicateFeedError:
                present += 1
                continue
            added += 1
            print(f"added feed {stored.id}: {feed.title} <{feed.url}>")
            note = unread_note(feed.lang)
            if note:
                unread += 1
                print(f"  note: {note}")
        if added:
            await storage.audit.record("cli", "add-catalog", f"{added} feeds", clock())
    finally:
        await storage.close()
    print(f"added {added} catalog feeds ({present} already present)")
    if unread:
        print(f"note: {unread} of them in a language the detector does not read (see above)")
    return 0


def add_commands(commands: Any, usage_error: type[Exception]) -> None:
    global _usage_error
    _usage_error = usage_error
    feeds = commands.add_parser(
        "feeds", help="add, list, refresh, remove, import and export feeds; the catalog"
    )
    sub = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="check a feed URL and start polling it")
    add.add_argument("url")
    add.add_argument("--no-check", action="store_true", help="add without fetching it first")
    add.add_argument(
        "--proxy",
        metavar="PROXY_URL",
        help="fetch this feed through http://[user:pass@]host:port or socks5://...;"
        " 'none' to fetch it directly even when FETCH_PROXY is set",
    )
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
    refresh.add_argument("ids", type=int, nargs="*", metavar="ID")
    refresh.add_argument("--all", action="store_true", help="every feed")
    refresh.set_defaults(handler=cmd_refresh)

    for name, handler, text in (
        ("catalog", cmd_catalog, "list the bundled catalog of regulator, monitor and news feeds"),
        ("add-catalog", cmd_add_catalog, "subscribe to catalog feeds (all, or a selection)"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("--lang", action="append", default=[], help="e.g. ru (repeatable)")
        command.add_argument(
            "--country", action="append", default=[], help="e.g. RU, or INT (repeatable)"
        )
        command.add_argument("--kind", action="append", default=[], choices=KINDS)
        command.set_defaults(handler=handler)
