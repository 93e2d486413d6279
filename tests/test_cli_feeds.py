"""`tocsin feeds ...` as an operator meets it: the catalog, list, refresh and OPML.

Like tests/test_cli.py, each command runs as a real `python -m bot` process; commands
that fetch run in a thread, because the feed server lives on this test's event loop.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web

from feeds.catalog import KINDS, WORLDWIDE, load_catalog, select
from tests import processes
from tests.conftest import TEST_START, FeedServer
from tests.ingest_support import Item, rss_feed
from tests.processes import no_traceback

ROOT = Path(__file__).resolve().parents[1]
# Loopback feed servers are private addresses: allow exactly loopback.
BASE_ENV = {"DEMO_FEEDS": "off", "FETCH_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8"}


def tocsin(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdout: int | None = None
) -> subprocess.CompletedProcess[str]:
    return processes.tocsin(*args, cwd=cwd, env={**BASE_ENV, **(env or {})}, stdout=stdout)


async def tocsin_async(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(tocsin, *args, cwd=cwd, env=env)


# --- The catalog --------------------------------------------------------------------------

# (title words, lang, country) for every source the issue names.
NAMED_SOURCES = [
    ("OVD-Info", "ru", "RU"),
    ("Mediazona", "ru", "RU"),
    ("Meduza", "ru", "RU"),
    ("Meduza", "en", "RU"),
    ("Moscow Times", "en", "RU"),
    ("Moscow Times", "ru", "RU"),
    ("Radio Svoboda", "ru", "RU"),
    ("Novaya Gazeta Europe", "ru", "RU"),
    ("Roskomsvoboda", "ru", "RU"),
    ("Global Voices", "en", WORLDWIDE),
    ("Access Now", "en", WORLDWIDE),
    ("EFF", "en", WORLDWIDE),
    ("Committee to Protect Journalists", "en", WORLDWIDE),
    ("Citizen Lab", "en", WORLDWIDE),
    ("Human Rights Watch", "en", WORLDWIDE),
    ("Amnesty", "en", WORLDWIDE),
    ("Freedom House", "en", WORLDWIDE),
    ("NetBlocks", "en", WORLDWIDE),
    ("OONI", "en", WORLDWIDE),
]


@pytest.mark.parametrize(("name", "lang", "country"), NAMED_SOURCES)
def test_the_catalog_has_every_source_the_issue_names(name: str, lang: str, country: str) -> None:
    found = [f for f in load_catalog() if name.lower() in f.title.lower() and f.lang == lang]
    assert found, f"no {lang} feed for {name}"
    assert any(f.country == country for f in found)
    assert all(f.kind in KINDS and f.url.startswith("https://") for f in found)


@pytest.mark.parametrize("country", ["BY", "TR", "IN", "IR"])
def test_the_catalog_covers_belarus_turkey_india_and_iran(country: str) -> None:
    feeds = select(load_catalog(), countries=[country])
    # At least one organisation documenting abuses for each, not only news.
    assert any(f.kind == "monitor" for f in feeds), country


def test_the_catalog_has_a_regulator_and_both_languages() -> None:
    catalog = load_catalog()
    assert any(f.kind == "regulator" for f in catalog)
    assert {"ru", "en"} <= {f.lang for f in catalog}


def catalog_rows(stdout: str) -> list[list[str]]:
    """Table rows (after the header) that name a feed URL, split into columns."""
    return [line.split() for line in stdout.splitlines()[1:] if line.rstrip().endswith(">")]


def test_feeds_catalog_lists_and_filters(tmp_path: Path) -> None:
    everything = tocsin("feeds", "catalog", cwd=tmp_path)
    assert everything.returncode == 0, everything.stderr
    assert len(catalog_rows(everything.stdout)) == len(load_catalog())
    assert "https://ovd.info/rss.xml" in everything.stdout

    russia = tocsin("feeds", "catalog", "--lang", "ru", "--country", "ru", cwd=tmp_path)
    rows = catalog_rows(russia.stdout)
    expected = select(load_catalog(), langs=["ru"], countries=["RU"])
    assert len(rows) == len(expected) > 5
    assert all(row[2:4] == ["ru", "RU"] for row in rows)
    no_traceback(russia)


def test_add_catalog_subscribes_the_selection_once(tmp_path: Path) -> None:
    wanted = select(load_catalog(), langs=["ru"], countries=["RU"])
    first = tocsin("feeds", "add-catalog", "--lang", "ru", "--country", "RU", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert f"added {len(wanted)} catalog feeds (0 already present)" in first.stdout
    again = tocsin("feeds", "add-catalog", "--lang", "ru", "--country", "RU", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"added 0 catalog feeds ({len(wanted)} already present)" in again.stdout

    listed = tocsin("feeds", "list", cwd=tmp_path)
    urls = {f.url for f in wanted}
    shown = {
        line.rsplit("<", 1)[1].rstrip(">") for line in listed.stdout.splitlines() if "<" in line
    }
    assert shown == urls  # exactly the selection: no English, no other country
    marked = tocsin("feeds", "catalog", "--country", "RU", cwd=tmp_path)
    for row in catalog_rows(marked.stdout):
        assert ("added" in row) == (row[2] == "ru"), row

    nothing = tocsin("feeds", "add-catalog", "--country", "XX", cwd=tmp_path)
    assert nothing.returncode == 2 and "no catalog feed matches" in nothing.stderr


# --- list and refresh ---------------------------------------------------------------------


def opml(*outlines: tuple[str, str]) -> str:
    body = "".join(
        f'<outline type="rss" text="{title}" title="{title}" xmlUrl="{url}"/>'
        for url, title in outlines
    )
    return f'<?xml version="1.0"?><opml version="2.0"><head/><body>{body}</body></opml>'


async def test_refresh_reports_each_feed_and_list_shows_their_state(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    now = TEST_START
    news = rss_feed([Item("b1", "Roskomnadzor blocked access to Signal messenger", published=now)])

    async def conditional(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        return web.Response(text=news, headers={"ETag": '"v1"'}, content_type="application/rss+xml")

    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500)

    feed_server.handlers["/news"] = conditional
    feed_server.handlers["/broken"] = broken
    # Hourly for two days, then nothing for three: a busy feed gone silent.
    stale = [
        Item(f"s{n}", f"Story {n}", published=now - timedelta(days=3, hours=n)) for n in range(48)
    ]
    feed_server.serve("/stale", rss_feed(stale))
    (tmp_path / "feeds.opml").write_text(
        opml(
            (feed_server.url("/news"), "News"),
            (feed_server.url("/broken"), "Broken"),
            (feed_server.url("/stale"), "Stale"),
        )
    )
    env = {"CONSOLE_CHAT": "on", "BACKLOG_ALERTS": "5"}
    assert tocsin("feeds", "import", "feeds.opml", cwd=tmp_path).returncode == 0

    first = await tocsin_async("feeds", "refresh", "--all", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr  # one feed failing is a report, not a failure
    lines = [line for line in first.stdout.splitlines() if line.startswith("feed ")]
    assert len(lines) == 3
    assert lines[0].startswith(f"feed 1 {feed_server.url('/news')}: 1 new entry, 1 event")
    assert lines[1].startswith(f"feed 2 {feed_server.url('/broken')}: error (http): HTTP 500")
    assert lines[2].startswith(f"feed 3 {feed_server.url('/stale')}: 48 new entries")
    assert "CENSORSHIP" in first.stdout  # through the pipeline to the terminal chat
    summary = first.stdout.strip().splitlines()[-1]
    assert summary.startswith("polled 3 feeds: 49 new entries") and summary.endswith(
        "1 feed failed"
    )
    no_traceback(first)

    second = await tocsin_async("feeds", "refresh", "1", cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    assert f"feed 1 {feed_server.url('/news')}: not modified" in second.stdout
    assert second.stdout.strip().splitlines()[-1].startswith("polled 1 feed: 0 new entries")

    listed = tocsin("feeds", "list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = {line.split("<")[-1].rstrip(">"): line for line in listed.stdout.splitlines()[1:]}
    news_row, broken_row, stale_row = (
        rows[feed_server.url(p)] for p in ("/news", "/broken", "/stale")
    )
    # ID, STATE, EVERY, LAST OK, ENTRIES, FEED
    assert news_row.split()[:2] == ["1", "ok"] and " 1 " in news_row and "s ago" in news_row
    assert "failing since" in broken_row and "(http)" in broken_row and "never" in broken_row
    assert "silent since 3d ago" in stale_row and " 48 " in stale_row
    assert "10m" in news_row  # the default interval between polls


async def test_refresh_that_cannot_run_says_why(tmp_path: Path) -> None:
    assert (
        tocsin("feeds", "add", "--no-check", "https://example.org/rss", cwd=tmp_path).returncode
        == 0
    )
    unknown, bare, both = await asyncio.gather(
        tocsin_async("feeds", "refresh", "1", "99", cwd=tmp_path),
        tocsin_async("feeds", "refresh", cwd=tmp_path),
        tocsin_async("feeds", "refresh", "1", "--all", cwd=tmp_path),
    )
    assert unknown.returncode == 2 and "no feed with id 99" in unknown.stderr
    assert unknown.stdout == ""  # nothing was polled: not even feed 1
    assert bare.returncode == 2 and "--all" in bare.stderr
    assert both.returncode == 2
    for result in (unknown, bare, both):
        no_traceback(result)


async def test_adding_a_name_that_resolves_to_loopback_is_refused(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    port = feed_server.base_url.rsplit(":", 1)[1]
    url = feed_server.serve("/rss", rss_feed([Item("1", "Entry")])).replace(
        "127.0.0.1", "localhost"
    )
    assert f"localhost:{port}" in url
    result = await tocsin_async(
        "feeds", "add", url, cwd=tmp_path, env={"FETCH_ALLOW_PRIVATE_NETWORKS": "false"}
    )
    assert result.returncode == 1 and "localhost resolves to" in result.stderr
    assert feed_server.requests == []
    no_traceback(result)


def test_output_into_a_closed_pipe_is_not_a_traceback(tmp_path: Path) -> None:
    """`tocsin feeds catalog | head -1`: the reader goes away before Tocsin is done."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = tocsin("feeds", "catalog", cwd=tmp_path, stdout=write_end)
    finally:
        os.close(write_end)
    no_traceback(result)
    assert "Broken pipe" not in result.stderr and result.returncode == 1


# --- OPML ------------------------------------------------------------------------------------

HANDMADE = """<?xml version="1.0" encoding="utf-8"?>
<opml version="1.0">
  <head><title>From another reader</title></head>
  <body>
    <outline text="Russia">
      <outline text="ОВД-Инфо" title="ОВД-Инфо" type="rss" language="ru"
               xmlUrl="https://ovd.info/rss.xml"/>
      <outline text="Meduza &amp; friends" type="rss" xmlUrl="https://meduza.io/rss/all?a=1&amp;b=2"/>
    </outline>
    <outline text="EFF Deeplinks" type="rss" xmlUrl="https://www.eff.org/rss/updates.xml"/>
    <outline text="Local file" type="rss" xmlUrl="file:///etc/passwd"/>
  </body>
</opml>
"""


def outlines(document: str) -> list[tuple[str, str]]:
    root = ET.fromstring(document)
    return [
        (node.get("xmlUrl", ""), node.get("title") or node.get("text") or "")
        for node in root.iter("outline")
        if node.get("xmlUrl")
    ]


def test_opml_import_export_round_trip(tmp_path: Path) -> None:
    (tmp_path / "in.opml").write_text(HANDMADE, encoding="utf-8")
    imported = tocsin("feeds", "import", "in.opml", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "imported 3 feeds" in imported.stdout
    assert "skipped (not http/https): file:///etc/passwd" in imported.stderr

    exported = tocsin("feeds", "export", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    expected = [
        ("https://ovd.info/rss.xml", "ОВД-Инфо"),
        ("https://meduza.io/rss/all?a=1&b=2", "Meduza & friends"),
        ("https://www.eff.org/rss/updates.xml", "EFF Deeplinks"),
    ]
    assert outlines(exported.stdout) == expected

    # Into a fresh database and out again: the same list.
    (tmp_path / "out.opml").write_text(exported.stdout, encoding="utf-8")
    other = {"DATABASE_PATH": str(tmp_path / "other.sqlite3")}
    assert tocsin("feeds", "import", "out.opml", cwd=tmp_path, env=other).returncode == 0
    again = tocsin("feeds", "export", cwd=tmp_path, env=other)
    assert again.stdout == exported.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (rss_feed([Item("1", "Not a subscription list")]), "not OPML"),
        ('<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body/></opml>', "entity"),
        ("\x00\x01binary\xff", "not valid OPML"),
    ],
    ids=["rss-instead", "entities", "binary"],
)
async def test_a_bad_opml_file_is_a_clear_usage_error(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "bad.opml").write_text(content, encoding="latin-1")
    result = await tocsin_async("feeds", "import", "bad.opml", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "bad.opml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    no_traceback(result)


def test_an_id_too_large_for_the_database_is_simply_not_found(tmp_path: Path) -> None:
    huge = "99999999999999999999999"
    removed = tocsin("feeds", "remove", huge, cwd=tmp_path)
    assert removed.returncode == 1 and f"no feed with id {huge}" in removed.stderr
    refreshed = tocsin("feeds", "refresh", huge, cwd=tmp_path)
    assert refreshed.returncode == 2 and f"no feed with id {huge}" in refreshed.stderr
    for result in (removed, refreshed):
        no_traceback(result)


def test_a_feed_imported_with_an_unknown_kind_is_still_exported(tmp_path: Path) -> None:
    (tmp_path / "in.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline type="rss" text="Odd" xmlUrl="https://example.org/odd.xml" kind="demo"/>'
        "</body></opml>"
    )
    assert tocsin("feeds", "import", "in.opml", cwd=tmp_path).returncode == 0
    exported = tocsin("feeds", "export", cwd=tmp_path)
    assert "https://example.org/odd.xml" in exported.stdout
