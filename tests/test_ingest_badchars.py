"""One item with a character nothing can encode must cost that character, not the feed.

`&#xD800;` (half of a surrogate pair), `&#x110000;` (past Unicode), `&#1;` (a control
XML forbids), and a JSON Feed's `"\\ud800"`: each used to fail every poll of its feed.
Each test serves a real document from a loopback server to the running pipeline and
checks that the good items are stored and alert, and the bad one is stored repaired.
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable

import pytest

from bot.settings import Settings
from tests.conftest import FakeClock, FeedServer
from tests.ingest_support import entry_rows, poll_now, rss_feed, running

BLOCK = "Roskomnadzor blocked access to Signal messenger"
ARREST = "Police detained 30 protesters at an anti-war rally in Moscow"
# The bad item is news too, so that its repaired text also goes all the way to a chat.
COURT = "A Moscow court ordered the blocking of a news website"
ATOM = "http://www.w3.org/2005/Atom"
# Each format's document without items: the first poll, the baseline.
EMPTY = {
    "application/rss+xml": rss_feed([]),
    "application/atom+xml": f'<feed xmlns="{ATOM}"><title>Bad characters</title></feed>',
    "application/feed+json": json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "items": []}
    ),
}


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(parse_pool="thread", console_chat="on")


def three_items(
    bad_title: str, bad_text: str, bad_link: str, prefix: str = ""
) -> list[tuple[str, str, str, str]]:
    """(id, title, text, link): a good item, the bad one, another good one."""
    return [
        (f"{prefix}good-1", BLOCK, "The regulator restricted the app.", "https://example.org/1"),
        (f"{prefix}bad", bad_title, bad_text, bad_link),
        (f"{prefix}good-2", ARREST, "OVD-Info counted the detentions.", "https://example.org/2"),
    ]


def rss_document(bad_title: str, bad_text: str, bad_link: str) -> str:
    items = three_items(bad_title, bad_text, bad_link)
    body = "".join(
        f"<item><guid isPermaLink='false'>{guid}</guid><title>{title}</title>"
        f"<link>{link}</link><description>{text}</description></item>"
        for guid, title, text, link in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Bad characters</title><link>https://example.org/</link>{body}</channel></rss>"
    )


def atom_document(bad_title: str, bad_text: str, bad_href: str) -> str:
    entries = three_items(bad_title, bad_text, bad_href, prefix="urn:")
    body = "".join(
        f"<entry><id>{uid}</id><title>{title}</title><summary>{text}</summary>"
        f"<link rel='alternate' href='{href}'/><updated>2026-11-24T11:00:00Z</updated></entry>"
        for uid, title, text, href in entries
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="{ATOM}"><title>Bad characters</title>'
        f"<id>urn:feed</id><updated>2026-11-24T11:00:00Z</updated>{body}</feed>"
    )


async def first_then(
    feed_server: FeedServer,
    settings: Settings,
    clock: FakeClock,
    body: str,
    content_type: str,
) -> tuple[list[sqlite3.Row], int, str | None, str]:
    """Poll an empty feed (the baseline), then `body`: (entries, alerts delivered,
    the poll's error, what the terminal chat printed)."""
    url = feed_server.serve("/feed", EMPTY[content_type], content_type)
    out = io.StringIO()
    async with running(settings, clock, out) as app:
        feed = await app.storage.feeds.add(url, now=clock())
        await poll_now(app)
        feed_server.serve("/feed", body, content_type)
        clock.advance(hours=1)
        report, delivered = await poll_now(app)
        rows = await entry_rows(app.storage, feed.id)
    return rows, delivered, report.feeds[0].error, out.getvalue()


def by_uid(rows: list[sqlite3.Row]) -> dict[str, sqlite3.Row]:
    return {row["uid"]: row for row in rows}


@pytest.mark.parametrize(
    ("title", "text", "link", "repaired_title", "repaired_text", "repaired_link"),
    [
        (
            f"{COURT} &#xD800;",
            "Lone halves &#xDFFF; and &#55296;, past Unicode &#x110000;, control&#1;,"
            " not characters &#xFFFE; &#65535;.",
            "https://example.org/bad&#xDFFF;",
            f"{COURT} \ufffd",
            "Lone halves \ufffd and \ufffd, past Unicode \ufffd, control,"
            " not characters \ufffd \ufffd.",
            "https://example.org/bad\ufffd",
        ),
        (
            # Huge numbers, as decimal and hexadecimal, and a NUL.
            f"{COURT} &#{'9' * 5000};",
            "Zero&#0; and &#x00000000041; and &#xFFFFFFFFFFFF;",
            "https://example.org/bad",
            f"{COURT} \ufffd",
            "Zero and A and \ufffd",
            "https://example.org/bad",
        ),
        (
            # Characters outside the BMP written as two references (a UTF-16 habit):
            # joined into the character meant; a high half on its own is not.
            f"{COURT} &#xD83D;&#xDCF0;",
            "News &#55357;&#56560; and &#xD83D; alone",
            "https://example.org/bad",
            f"{COURT} \U0001f4f0",
            "News \U0001f4f0 and \ufffd alone",
            "https://example.org/bad",
        ),
    ],
    ids=["surrogates-and-beyond", "huge-numbers", "surrogate-pairs"],
)
async def test_rss_item_with_bad_references_is_repaired_and_the_feed_still_alerts(
    feed_server: FeedServer,
    settings: Settings,
    clock: FakeClock,
    title: str,
    text: str,
    link: str,
    repaired_title: str,
    repaired_text: str,
    repaired_link: str,
) -> None:
    document = rss_document(title, text, link)
    rows, delivered, error, printed = await first_then(
        feed_server, settings, clock, document, "application/rss+xml"
    )
    assert error is None
    entries = by_uid(rows)
    assert [entries[uid]["title"] for uid in ("good-1", "good-2")] == [BLOCK, ARREST]
    bad = entries["bad"]
    assert (bad["title"], bad["summary"], bad["link"]) == (
        repaired_title,
        repaired_text,
        repaired_link,
    )
    # All three are news: the two good ones and the repaired one alert.
    assert delivered == 3 and all(row["events"] == 1 for row in rows)
    assert BLOCK in printed and ARREST in printed and repaired_title in printed


async def test_atom_entry_with_bad_references_in_text_and_href_is_repaired(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    document = atom_document(
        f"{COURT} &#xDFFF;",
        "Past Unicode &#1114112; and a control &#x1F;here.",
        "https://example.org/bad?q=&#xD800;",
    )
    rows, delivered, error, printed = await first_then(
        feed_server, settings, clock, document, "application/atom+xml"
    )
    assert error is None
    entries = by_uid(rows)
    assert [entries[uid]["title"] for uid in ("urn:good-1", "urn:good-2")] == [BLOCK, ARREST]
    assert entries["urn:good-1"]["link"] == "https://example.org/1"
    bad = entries["urn:bad"]
    assert (bad["title"], bad["summary"], bad["link"]) == (
        f"{COURT} \ufffd",
        "Past Unicode \ufffd and a control here.",
        "https://example.org/bad?q=\ufffd",
    )
    assert delivered == 3 and f"{COURT} \ufffd" in printed


async def test_json_feed_item_with_lone_surrogates_is_repaired(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    # json.dumps writes a lone surrogate as the escape "\ud800", as a broken
    # publisher's encoder does.
    document = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Bad characters \udfff",
            "items": [
                {"id": "good-1", "title": BLOCK, "url": "https://example.org/1"},
                {
                    "id": "bad-\ud800",
                    "title": f"{COURT} \ud800",
                    "content_text": "Half a pair \udc00 here.",
                    "url": "https://example.org/bad-\udfff",
                },
                {
                    "id": "bad-html",
                    "title": "Roskomnadzor blocked the Telegram channel of a newspaper",
                    "content_html": "<p>In markup \ud800 and &#xD800; and &#99999999;</p>",
                    "url": "https://example.org/html",
                },
                {"id": "good-2", "title": ARREST, "url": "https://example.org/2"},
            ],
        }
    )
    assert "\\ud800" in document
    rows, delivered, error, printed = await first_then(
        feed_server, settings, clock, document, "application/feed+json"
    )
    assert error is None
    entries = by_uid(rows)
    assert [entries[uid]["title"] for uid in ("good-1", "good-2")] == [BLOCK, ARREST]
    bad = entries["bad-\ufffd"]
    assert (bad["title"], bad["summary"], bad["link"]) == (
        f"{COURT} \ufffd",
        "Half a pair \ufffd here.",
        "https://example.org/bad-\ufffd",
    )
    assert entries["bad-html"]["summary"] == "In markup \ufffd and \ufffd and \ufffd"
    assert delivered == 4 and f"{COURT} \ufffd" in printed


async def test_a_document_without_bad_references_is_read_unchanged(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    """The repair leaves valid references alone, also the ones XML spells oddly."""
    document = rss_document(
        f"{COURT} &#8212; &#x2014; &#0000065;",
        "Tab&#9;and&#x0A;newline, &#xE000; private use, &#x10FFFF; last",
        "https://example.org/bad",
    )
    rows, delivered, error, _ = await first_then(
        feed_server, settings, clock, document, "application/rss+xml"
    )
    assert error is None and delivered == 3
    bad = by_uid(rows)["bad"]
    assert bad["title"] == f"{COURT} — — A"
    assert bad["summary"] == "Tab and newline, \ue000 private use, \U0010ffff last"
