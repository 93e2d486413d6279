"""feedparser's own test corpus, every file through Tocsin's ingestion over loopback.

About 2,100 real feed shapes (../shared/corpora/feedparser-tests: encodings, entities,
ill-formed and well-formed RSS/Atom, JSON Feed). Each file is served by a local aiohttp
server with the HTTP headers its test comment declares, fetched by `Fetcher`, parsed by
the `ParsePool` the pipeline uses, and stored with `EntryStore.add`, as a user's feed
would be. The oracle is feedparser itself, called directly on the same bytes and
headers: whatever entries it finds, Tocsin must keep, as plain text, absolute links and
UTC times, unless two entries are the same entry by identity.

The corpus is ingested once per module (one event loop, both cores for parsing); each
test then checks one promise across all files and names every file that breaks it.
"""

from __future__ import annotations

import asyncio
import calendar
import codecs
import html
import re
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import feedparser
import pytest
from aiohttp import web

from bot.storage import Storage
from feeds.errors import FeedError
from feeds.fetch import FetchConfig, Fetcher
from feeds.models import NormalizedEntry, ParsedFeed
from feeds.netguard import NetworkPolicy
from feeds.normalize import MAX_SUMMARY, MAX_TITLE
from feeds.parse import MAX_ENTRIES
from feeds.parse_pool import ParsePool
from tests.conftest import FeedServer, rss
from tests.fakes import TEST_SERVER_GRACE
from tests.shared_data import shared_path
from tests.storage_support import store_poll

CORPUS_PATH = "corpora/feedparser-tests"
FOLDERS = ("encoding", "entities", "illformed", "json", "wellformed")
MIN_FILES = 2_100
# One small document takes milliseconds; a file still busy after this is a hang.
PER_FILE_SECONDS = 5.0
# Files in flight at once: enough to keep both parser processes busy, few enough that
# a file's measured time is its own work and not a queue behind 2,000 others.
IN_FLIGHT = 8
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
# The only ways a served document may fail: it is not a feed, or it cannot be read.
DOCUMENT_KINDS = {"not_a_feed", "parse"}

# How feedparser's own harness reads the HTTP headers a test file declares.
_HEADER = re.compile(r"^Header:\s+([^:]+):(.*)$", re.MULTILINE)
_EXPECTED_ENCODING = re.compile(r"""\bencoding\s*==\s*['"]([^'"]+)['"]""")
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
# In markup, these are the only ways a literal "<" or a visible entity reference can
# reach the text: escaped in the source, or a "<" that cannot open a tag.
_ESCAPED_LT = re.compile(r"&(?:lt|#0*60|#x0*3c)\b;?", re.IGNORECASE)
_BARE_LT = re.compile(r"<(?![A-Za-z!/?])")
_ENTITY_REF = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A rough "what a browser would show" for markup: enough to tell text from no text.
_HIDDEN = re.compile(
    r"<(script|style)\b.*?</\1\s*>|<!--.*?(?:-->|\Z)|<[^>]*(?:>|\Z)", re.DOTALL | re.IGNORECASE
)


@dataclass(frozen=True)
class CorpusFile:
    path: str  # relative to the corpus, e.g. "wellformed/rss/item_title.xml"
    body: bytes
    headers: dict[str, str]
    expected_encoding: str | None


@dataclass(frozen=True)
class RefEntry:
    """One entry as feedparser reports it, raw (markup kept, links unresolved)."""

    id: str
    link: str
    title: str
    title_is_plain: bool
    summary: str
    summary_is_plain: bool
    published: datetime | None

    def identity(self) -> tuple[str, ...]:
        """What makes two entries the same entry: guid, else link, else their content."""
        if self.id:
            return ("id", self.id)
        if self.link:
            return ("link", self.link)
        return ("content", self.title, self.summary, str(self.published))


@dataclass(frozen=True)
class Reference:
    entries: list[RefEntry]
    feed_title: str
    feed_title_is_plain: bool
    version: str


@dataclass
class Outcome:
    file: CorpusFile
    seconds: float = 0.0
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    parsed: ParsedFeed | None = None
    reparsed: ParsedFeed | None = None
    error_kind: str | None = None
    error: str | None = None
    reference: Reference | None = None
    stored_new: int = 0
    # Distinct ids whose story the same document already told (not stored again).
    reidentified: int = 0
    repoll_new: int = 0
    repoll_updated: int = 0

    @property
    def kind(self) -> str:
        if self.error_kind:
            return self.error_kind
        assert self.parsed is not None
        return "entries" if self.parsed.entries else "empty feed"


def _text_of(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="ignore")
    return data.decode("utf-8", errors="ignore")


def load_corpus() -> list[CorpusFile]:
    corpus = shared_path(CORPUS_PATH)
    files = []
    for folder in FOLDERS:
        for path in sorted((corpus / folder).rglob("*")):
            if not path.is_file():
                continue
            body = path.read_bytes()
            text = _text_of(body)
            headers = {name.strip(): value.strip() for name, value in _HEADER.findall(text)}
            if not any(name.lower() == "content-type" for name in headers):
                # feedparser's harness default; JSON is served as JSON.
                headers["Content-Type"] = (
                    "application/feed+json" if path.suffix == ".json" else "text/xml"
                )
            expected = _EXPECTED_ENCODING.search(text)
            files.append(
                CorpusFile(
                    str(path.relative_to(corpus)),
                    body,
                    headers,
                    expected.group(1) if expected else None,
                )
            )
    return files


def _aware(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _is_plain(detail: Any) -> bool:
    return isinstance(detail, Mapping) and detail.get("type") == "text/plain"


def _feedparser(body: bytes, headers: Mapping[str, str]) -> Reference:
    # Sanitizing and URI resolution off: the markup is compared as the feed sent it.
    parsed = feedparser.parse(
        body,
        response_headers={name.lower(): value for name, value in headers.items()},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    entries = []
    for raw in parsed.entries:
        summary, summary_plain = raw.get("summary") or "", _is_plain(raw.get("summary_detail"))
        if not summary and raw.get("content"):
            summary = raw["content"][0].get("value") or ""
            summary_plain = raw["content"][0].get("type") == "text/plain"
        entries.append(
            RefEntry(
                id=str(raw.get("id") or "").strip(),
                link=str(raw.get("link") or "").strip(),
                title=str(raw.get("title") or ""),
                title_is_plain=_is_plain(raw.get("title_detail")),
                summary=str(summary),
                summary_is_plain=summary_plain,
                published=_aware(raw.get("published_parsed") or raw.get("updated_parsed")),
            )
        )
    feed = parsed.get("feed", {})
    return Reference(
        entries,
        str(feed.get("title") or ""),
        _is_plain(feed.get("title_detail")),
        str(parsed.get("version") or ""),
    )


def reference(body: bytes, headers: Mapping[str, str]) -> Reference:
    """feedparser's verdict on the bytes Tocsin fetched: with the headers it received,
    or on the bytes alone when that reads more (a charset-less text/xml makes
    feedparser read UTF-16 as US-ASCII; the document is a feed all the same)."""
    verdicts = (_feedparser(body, headers), _feedparser(body, {}))
    return max(verdicts, key=lambda r: (len(r.entries), bool(r.version), bool(r.feed_title)))


async def _serve(files: Sequence[CorpusFile]) -> tuple[web.AppRunner, str]:
    by_path = {file.path: file for file in files}

    async def handle(request: web.Request) -> web.Response:
        file = by_path.get(request.match_info["path"])
        if file is None:
            raise web.HTTPNotFound()
        return web.Response(body=file.body, headers=file.headers)

    app = web.Application()
    app.router.add_get("/{path:.*}", handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=TEST_SERVER_GRACE)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/"


async def _fetch_and_parse(outcome: Outcome, url: str, fetcher: Fetcher, parser: ParsePool) -> None:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(3 * PER_FILE_SECONDS):
            result = await fetcher.fetch(url)
            outcome.body, outcome.headers = result.body, dict(result.headers)
            outcome.parsed = await parser.parse(result.body, result.url, result.headers)
            # The next poll of an unchanged document, to check identities are stable.
            outcome.reparsed = await parser.parse(result.body, result.url, result.headers)
    except FeedError as exc:
        outcome.error_kind, outcome.error = exc.kind, str(exc)
    except TimeoutError:
        outcome.error_kind, outcome.error = "hang", "no outcome in time"
    except Exception as exc:
        outcome.error_kind, outcome.error = "crash", repr(exc)
    outcome.seconds = time.perf_counter() - started


async def _store(storage: Storage, outcomes: Sequence[Outcome], base_url: str) -> None:
    for outcome in outcomes:
        if outcome.parsed is None or outcome.reparsed is None:
            continue
        feed = await storage.feeds.add(base_url + quote(outcome.file.path), now=NOW)
        first = await store_poll(storage, feed.id, outcome.parsed.entries, NOW)
        again = await store_poll(storage, feed.id, outcome.reparsed.entries, NOW)
        outcome.stored_new, outcome.reidentified = len(first.new), first.reidentified
        outcome.repoll_new, outcome.repoll_updated = len(again.new), len(again.edited)


async def ingest(files: Sequence[CorpusFile], database: Path) -> list[Outcome]:
    runner, base_url = await _serve(files)
    outcomes = [Outcome(file) for file in files]
    config = FetchConfig(
        policy=NetworkPolicy(allow_private=True),
        timeout_seconds=PER_FILE_SECONDS,
        per_host=IN_FLIGHT,
    )
    slots = asyncio.Semaphore(IN_FLIGHT)

    async def one(outcome: Outcome) -> None:
        async with slots:
            url = base_url + quote(outcome.file.path)
            await _fetch_and_parse(outcome, url, fetcher, parser)

    try:
        with ParsePool("process", timeout_seconds=PER_FILE_SECONDS) as parser:
            async with Fetcher(config) as fetcher:
                await asyncio.gather(*(one(outcome) for outcome in outcomes))
    finally:
        await runner.cleanup()
    storage = await Storage.open(database)
    try:
        await _store(storage, outcomes, base_url)
    finally:
        await storage.close()
    for outcome in outcomes:
        if outcome.body is not None:
            outcome.reference = reference(outcome.body, outcome.headers)
    return outcomes


# Ingesting 2,100 documents (the module's fixture, set up in its first test) takes
# about 30 s alone; beside another test worker, under libfaketime, several times that.
# The suite's default limit is a guard against hangs, not a budget for this.
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    files = load_corpus()
    database = tmp_path_factory.mktemp("corpus") / "tocsin.sqlite3"
    return asyncio.run(ingest(files, database))


def _report(problems: Sequence[str], what: str) -> str:
    shown = "\n".join(f"  {problem}" for problem in problems[:40])
    more = f"\n  ... and {len(problems) - 40} more" if len(problems) > 40 else ""
    return f"{len(problems)} {what}:\n{shown}{more}"


def _pairs(outcome: Outcome) -> Iterator[tuple[RefEntry, NormalizedEntry]]:
    """Tocsin's entries beside feedparser's, in document order (when the counts agree)."""
    if outcome.parsed is None or outcome.reference is None:
        return
    if len(outcome.parsed.entries) != len(outcome.reference.entries):
        return
    yield from zip(outcome.reference.entries, outcome.parsed.entries, strict=True)


# --- the corpus itself ------------------------------------------------------------


def test_every_corpus_file_is_served_and_ingested(outcomes: list[Outcome]) -> None:
    folders = Counter(outcome.file.path.split("/")[0] for outcome in outcomes)
    assert len(outcomes) >= MIN_FILES, (
        f"only {len(outcomes)} corpus files found in ../shared/{CORPUS_PATH}"
    )
    assert set(folders) == set(FOLDERS), f"corpus folders found: {dict(folders)}"
    unfetched = [f"{o.file.path}: {o.error_kind}: {o.error}" for o in outcomes if o.body is None]
    assert not unfetched, _report(unfetched, "files never reached the parser")


# --- no crash, no hang ------------------------------------------------------------


def test_every_file_ends_in_a_classified_outcome_in_time(outcomes: list[Outcome]) -> None:
    problems = [
        f"{o.file.path}: {o.error_kind}: {o.error}"
        for o in outcomes
        if o.error_kind is not None and o.error_kind not in DOCUMENT_KINDS
    ]
    problems += [
        f"{o.file.path}: parsing ran into the time limit: {o.error}"
        for o in outcomes
        if o.error and "longer than" in o.error
    ]
    problems += [
        f"{o.file.path}: took {o.seconds:.1f} s" for o in outcomes if o.seconds > PER_FILE_SECONDS
    ]
    assert not problems, _report(problems, "files crashed, hung or failed outside parsing")


def test_documents_feedparser_reads_as_feeds_are_read(outcomes: list[Outcome]) -> None:
    problems = [
        f"{o.file.path}: feedparser reads a {o.reference.version or 'feed'}, Tocsin: {o.error}"
        for o in outcomes
        if o.reference is not None
        and (o.reference.entries or o.reference.feed_title or o.reference.version)
        and o.parsed is None
    ]
    assert not problems, _report(problems, "feeds were refused")


def test_documents_that_are_not_feeds_are_refused_as_such(outcomes: list[Outcome]) -> None:
    """Nothing feedparser recognises (no version, title or entry) may pass as a feed."""
    not_feeds = [
        o
        for o in outcomes
        if o.reference is not None
        and not o.reference.entries
        and not o.reference.feed_title
        and not o.reference.version
    ]
    assert not_feeds, "the corpus should hold documents feedparser does not recognise"
    problems = [
        f"{o.file.path}: came out as {o.kind}"
        for o in not_feeds
        if o.kind not in DOCUMENT_KINDS and not (o.parsed and o.parsed.version == "json")
    ]
    assert not problems, _report(problems, "non-feeds were not classified as errors")


# --- no silent loss ---------------------------------------------------------------


def test_every_entry_feedparser_finds_is_kept(outcomes: list[Outcome]) -> None:
    problems = []
    for o in outcomes:
        if o.reference is None or not o.reference.entries:
            continue
        expected = min(len(o.reference.entries), MAX_ENTRIES)
        if o.parsed is None:
            problems.append(f"{o.file.path}: feedparser finds {expected}, Tocsin: {o.error}")
        elif len(o.parsed.entries) != expected:
            problems.append(
                f"{o.file.path}: feedparser finds {expected}, Tocsin {len(o.parsed.entries)}"
            )
    assert not problems, _report(problems, "files lost entries")


def test_storage_merges_only_entries_that_are_the_same_entry(outcomes: list[Outcome]) -> None:
    """Entries stored = distinct identities (guid, else link, else content), less those
    telling the same story in the same words as one before them; no more, no less."""
    problems, merged = [], 0
    for o in outcomes:
        pairs = list(_pairs(o))
        if not pairs:
            continue
        distinct = len({ref.identity() for ref, _entry in pairs})
        merged += len(pairs) - distinct
        if o.stored_new + o.reidentified != distinct:
            problems.append(
                f"{o.file.path}: {len(pairs)} entries with {distinct} distinct identities,"
                f" {o.stored_new} stored, {o.reidentified} the same story again"
            )
    assert not problems, _report(problems, "files stored the wrong number of entries")
    # The corpus has genuine repeats (one guid twice): dedup must have had work to do.
    assert merged > 0


def test_polling_the_same_document_again_finds_nothing_new(outcomes: list[Outcome]) -> None:
    problems = [
        f"{o.file.path}: {o.repoll_new} new and {o.repoll_updated} updated on the second poll"
        for o in outcomes
        if o.repoll_new or o.repoll_updated
    ]
    assert not problems, _report(problems, "files changed identity or content between polls")


# --- what each entry looks like -----------------------------------------------------


def _text_problem(text: object, limit: int) -> str | None:
    if not isinstance(text, str):
        return f"not a str: {text!r}"
    if _CONTROL.search(text):
        return f"control characters or line breaks: {text[:80]!r}"
    if text != text.strip() or "  " in text:
        return f"whitespace not folded: {text[:80]!r}"
    if len(text) > limit:
        return f"{len(text)} characters, over {limit}"
    return None


def _markup_problem(text: str, source: str, source_is_plain: bool) -> str | None:
    """Markup in the source must not survive as markup in the text."""
    if not text:
        return None
    if source_is_plain:
        # Declared plain text is kept as written, only whitespace folded and cut.
        if not " ".join(source.split()).startswith(text.removesuffix("…").rstrip()):
            return f"plain text changed: {source[:60]!r} -> {text[:60]!r}"
        return None
    allowed_lt = len(_ESCAPED_LT.findall(source)) + len(_BARE_LT.findall(source))
    if text.count("<") > allowed_lt:
        return f"markup left in text: {text[:80]!r}"
    references = [ref for ref in _ENTITY_REF.findall(text) if html.unescape(ref) != ref]
    if len(references) > source.count("&amp;"):
        return f"entity references left undecoded: {text[:80]!r}"
    return None


def _has_visible_text(source: str, is_plain: bool) -> bool:
    text = source if is_plain else html.unescape(_HIDDEN.sub(" ", source))
    return any(ch.isalnum() for ch in text)


def test_entries_with_text_keep_some_text(outcomes: list[Outcome]) -> None:
    problems = [
        f"{o.file.path}: title {ref.title[:60]!r} came out empty"
        for o in outcomes
        for ref, entry in _pairs(o)
        if not entry.title and _has_visible_text(ref.title, ref.title_is_plain)
    ]
    problems += [
        f"{o.file.path}: summary {ref.summary[:60]!r} came out empty, with no title"
        for o in outcomes
        for ref, entry in _pairs(o)
        if not entry.title
        and not entry.summary
        and _has_visible_text(ref.summary, ref.summary_is_plain)
    ]
    assert not problems, _report(problems, "entries lost their text")


def test_titles_and_summaries_are_plain_text(outcomes: list[Outcome]) -> None:
    problems = []
    for o in outcomes:
        if o.parsed is None:
            continue
        feed_problem = _text_problem(o.parsed.title, 300)
        if feed_problem is None and o.reference is not None and not o.parsed.encoding_override:
            feed_problem = _markup_problem(
                o.parsed.title, o.reference.feed_title, o.reference.feed_title_is_plain
            )
        if feed_problem:
            problems.append(f"{o.file.path}: feed title: {feed_problem}")
        for entry in o.parsed.entries:
            for name, text, limit in (
                ("title", entry.title, MAX_TITLE),
                ("summary", entry.summary, MAX_SUMMARY),
            ):
                problem = _text_problem(text, limit)
                if problem:
                    problems.append(f"{o.file.path}: entry {name}: {problem}")
        if o.parsed.encoding_override is not None:
            # Tocsin read the bytes in another encoding than feedparser: texts differ.
            continue
        for ref, entry in _pairs(o):
            for name, text, source, plain in (
                ("title", entry.title, ref.title, ref.title_is_plain),
                ("summary", entry.summary, ref.summary, ref.summary_is_plain),
            ):
                problem = _markup_problem(text, source, plain)
                if problem:
                    problems.append(f"{o.file.path}: entry {name}: {problem}")
    assert not problems, _report(problems, "texts are not plain text")


def test_links_are_absolute_http_and_times_aware_utc(outcomes: list[Outcome]) -> None:
    problems = []
    for o in outcomes:
        site = o.parsed.site_url if o.parsed else None
        if site is not None and not re.match(r"https?://[^/\s]", site):
            problems.append(f"{o.file.path}: site link {site!r}")
        entries = o.parsed.entries if o.parsed else ()
        for entry in entries:
            if entry.link is not None and not re.match(r"https?://[^/\s]", entry.link):
                problems.append(f"{o.file.path}: link {entry.link!r}")
            if entry.published_at is not None and (
                entry.published_at.tzinfo is not UTC or entry.published_at.utcoffset()
            ):
                problems.append(f"{o.file.path}: time {entry.published_at!r} is not UTC")
        for ref, entry in _pairs(o):
            # Where the file has a link or a date, the entry keeps it.
            if re.match(r"https?://[^/\s]+", ref.link) and entry.link != ref.link:
                problems.append(f"{o.file.path}: link {ref.link!r} came out as {entry.link!r}")
            if ref.published is not None and entry.published_at != ref.published:
                problems.append(
                    f"{o.file.path}: date {ref.published} came out as {entry.published_at}"
                )
    assert not problems, _report(problems, "links or times are wrong")


def test_encoding_guesses_never_contradict_the_files_known_encoding(
    outcomes: list[Outcome],
) -> None:
    """Where a file states its real encoding, Tocsin's own guess (if any) must agree."""
    checked, problems = 0, []
    for o in outcomes:
        expected, read_as = o.file.expected_encoding, o.parsed and o.parsed.encoding_override
        if expected is None or o.parsed is None:
            continue
        checked += 1
        if read_as and codecs.lookup(read_as).name != codecs.lookup(expected).name:
            problems.append(f"{o.file.path}: read as {read_as}, is {expected}")
    assert checked, "the corpus should state the encoding of some files"
    assert not problems, _report(problems, "files decoded in the wrong encoding")


# --- a shape the corpus lacks --------------------------------------------------------


async def test_untitled_undated_items_without_guid_or_link_are_not_merged(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    """RSS 2.0 allows items with only a description; two different ones are two entries."""
    document = rss(title="Notes").replace(
        "</channel>",
        "<item><description>Court jailed a journalist</description></item>"
        "<item><description>Regulator blocked a VPN</description></item>"
        "<item><description>Regulator blocked a VPN</description></item></channel>",
    )
    url = feed_server.serve("/notes", document)
    async with Fetcher(FetchConfig(policy=NetworkPolicy(allow_private=True))) as fetcher:
        result = await fetcher.fetch(url)
    with ParsePool("thread") as parser:
        parsed = await parser.parse(result.body, result.url, result.headers)
    storage = await Storage.open(tmp_path / "tocsin.sqlite3")
    try:
        feed = await storage.feeds.add(url, now=NOW)
        plan = await store_poll(storage, feed.id, parsed.entries, NOW)
    finally:
        await storage.close()
    assert sorted(stored.item.summary for stored in plan.new) == [
        "Court jailed a journalist",
        "Regulator blocked a VPN",
    ]
