"""What feeds look like after ingestion: broken documents, identities, encodings, text.

Each test polls real documents from a loopback server through the running pipeline and
reads what Tocsin stored, or what it reported to the operator.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.settings import Settings
from feeds.parse import MAX_ENTRIES, parse_feed
from tests.conftest import FakeClock, FeedServer
from tests.ingest_support import Item, entry_rows, outbox_count, poll_now, rss_feed, running

BLOCK = "Roskomnadzor blocked access to Signal messenger"
ARREST = "Police detained 30 protesters at an anti-war rally in Moscow"
WEATHER = "Snow expected in Moscow on Friday"
ARREST_RU = "В Москве на пикете задержаны 12 человек"
ARREST_RU_TEXT = "По данным ОВД-Инфо, задержанных доставили в отдел полиции."
JSON_TYPE = {"Content-Type": "application/feed+json"}


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(parse_pool="thread", console_chat="on")


def at(clock: FakeClock, hours: float) -> datetime:
    return clock() + timedelta(hours=hours)


# --- Broken and odd documents -------------------------------------------------------


async def test_malformed_xml_keeps_what_can_be_read(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    broken = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Broken</title>'
        "<item><guid>1</guid><title>Tom & Jerry blocked</title><description>ok</description></item>"
        "<item><guid>2</guid><title>Second<b></title><description>unclosed <i>tags</description>"
        "</item><item><guid>3</guid><title>Cut off mid-"
    )
    url = feed_server.serve("/broken", broken)
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(url, now=clock())
        report, _ = await poll_now(app)
        rows = await entry_rows(app.storage, feed.id)
    assert report.feeds[0].error is None
    titles = [row["title"] for row in rows]
    assert titles[:2] == ["Tom & Jerry blocked", "Second"]


@pytest.mark.parametrize(
    ("body", "content_type", "kind", "words"),
    [
        (
            "<!doctype html><html><head><title>Welcome</title></head><body><p>Hi</p></body></html>",
            "text/html",
            "not_a_feed",
            "HTML",
        ),
        # A captcha or login wall served with a feed's content type.
        (
            "<html><body>Please enable JavaScript</body></html>",
            "application/rss+xml",
            "not_a_feed",
            "HTML",
        ),
        ("", "application/rss+xml", "not_a_feed", "empty"),
        ('{"error": "rate limited"}', "application/json", "not_a_feed", "JSON"),
        ("\x00\x01\x02 binary junk \xff", "application/octet-stream", "not_a_feed", "not an RSS"),
    ],
    ids=["html", "html-as-rss", "empty-body", "json-error", "junk"],
)
async def test_a_document_that_is_not_a_feed_is_a_classified_failure(
    feed_server: FeedServer,
    settings: Settings,
    clock: FakeClock,
    body: str,
    content_type: str,
    kind: str,
    words: str,
) -> None:
    url = feed_server.serve("/x", body, content_type)
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(url, now=clock())
        report, _ = await poll_now(app)
        stored = await app.storage.feeds.get(feed.id)
    assert report.feeds[0].error_kind == kind and words in (report.feeds[0].error or "")
    assert stored is not None and stored.last_error_kind == kind
    assert stored.consecutive_failures == 1


async def test_an_empty_feed_is_healthy_and_its_first_entry_counts_as_new(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    url = feed_server.serve("/rss", rss_feed([], title="Nothing yet"))
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(url, now=clock())
        report, _ = await poll_now(app)
        assert report.feeds[0].error is None and report.new_entries == 0
        stored = await app.storage.feeds.get(feed.id)
        assert stored is not None and stored.title == "Nothing yet" and stored.primed
        # The empty document was the baseline: its first real entry is news.
        feed_server.serve("/rss", rss_feed([Item("b1", BLOCK, published=clock())]))
        clock.advance(hours=1)
        report, delivered = await poll_now(app)
    assert (report.new_entries, report.events, delivered) == (1, 1, 1)


# --- Identity -------------------------------------------------------------------------


async def test_duplicate_guids_in_one_document_are_one_entry_and_one_alert(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    url = feed_server.serve("/rss", rss_feed([]))
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(url, now=clock())
        await poll_now(app)
        twice = [
            Item("same", BLOCK, "The regulator restricted the app.", clock()),
            Item("same", BLOCK + " (updated)", "The regulator restricted the app.", clock()),
        ]
        feed_server.serve("/rss", rss_feed(twice))
        clock.advance(hours=1)
        report, delivered = await poll_now(app)
        rows = await entry_rows(app.storage, feed.id)
    assert (report.new_entries, report.events, delivered) == (1, 1, 1)
    assert [row["uid"] for row in rows] == ["same"]


async def test_the_same_story_under_two_guids_alerts_once(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    url = feed_server.serve("/rss", rss_feed([]))
    async with running(settings, clock) as app:
        await app.storage.feeds.add(url, now=clock())
        await poll_now(app)
        text = "The regulator restricted the app."
        feed_server.serve(
            "/rss", rss_feed([Item("a", BLOCK, text, link=""), Item("b", BLOCK, text, link="")])
        )
        clock.advance(hours=1)
        report, delivered = await poll_now(app)
        # Republished later under a third id: still the same story.
        feed_server.serve("/rss", rss_feed([Item("c", BLOCK, text, link="")]))
        clock.advance(hours=1)
        again, delivered_again = await poll_now(app)
    # The second id is the same story: neither stored again nor alerted.
    assert (report.new_entries, report.events, delivered) == (1, 1, 1)
    assert report.feeds[0].reidentified == 1
    assert (again.new_entries, again.events, delivered_again) == (0, 0, 0)
    assert again.feeds[0].reidentified == 1


async def test_a_feed_that_changes_every_id_on_every_poll_alerts_once_and_does_not_grow(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    stories = [BLOCK] + [f"Weather report number {n} for the capital region" for n in range(49)]

    def churned(poll: int) -> str:
        # New guids and new links every time, as some CMSs and trackers do.
        return rss_feed(
            [
                Item(f"p{poll}-{n}", title, "", link=f"https://example.org/{n}?utm={poll}")
                for n, title in enumerate(stories)
            ]
        )

    url = feed_server.serve("/rss", rss_feed([]))
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(url, now=clock())
        await poll_now(app)  # the first poll: a baseline
        delivered = []
        for poll in range(5):
            feed_server.serve("/rss", churned(poll))
            clock.advance(minutes=10)
            _, sent = await poll_now(app)
            delivered.append(sent)
        rows = await entry_rows(app.storage, feed.id)
        state = await app.storage.feeds.get(feed.id)
    assert delivered == [1, 0, 0, 0, 0]
    assert len(rows) == 50  # stored once, however often the ids change
    assert state is not None and state.reidentified == 50


async def test_without_guids_identity_is_the_link_else_title_and_date(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    noon, evening = at(clock, -3), at(clock, -1)
    items = [
        Item(None, "Linked story", "first version", noon, link="https://example.org/linked"),
        # No guid, no link: two items that differ only by date are two entries.
        Item(None, "Daily digest", "morning", noon, link=""),
        Item(None, "Daily digest", "evening", evening, link=""),
    ]
    url = feed_server.serve("/rss", rss_feed(items))
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(url, now=clock())
        first, _ = await poll_now(app)
        # The same document again, reordered, and with the linked story's title edited.
        edited = Item(None, "Linked story (corrected)", "first version", noon, link=items[0].link)
        feed_server.serve("/rss", rss_feed([items[2], edited, items[1]]))
        clock.advance(hours=1)
        second, _ = await poll_now(app)
        rows = await entry_rows(app.storage, feed.id)
    assert first.new_entries == 3 and second.new_entries == 0
    uids = [row["uid"] for row in rows]
    assert uids[0] == "https://example.org/linked"
    assert uids[1].startswith("hash:") and uids[2].startswith("hash:") and uids[1] != uids[2]
    assert rows[0]["title"] == "Linked story (corrected)" and rows[0]["updated_at"] is not None


async def test_an_edited_entry_is_updated_but_never_alerts_twice(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    url = feed_server.serve("/rss", rss_feed([]))
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(url, now=clock())
        await poll_now(app)
        feed_server.serve("/rss", rss_feed([Item("b1", BLOCK, "First report.", clock())]))
        clock.advance(hours=1)
        _, delivered = await poll_now(app)
        assert delivered == 1
        feed_server.serve(
            "/rss", rss_feed([Item("b1", BLOCK, "First report, with the court's ruling.", clock())])
        )
        clock.advance(hours=1)
        report, delivered = await poll_now(app)
        rows = await entry_rows(app.storage, feed.id)
        queued = await outbox_count(app.storage)
    assert (report.new_entries, delivered, queued) == (0, 0, 1)
    assert rows[0]["summary"] == "First report, with the court's ruling."
    assert rows[0]["updated_at"] is not None and rows[0]["events"] == 1


async def test_an_edit_that_turns_a_new_entry_into_news_alerts_once(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    """A headline rewritten once the facts are in: the entry arrived after the baseline,
    so the event is news, and it alerts once."""
    url = feed_server.serve("/rss", rss_feed([Item("w", WEATHER, published=at(clock, -5))]))
    async with running(settings, clock) as app:
        await app.storage.feeds.add(url, now=clock())
        await poll_now(app)
        weather = Item("w", WEATHER, published=at(clock, -5))
        rally = Item("r1", "Rally in Moscow", "Developing.", clock())
        feed_server.serve("/rss", rss_feed([rally, weather]))
        clock.advance(hours=1)
        _, first = await poll_now(app)
        feed_server.serve("/rss", rss_feed([Item("r1", ARREST, "Developing.", clock()), weather]))
        clock.advance(hours=1)
        _, second = await poll_now(app)
        clock.advance(hours=1)
        _, third = await poll_now(app)
    assert (first, second, third) == (0, 1, 0)


async def test_an_edit_of_an_old_entry_from_the_first_poll_does_not_alert(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    """The first poll's backlog is old news; a site that re-renders its summaries later
    must not turn it into alerts."""
    old = [
        Item(f"old{n}", BLOCK if n == 0 else WEATHER, "Old text.", at(clock, -48 - n))
        for n in range(3)
    ]
    url = feed_server.serve("/rss", rss_feed(old))
    async with running(settings, clock) as app:
        await app.storage.feeds.add(url, now=clock())
        _, first = await poll_now(app)
        rerendered = [Item(i.guid, i.title, "Old text, new template.", i.published) for i in old]
        feed_server.serve("/rss", rss_feed(rerendered))
        clock.advance(hours=1)
        report, second = await poll_now(app)
    assert (first, second, report.events) == (0, 0, 0)


async def test_after_an_empty_first_poll_later_entries_are_news_and_so_are_their_edits(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    """A feed whose first poll found nothing has no backlog: what the second poll finds
    is news, and an edit that turns one of those entries into an event alerts."""
    url = feed_server.serve("/rss", rss_feed([], title="Nothing yet"))
    async with running(settings, clock) as app:
        await app.storage.feeds.add(url, now=clock())
        await poll_now(app)
        feed_server.serve("/rss", rss_feed([Item("r1", "Rally in Moscow", "Developing.")]))
        clock.advance(hours=1)
        _, first = await poll_now(app)
        feed_server.serve("/rss", rss_feed([Item("r1", ARREST, "Developing.")]))
        clock.advance(hours=1)
        report, second = await poll_now(app)
    assert (first, second, report.events) == (0, 1, 1)


# --- Encodings -------------------------------------------------------------------------


def russian(encoding: str, how: str) -> tuple[bytes, str]:
    """A Russian feed in a legacy encoding, declared in the prolog, only in HTTP, or not
    at all (Tocsin must detect it)."""
    document = rss_feed(
        [Item("a1", ARREST_RU, ARREST_RU_TEXT, datetime(2026, 11, 24, 9, 0, tzinfo=UTC))],
        title="Новости",
        encoding=encoding,
        declare=how == "prolog",
    )
    content_type = (
        f"application/rss+xml; charset={encoding}" if how == "http" else "application/rss+xml"
    )
    return document.encode(encoding), content_type


async def test_windows_1251_and_koi8_r_feeds_read_right_however_declared(
    feed_server: FeedServer, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    settings = make_settings(parse_pool="thread", console_chat="on", backlog_alerts=1)
    variants = [
        (enc, how) for enc in ("windows-1251", "koi8-r") for how in ("prolog", "http", "none")
    ]
    async with running(settings, clock) as app:
        for encoding, how in variants:
            body, content_type = russian(encoding, how)
            await app.storage.feeds.add(
                feed_server.serve(f"/{encoding}/{how}", body, content_type), now=clock()
            )
        report, delivered = await poll_now(app)
        feeds = await app.storage.feeds.all()
        titles = {f.url: [r["title"] for r in await entry_rows(app.storage, f.id)] for f in feeds}
        summaries = {
            f.url: [r["summary"] for r in await entry_rows(app.storage, f.id)] for f in feeds
        }
    assert report.failures == 0
    for feed in feeds:
        assert feed.title == "Новости", feed.url
        assert titles[feed.url] == [ARREST_RU], feed.url
        assert summaries[feed.url] == [ARREST_RU_TEXT], feed.url
    # Read right, they are detected: every variant's entry alerts (backlog window of 1).
    assert (report.events, delivered) == (6, 6)


# --- Text, links and times ------------------------------------------------------------


async def test_titles_and_summaries_are_plain_text(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    item = Item(
        "t1",
        "Court &amp; regulator: &quot;block it&quot; &#8212; <b>now</b>",
        "<![CDATA[<p>First&nbsp;paragraph.</p>\n\n   <p>Second\tparagraph &amp; more."
        "<script>alert(1)</script><style>p{}</style></p><br/>Tail]]>",
        clock(),
    )
    url = feed_server.serve("/rss", rss_feed([item]))
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(url, now=clock())
        await poll_now(app)
        rows = await entry_rows(app.storage, feed.id)
    assert rows[0]["title"] == 'Court & regulator: "block it" — now'
    assert rows[0]["summary"] == "First paragraph. Second paragraph & more. Tail"


async def test_links_are_absolute_and_times_are_utc(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    moscow = timezone(timedelta(hours=3))
    rss_items = [
        Item(
            "r1", "Relative", published=datetime(2026, 11, 24, 15, 0, tzinfo=moscow), link="/news/1"
        ),
        Item("r2", "Dangerous", published=None, link="javascript:alert(1)"),
    ]
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"'
        ' xml:base="https://atom.example.net/blog/"><title>Atom</title><id>urn:x</id>'
        "<updated>2026-11-24T10:00:00Z</updated>"
        "<entry><id>urn:1</id><title>Based</title><link href='posts/1'/>"
        "<updated>2026-11-24T07:30:00-05:00</updated></entry></feed>"
    )
    rss_url = feed_server.serve("/site/rss", rss_feed(rss_items))
    atom_url = feed_server.serve("/atom", atom, "application/atom+xml")
    async with running(settings, clock) as app:
        rss_feed_row = await app.storage.feeds.add(rss_url, now=clock())
        atom_feed_row = await app.storage.feeds.add(atom_url, now=clock())
        await poll_now(app)
        rss_rows = await entry_rows(app.storage, rss_feed_row.id)
        atom_rows = await entry_rows(app.storage, atom_feed_row.id)
    assert rss_rows[0]["link"] == "https://example.org/news/1"
    assert rss_rows[1]["link"] is None
    assert rss_rows[0]["published_at"] == "2026-11-24T12:00:00+00:00"
    assert atom_rows[0]["link"] == "https://atom.example.net/blog/posts/1"
    assert atom_rows[0]["published_at"] == "2026-11-24T12:30:00+00:00"


async def test_json_feed_is_read_like_any_other(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON news",
        "home_page_url": "https://json.example.org/",
        "items": [
            {
                "id": 42,
                "url": "/2026/block",
                "title": BLOCK,
                "content_html": "<p>The regulator <b>restricted</b> the app.</p>",
                "date_published": "2026-11-24T14:00:00+03:00",
            },
            {"id": "w", "content_text": WEATHER},
        ],
    }
    url = feed_server.serve("/feed.json", json.dumps(document), "application/feed+json")
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(url, now=clock())
        report, _ = await poll_now(app)
        rows = await entry_rows(app.storage, feed.id)
        stored = await app.storage.feeds.get(feed.id)
    assert report.feeds[0].error is None and stored is not None and stored.title == "JSON news"
    assert [r["uid"] for r in rows] == ["42", "w"]
    assert rows[0]["link"] == "https://json.example.org/2026/block"
    assert rows[0]["summary"] == "The regulator restricted the app."
    assert rows[0]["published_at"] == "2026-11-24T11:00:00+00:00"


@pytest.mark.parametrize("kind", ["rss", "json"])
def test_rss_and_json_feeds_share_one_cap_on_entries(kind: str) -> None:
    count = MAX_ENTRIES + 10
    if kind == "json":
        items = [{"id": str(n), "title": f"Entry {n}"} for n in range(count)]
        body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items})
        parsed = parse_feed(body.encode(), "https://example.org/feed.json", JSON_TYPE)
    else:
        document = rss_feed([Item(str(n), f"Entry {n}") for n in range(count)])
        parsed = parse_feed(document.encode(), "https://example.org/rss", {})
    assert len(parsed.entries) == MAX_ENTRIES
    assert parsed.warning == f"only the first {MAX_ENTRIES} of {count} entries were read"
