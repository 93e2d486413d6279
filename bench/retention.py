"""Database size: 500 feeds polled for 30 simulated days, then pruned.

Run: .venv/bin/python bench/retention.py [--feeds 500] [--days 30] [--keep-days 7]

Tocsin's real pipeline (fetcher, parse workers, detector, SQLite file) polls FEEDS
local feeds, spread over hosts 127.0.0.2, 127.0.0.3, ... (4 feeds each, Tocsin's
default per-host cap), on a simulated clock that jumps 12 hours between poll cycles.
Each feed publishes 8 entries a day (titles and HTML summaries of 300-700
characters, a link, a guid; one in five written as a blocking or detentions report,
of which the detector flags about half) and lists
its newest 10. Twenty subscribed chats get every alert; after each cycle the alerts
are marked delivered as a sender would (no platform is called).

After DAYS days the database's size is measured, then pruned with a retention of
KEEP_DAYS days for entry texts, events and delivered alerts (the defaults are 90, 90
and 30 days: 30 simulated days would prune nothing), and measured again. Sizes are
the database's own (pages x page size) and the files on disk; they depend only on
the seeded data, not on the machine. From the two, the bytes an entry costs with
and without its words give an estimate for the defaults over a year.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import host_address, serve_on_hosts  # noqa: E402
from bot.app import fetch_config, parse_pool, schedule_config  # noqa: E402
from bot.detect import Detector  # noqa: E402
from bot.domain.chat import Subscription  # noqa: E402
from bot.domain.maintenance import DatabaseStats  # noqa: E402
from bot.domain.vocabulary import CATEGORIES  # noqa: E402
from bot.pipeline import Pipeline  # noqa: E402
from bot.retention import RetentionPolicy  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.storage.intents import Delivered  # noqa: E402
from feeds.fetch import Fetcher  # noqa: E402

START = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
STEP = timedelta(hours=12)
PER_DAY = 8
LISTED = 10
PER_HOST = 4
CHATS = 20

_WORDS = [
    "council",
    "budget",
    "district",
    "road",
    "school",
    "hospital",
    "museum",
    "bridge",
    "river",
    "station",
    "park",
    "library",
    "festival",
    "market",
    "harbour",
    "theatre",
    "tram",
    "airport",
    "stadium",
    "village",
    "region",
    "report",
    "meeting",
    "plan",
    "weather",
    "season",
    "repair",
    "contract",
    "volunteers",
    "residents",
    "mayor",
]
_ALERTS = (
    "Roskomnadzor blocked access to news site {n}",
    "Police detained {n} protesters at a rally in the city centre",
    "Роскомнадзор заблокировал доступ к сайту издания {n}",
    "В Москве задержали {n} участников пикета",
)


class SimClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def entry_xml(feed: int, number: int, published: datetime) -> str:
    rng = random.Random(feed * 1_000_003 + number)
    if rng.random() < 0.2:
        title = rng.choice(_ALERTS).format(n=f"{feed}-{number}")
    else:
        title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 9))).capitalize()
    words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(45, 100)))
    link = f"https://news{feed}.example/{number}"
    summary = escape(f"<p>{words.capitalize()}.</p><p><a href='{link}'>More</a></p>")
    return (
        f"<item><title>{escape(title)}</title><link>{link}</link>"
        f"<guid isPermaLink='false'>{feed}-{number}</guid>"
        f"<pubDate>{format_datetime(published)}</pubDate>"
        f"<description>{summary}</description></item>"
    )


def document(feed: int, now: datetime) -> bytes:
    """The feed as it reads at `now`: its newest LISTED entries, one every 3 hours."""
    gap = timedelta(days=1) / PER_DAY
    newest = int((now - START) / gap) + LISTED
    items = [
        entry_xml(feed, n, START + (n - LISTED) * gap)
        for n in range(newest, max(newest - LISTED, -1), -1)
    ]
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Feed {feed}</title><link>https://news{feed}.example/</link>"
        f"{''.join(items)}</channel></rss>"
    ).encode()


async def serve(feeds: int, clock: SimClock) -> tuple[web.AppRunner, list[str]]:
    async def feed(request: web.Request) -> web.Response:
        body = document(int(request.match_info["number"]), clock())
        return web.Response(body=body, content_type="application/rss+xml", charset="utf-8")

    app = web.Application()
    app.router.add_get(r"/feed/{number:\d+}.xml", feed)
    runner, _, port = await serve_on_hosts(app, feeds, PER_HOST)
    urls = [f"http://{host_address(n, PER_HOST)}:{port}/feed/{n}.xml" for n in range(feeds)]
    return runner, urls


async def deliver_all(storage: Storage, now: datetime) -> int:
    """Mark every due alert delivered, as the sender would after sending it."""
    done = 0
    while alerts := await storage.outbox.lease_due(now, ["telegram"], limit=1000):
        started = await storage.outbox.begin_send_many([a.outbox_id for a in alerts])
        await storage.outbox.record([Delivered(i, now, None) for i in sorted(started)])
        done += len(started)
    return done


def mib(value: float) -> str:
    return f"{value / 2**20:.1f} MiB"


def logical(stats: DatabaseStats) -> int:
    return stats.pages * stats.page_size


def rows(stats: DatabaseStats) -> dict[str, int]:
    return {table.name: table.rows for table in stats.tables}


async def bench(args: argparse.Namespace) -> None:
    clock = SimClock(START)
    runner, urls = await serve(args.feeds, clock)
    folder = Path(tempfile.mkdtemp(prefix="tocsin-retention-"))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_path=folder / "bench.sqlite3",
        fetch_allow_private_networks="127.0.0.0/8",
        demo_feeds="off",
        console_chat="off",
    )
    storage = await Storage.open(settings.database_path, role="live")
    cycle_seconds: list[float] = []
    try:
        for url in urls:
            await storage.feeds.add(url, now=START)
        for n in range(CHATS):
            chat = await storage.chats.upsert("telegram", str(9000 + n), now=START, kind="private")
            await storage.chats.subscribe(chat.id, Subscription(chat.id, CATEGORIES), now=START)
        detector = Detector.load()
        with parse_pool(settings) as parser:
            async with Fetcher(fetch_config(settings)) as fetcher:
                pipeline = Pipeline(
                    storage,
                    fetcher,
                    detector,
                    schedule=schedule_config(settings),
                    backlog_alerts=0,
                    clock=clock,
                    parser=parser,
                )
                alerts = 0
                for _ in range(int(timedelta(days=args.days) / STEP)):
                    clock.now += STEP
                    await storage.feeds.schedule_now(list(range(1, args.feeds + 1)), clock.now)
                    started = time.perf_counter()
                    report = await pipeline.run_cycle()
                    cycle_seconds.append(time.perf_counter() - started)
                    alerts += await deliver_all(storage, clock.now)
                    if report.failures:
                        print(f"warning: {report.failures} feeds failed in a cycle", flush=True)
        await storage.maintenance.give_back_space()
        before = await storage.maintenance.stats()
        keep = RetentionPolicy(args.keep_days, args.keep_days, args.keep_days)
        started = time.perf_counter()
        pruned = await storage.maintenance.prune(keep.cutoffs(clock.now), clock.now)
        prune_seconds = time.perf_counter() - started
        after = await storage.maintenance.stats()
    finally:
        await storage.close()
        await runner.cleanup()

    entries = rows(before)["entries"]
    kept_full = entries - pruned.entry_texts
    # Bytes per entry with its words (everything but pruned rows) and without.
    full_bytes = logical(before) / entries if entries else 0.0
    per_pruned = (
        (logical(before) - logical(after)) / pruned.entry_texts if pruned.entry_texts else 0.0
    )
    bare_bytes = full_bytes - per_pruned
    per_day = args.feeds * PER_DAY
    year = (90 * per_day) * full_bytes + (275 * per_day) * bare_bytes

    print(
        f"{args.feeds} feeds on {len({host_address(n, PER_HOST) for n in range(args.feeds)})}"
        f" hosts, {args.days} simulated days, a poll every 12 h ({len(cycle_seconds)} cycles,"
        f" median {statistics.median(cycle_seconds):.2f} s each)"
    )
    print(
        f"stored: {entries} entries, {rows(before)['events']} events,"
        f" {rows(before)['outbox']} delivered alerts to {CHATS} chats ({alerts} sent)"
    )
    print(
        f"before pruning: {mib(logical(before))} (file {mib(before.file_bytes)},"
        f" write-ahead log {mib(before.wal_bytes)})"
    )
    print(
        f"after pruning to {args.keep_days} days: {mib(logical(after))} (file"
        f" {mib(after.file_bytes)}, log {mib(after.wal_bytes)}); {pruned.entry_texts}"
        f" entry texts, {pruned.events} events, {pruned.outbox} alerts pruned in"
        f" {prune_seconds:.1f} s; {kept_full} entries keep their words"
    )
    print(
        f"per entry: {full_bytes:.0f} bytes with its words and alerts, {bare_bytes:.0f}"
        f" bytes once pruned; defaults (90/90/30 days) after a year of {per_day} entries"
        f" a day: about {mib(year)} (estimate from these two figures)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--keep-days", type=int, default=7)
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
