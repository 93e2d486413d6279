"""Feed ingestion: Tocsin's real pipeline against K slow local feeds, cold and warm.

Run: .venv/bin/python bench/ingest.py [--feeds 1000] [--delay-ms 150] [--per-host 4]
     [--pool process|thread] [--naive-sample 50] [--backlog-alerts 0]

A server in its own process serves K RSS 2.0 feeds of about 50 entries each (Russian
and English titles, HTML summaries of 400-800 characters, links, guids, pubDates),
gzipped when asked, with ETag and Last-Modified, answering every request after
DELAY ms as a distant server would. The feeds are spread over hosts 127.0.0.2,
127.0.0.3, ... (PER_HOST feeds each), so Tocsin's per-host cap (4) works as on the
real web rather than being loosened for the benchmark.

Measured in one run, in this order:
- Tocsin cold: one scheduled poll cycle (`Pipeline.run_cycle`) over K feeds never
  polled before, with the real fetcher, parse pool and SQLite file: fetch, parse,
  normalise, store every entry, schedule the next poll. A first poll records the
  backlog without alerting, so detection runs only on the newest BACKLOG_ALERTS
  entries per feed (default 0: none). The parse workers are started before timing,
  as they are in a running bot.
- Tocsin warm: the same K feeds due again; every answer is 304 Not Modified.
- Parse floor: feedparser alone (with the options Tocsin passes it) parsing the same
  K documents sequentially in this process, pinned to one core. The floor is its CPU
  time, which other load on the machine does not inflate (its wall time is shown too).
- Naive loop: `feedparser.parse(url)` one feed after another against the same server;
  a sample of NAIVE_SAMPLE feeds is timed and the time for K is extrapolated.

Targets: cold time <= 1.3 x parse floor; warm >= 1,000 feeds/s; cold >= 10 x faster
than the naive loop. Exits 0 when all three pass.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.utils
import gzip
import hashlib
import json
import os
import random
import resource
import socket
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import feedparser
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import fetch_config, parse_pool, schedule_config  # noqa: E402
from bot.detect import Detector  # noqa: E402
from bot.pipeline import CycleReport, Pipeline  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage import Storage  # noqa: E402
from feeds.fetch import Fetcher  # noqa: E402
from feeds.parse_pool import ParsePool, PoolKind  # noqa: E402

SCRIPT = Path(__file__).resolve()
ENTRIES_PER_FEED = 50
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

# --- the feeds -------------------------------------------------------------------

_EN_WHO = [
    "The regulator",
    "A district court",
    "Police in Moscow",
    "The ministry",
    "Local authorities",
    "An opposition group",
    "The city council",
    "Researchers",
    "Election observers",
    "A rights group",
    "The central bank",
    "Journalists",
]
_EN_DID = [
    "blocked access to",
    "detained the organisers of",
    "fined the publisher of",
    "announced new rules for",
    "opened an inquiry into",
    "published a report on",
    "restricted",
    "postponed the hearing on",
    "reported outages of",
    "extended the deadline for",
    "criticised",
    "approved a budget for",
]
_EN_WHAT = [
    "a popular messenger",
    "a protest in the city centre",
    "an independent news site",
    "VPN services",
    "the regional elections",
    "a climate rally",
    "mobile internet in the region",
    "a documentary film",
    "the new railway line",
    "a children's hospital",
    "foreign media outlets",
    "the spring festival",
]
_EN_WHERE = [
    "in Moscow",
    "in St Petersburg",
    "in Kazan",
    "across the country",
    "in Yekaterinburg",
    "on Friday",
    "this week",
    "after a court order",
    "despite criticism",
    "for the second time this year",
]
_RU_WHO = [
    "Роскомнадзор",
    "Районный суд",
    "Полиция Москвы",
    "Министерство",
    "Местные власти",
    "Правозащитники",
    "Городская дума",
    "Исследователи",
    "Наблюдатели",
    "Центробанк",
    "Журналисты",
    "Прокуратура",
]
_RU_DID = [
    "ограничил доступ к",
    "задержал организаторов",
    "оштрафовал издателя",
    "объявил новые правила для",
    "начал проверку",
    "опубликовал доклад о",
    "заблокировал",
    "перенёс заседание по делу",
    "сообщил о сбоях",
    "продлил срок для",
    "раскритиковал",
    "утвердил бюджет на",
]
_RU_WHAT = [
    "популярного мессенджера",
    "акции в центре города",
    "независимого издания",
    "VPN-сервисов",
    "региональных выборов",
    "экологического митинга",
    "мобильного интернета в регионе",
    "документального фильма",
    "новой железной дороги",
    "детской больницы",
    "иностранных СМИ",
    "весеннего фестиваля",
]
_RU_WHERE = [
    "в Москве",
    "в Санкт-Петербурге",
    "в Казани",
    "по всей стране",
    "в Екатеринбурге",
    "в пятницу",
    "на этой неделе",
    "по решению суда",
    "несмотря на критику",
    "второй раз за год",
]
_EN_FILLER = (
    "According to the statement, the decision takes effect immediately. "
    "Officials did not respond to a request for comment. "
    "Lawyers said they would appeal. "
    "Several hundred people signed an open letter. "
    "The measure was first proposed last autumn. "
    "Critics say the rules are vague and open to abuse. "
)
_RU_FILLER = (
    "Как говорится в сообщении, решение вступает в силу немедленно. "
    "Представители ведомства не ответили на запрос. "
    "Адвокаты заявили, что обжалуют решение. "
    "Открытое письмо подписали несколько сотен человек. "
    "Впервые эту меру предложили прошлой осенью. "
    "Критики считают формулировки размытыми. "
)


_AUTHORS = ["Anna Petrova", "Иван Смирнов", "Staff", "Редакция"]


def _sentence(rng: random.Random, russian: bool) -> str:
    parts = (
        (_RU_WHO, _RU_DID, _RU_WHAT, _RU_WHERE)
        if russian
        else (_EN_WHO, _EN_DID, _EN_WHAT, _EN_WHERE)
    )
    return " ".join(rng.choice(words) for words in parts)


def _summary_html(rng: random.Random, russian: bool, link: str) -> str:
    """400-800 characters of the markup a CMS puts in <description>."""
    filler = [s for s in (_RU_FILLER if russian else _EN_FILLER).split(". ") if s.strip()]
    target = rng.randint(400, 800)
    quote = ("&laquo;", "&raquo;") if russian else ("&ldquo;", "&rdquo;")
    paragraphs: list[str] = []
    size = 0
    while size < target:
        text = f"{_sentence(rng, russian)}. {rng.choice(filler).strip('. ')}."
        if rng.random() < 0.4:
            quoted = rng.choice(filler).strip(". ")
            text += f" {quote[0]}{quoted}{quote[1]} &mdash; {_sentence(rng, russian)}."
        if rng.random() < 0.3:
            text = f"<strong>{text[:40]}</strong>{text[40:]}"
        paragraphs.append(f"<p>{text}</p>")
        size += len(text) + 7
    more = "Читать далее" if russian else "Read more"
    paragraphs.append(f'<p><a href="{link}?utm_source=rss">{more}&nbsp;&rarr;</a></p>')
    return "".join(paragraphs)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_feed(number: int, site: str) -> bytes:
    """One RSS 2.0 document; the same number always gives the same bytes."""
    rng = random.Random(number)
    russian = number % 2 == 0
    name = f"Новости {number}" if russian else f"News Desk {number}"
    items = []
    for index in range(ENTRIES_PER_FEED):
        published = NOW - timedelta(minutes=37 * index + rng.randint(0, 30))
        link = f"{site}/{published:%Y/%m/%d}/story-{number}-{index}"
        title = _sentence(rng, russian)
        category = rng.choice(["Politics", "Tech", "Society", "Политика", "Общество"])
        items.append(
            "<item>"
            f"<title>{_escape(title)}</title>"
            f"<link>{link}</link>"
            f'<guid isPermaLink="false">{site}/?p={number * 1000 + index}</guid>'
            f"<pubDate>{email.utils.format_datetime(published)}</pubDate>"
            f"<dc:creator><![CDATA[{rng.choice(_AUTHORS)}]]></dc:creator>"
            f"<category><![CDATA[{category}]]></category>"
            f"<description><![CDATA[{_summary_html(rng, russian, link)}]]></description>"
            "</item>"
        )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<channel>"
        f"<title>{name}</title>"
        f"<link>{site}/</link>"
        f"<description>{'Лента новостей' if russian else 'Latest stories'}</description>"
        f"<language>{'ru-RU' if russian else 'en-US'}</language>"
        f"<lastBuildDate>{email.utils.format_datetime(NOW)}</lastBuildDate>"
        f'<atom:link href="{site}/feed" rel="self" type="application/rss+xml"/>'
        + "".join(items)
        + "</channel></rss>\n"
    )
    return document.encode("utf-8")


def host_address(number: int, per_host: int) -> str:
    """127.0.0.2, 127.0.0.3, ...: PER_HOST consecutive feeds share one host."""
    index = number // per_host
    return f"127.0.{index // 254}.{index % 254 + 2}"


def feed_url(number: int, per_host: int, port: int) -> str:
    return f"http://{host_address(number, per_host)}:{port}/feed/{number}.xml"


# --- the server (its own process) ------------------------------------------------


@dataclass(frozen=True)
class _Served:
    body: bytes
    gzipped: bytes
    etag: str
    last_modified: str


async def serve_on_hosts(
    app: web.Application, feeds: int, per_host: int
) -> tuple[web.AppRunner, list[str], int]:
    """`app` on one port of every loopback host the feeds are spread over."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    hosts = sorted({host_address(n, per_host) for n in range(feeds)})
    with socket.socket() as probe:
        probe.bind((hosts[0], 0))
        port = probe.getsockname()[1]
    for host in hosts:
        await web.TCPSite(runner, host, port, backlog=1024).start()
    return runner, hosts, port


async def serve(folder: Path, feeds: int, per_host: int, delay: float) -> None:
    """Generate the feeds, write their bytes to FOLDER for the parse floor, serve them."""
    served: list[_Served] = []
    for number in range(feeds):
        body = make_feed(number, f"https://news{number}.example")
        (folder / f"{number}.xml").write_bytes(body)
        served.append(
            _Served(
                body,
                gzip.compress(body, 6),
                '"' + hashlib.sha1(body).hexdigest()[:16] + '"',
                email.utils.format_datetime(NOW, usegmt=True),
            )
        )
    counts = {"200": 0, "304": 0, "bytes": 0}

    async def feed(request: web.Request) -> web.Response:
        await asyncio.sleep(delay)
        item = served[int(request.match_info["number"])]
        headers = {"ETag": item.etag, "Last-Modified": item.last_modified}
        if request.headers.get("If-None-Match") == item.etag or (
            "If-None-Match" not in request.headers
            and request.headers.get("If-Modified-Since") == item.last_modified
        ):
            counts["304"] += 1
            return web.Response(status=304, headers=headers)
        counts["200"] += 1
        body = item.body
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            body = item.gzipped
            headers["Content-Encoding"] = "gzip"
        counts["bytes"] += len(body)
        headers["Content-Type"] = "application/rss+xml; charset=utf-8"
        return web.Response(body=body, headers=headers)

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response({**counts, "cpu_seconds": time.process_time()})

    app = web.Application()
    app.router.add_get(r"/feed/{number:\d+}.xml", feed)
    app.router.add_get("/_stats", stats)
    runner, hosts, port = await serve_on_hosts(app, feeds, per_host)
    print(f"serving {feeds} feeds on {len(hosts)} hosts, port {port}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


async def start_server(
    folder: Path, feeds: int, per_host: int, delay_ms: float
) -> tuple[asyncio.subprocess.Process, int]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        "--serve",
        str(folder),
        "--feeds",
        str(feeds),
        "--per-host",
        str(per_host),
        "--delay-ms",
        str(delay_ms),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), 300)).decode()
    if not line.startswith("serving"):
        raise SystemExit(f"the feed server did not start: {line!r}")
    return process, int(line.strip().rsplit(" ", 1)[-1])


async def server_stats(port: int) -> dict[str, float]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.2:{port}/_stats") as response,
    ):
        stats: dict[str, float] = json.loads(await response.text())
        return stats


# --- Tocsin ----------------------------------------------------------------------


@dataclass
class Pass:
    seconds: float
    report: CycleReport
    server: dict[str, float]
    # CPU seconds this pass cost Tocsin's own process (all its threads) and its
    # parse worker processes.
    cpu: float
    worker_cpu: float


def _peak_rss_mib(pid: int) -> float | None:
    """VmHWM of a process (Linux): its resident-memory high-water mark."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux), 0 when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _worker_pids(parser: ParsePool) -> list[int]:
    executor = getattr(parser, "_executor", None)
    return list(getattr(executor, "_processes", None) or {})


def _self_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _timed_cycle(
    storage: Storage,
    settings: Settings,
    detector: Detector,
    parser: ParsePool,
    backlog_alerts: int,
    port: int,
) -> Pass:
    # A fresh fetcher (fresh connections) for each pass: polls of one feed are minutes
    # apart, so a real warm poll does not find the previous poll's connection open.
    async with Fetcher(fetch_config(settings)) as fetcher:
        pipeline = Pipeline(
            storage,
            fetcher,
            detector,
            schedule=schedule_config(settings),
            backlog_alerts=backlog_alerts,
            parser=parser,
        )
        before = await server_stats(port)
        workers_before = sum(_cpu_seconds(pid) for pid in _worker_pids(parser))
        cpu_before = time.process_time()
        started = time.perf_counter()
        report = await pipeline.run_cycle()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_before
        worker_cpu = sum(_cpu_seconds(pid) for pid in _worker_pids(parser)) - workers_before
    after = await server_stats(port)
    server = {k: after[k] - before[k] for k in after}
    return Pass(elapsed, report, server, cpu, worker_cpu)


async def run_tocsin(
    folder: Path,
    urls: list[str],
    pool: PoolKind,
    backlog_alerts: int,
    concurrency: int,
    port: int,
) -> tuple[Pass, Pass, float, list[float | None], float, int]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_path=folder / "bench.sqlite3",
        fetch_allow_private_networks="127.0.0.0/8",
        demo_feeds="off",
        console_chat="off",
        parse_pool=pool,
        fetch_concurrency=concurrency,
    )
    storage = await Storage.open(settings.database_path)
    try:
        added_at = datetime.now(UTC) - timedelta(seconds=1)
        for url in urls:
            await storage.feeds.add(url, now=added_at)
        detector = Detector.load()
        with parse_pool(settings) as parser:
            # Start the workers now: a running bot has them already.
            started = time.perf_counter()
            await parser.parse(make_feed(0, "https://warm.example"), "https://warm.example/")
            startup = time.perf_counter() - started
            baseline = _self_peak_mib()
            cold = await _timed_cycle(storage, settings, detector, parser, backlog_alerts, port)
            feeds = await storage.feeds.all()
            await storage.feeds.schedule_now([f.id for f in feeds], datetime.now(UTC))
            warm = await _timed_cycle(storage, settings, detector, parser, backlog_alerts, port)
            workers = [_peak_rss_mib(pid) for pid in _worker_pids(parser)]
            parse_workers = parser.workers
    finally:
        await storage.close()
    return cold, warm, startup, workers, baseline, parse_workers


# --- the baselines ---------------------------------------------------------------


def parse_floor(folder: Path, feeds: int) -> tuple[float, float, int]:
    """feedparser alone, one core, sequentially, on the documents Tocsin fetched:
    (wall seconds, CPU seconds, entries)."""
    bodies = [(folder / f"{n}.xml").read_bytes() for n in range(feeds)]
    pinned = hasattr(os, "sched_setaffinity")
    if pinned:
        cpus = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(cpus)})
    try:
        entries = 0
        cpu_started = time.process_time()
        started = time.perf_counter()
        for body in bodies:
            parsed = feedparser.parse(
                body,
                response_headers={"content-type": "application/rss+xml; charset=utf-8"},
                sanitize_html=False,
                resolve_relative_uris=False,
            )
            entries += len(parsed.entries)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    finally:
        if pinned:
            os.sched_setaffinity(0, cpus)
    return elapsed, cpu, entries


def naive_loop(urls: list[str], sample: int) -> tuple[float, int, int]:
    """Seconds per feed of `feedparser.parse(url)` in a plain loop, over a spread sample."""
    step = max(len(urls) // sample, 1)
    chosen = urls[::step][:sample]
    # No proxy from the environment: the requests must stay on loopback.
    direct = urllib.request.ProxyHandler({})
    entries = 0
    started = time.perf_counter()
    for url in chosen:
        parsed = feedparser.parse(url, handlers=[direct])
        entries += len(parsed.entries)
    return (time.perf_counter() - started) / len(chosen), len(chosen), entries


# --- the report ------------------------------------------------------------------


def _mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MiB"


async def bench(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="tocsin-ingest-") as tmp:
        folder = Path(tmp)
        documents = folder / "feeds"
        documents.mkdir()
        server, port = await start_server(documents, args.feeds, args.per_host, args.delay_ms)
        try:
            urls = [feed_url(n, args.per_host, port) for n in range(args.feeds)]
            cold, warm, startup, workers, baseline, parse_workers = await run_tocsin(
                folder, urls, args.pool, args.backlog_alerts, args.concurrency, port
            )
            tocsin_peak = _self_peak_mib()
            floor_wall, floor_seconds, floor_entries = parse_floor(documents, args.feeds)
            naive_per_feed, naive_count, naive_entries = await asyncio.to_thread(
                naive_loop, urls, args.naive_sample
            )
            body_bytes = sum(p.stat().st_size for p in documents.iterdir())
        finally:
            server.terminate()
            await server.wait()

    k = args.feeds
    entries = cold.report.new_entries
    naive_seconds = naive_per_feed * k
    cold_ratio = cold.seconds / floor_seconds
    warm_rate = k / warm.seconds
    speedup = naive_seconds / cold.seconds
    checks = [
        ("cold time / parse floor <= 1.3", cold_ratio <= 1.3, f"{cold_ratio:.2f}"),
        ("warm >= 1,000 feeds/s", warm_rate >= 1000, f"{warm_rate:,.0f} feeds/s"),
        ("cold vs naive loop >= 10x", speedup >= 10, f"{speedup:.1f}x"),
    ]
    worker_text = ", ".join(_mib(w) for w in workers) if workers else "none (threads)"
    print(
        f"feeds:                  {k} x {ENTRIES_PER_FEED} entries"
        f" on {len({u.split('/')[2] for u in urls})} hosts"
    )
    print(
        f"documents:              {body_bytes / k / 1024:.0f} KiB on average;"
        f" server delay {args.delay_ms:g} ms per request"
    )
    print(
        f"parse pool:             {args.pool}, {parse_workers} workers,"
        f" started in {startup:.2f} s (before timing)"
    )
    print(
        f"fetch limits:           {args.concurrency} in flight (FETCH_CONCURRENCY),"
        f" {Settings.model_fields['fetch_per_host'].default} per host (FETCH_PER_HOST default)"
    )
    print(
        f"tocsin cold:            {cold.seconds:6.2f} s  {k / cold.seconds:8,.0f} feeds/s"
        f"  {entries / cold.seconds:8,.0f} entries/s  ({entries} new entries, "
        f"{cold.report.events} events, {cold.report.failures} failures,"
        f" server sent {cold.server['200']:.0f} x 200, {cold.server['bytes'] / 1e6:.1f} MB)"
    )
    print(
        f"tocsin warm:            {warm.seconds:6.2f} s  {warm_rate:8,.0f} feeds/s"
        f"  ({warm.report.not_modified} not modified, {warm.report.failures} failures,"
        f" server sent {warm.server['304']:.0f} x 304)"
    )
    print(
        f"parse floor:            {floor_seconds:6.2f} s  {k / floor_seconds:8,.0f} feeds/s"
        f"  {floor_entries / floor_seconds:8,.0f} entries/s  (feedparser alone, one core:"
        f" CPU time; {floor_wall:.2f} s wall)"
    )
    print(
        f"naive loop:             {naive_seconds:6.2f} s  {1 / naive_per_feed:8,.1f} feeds/s"
        f"  {naive_entries / naive_count / naive_per_feed:8,.0f} entries/s"
        f"  (extrapolated from {naive_count} feeds, {naive_per_feed * 1000:.0f} ms each)"
    )
    print(
        f"peak memory:            tocsin process {_mib(tocsin_peak)} (was {_mib(baseline)} before"
        f" the cold pass), parse workers {worker_text}"
    )
    for label, run in (("cold", cold), ("warm", warm)):
        print(
            f"CPU during {label}:          tocsin {run.cpu:.2f} s, parse workers"
            f" {run.worker_cpu:.2f} s, feed server {run.server['cpu_seconds']:.2f} s"
        )
    for label, ok, value in checks:
        print(f"{label + ':':<32}{value:>16}  {'PASS' if ok else 'FAIL'}")
    complete = (
        entries == k * ENTRIES_PER_FEED
        and warm.report.not_modified == k
        and not cold.report.failures
        and not warm.report.failures
    )
    if not complete:
        print("incomplete run: not every feed was stored, or not every warm poll was a 304")
    ok = complete and all(ok for _, ok, _ in checks)
    print("result:                 " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--delay-ms", type=float, default=150.0)
    parser.add_argument("--per-host", type=int, default=4, help="feeds served by each host")
    parser.add_argument("--pool", choices=("process", "thread"), default="process")
    parser.add_argument("--naive-sample", type=int, default=50)
    parser.add_argument("--backlog-alerts", type=int, default=0)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=Settings.model_fields["fetch_concurrency"].default,
        help="FETCH_CONCURRENCY, Tocsin's global cap on fetches in flight",
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(args.serve, args.feeds, args.per_host, args.delay_ms / 1000))
        return
    sys.exit(asyncio.run(bench(args)))


if __name__ == "__main__":
    main()
