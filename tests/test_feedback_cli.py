"""The operator's side of readers' feedback and of languages the detector does not read:
`tocsin feedback`, `feeds add`, `feeds catalog` and `feeds add-catalog` as real
processes, and the terminal chat's weak-signals setting."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.app import ensure_console_chat
from bot.detect.evaluate import read_items
from bot.detect.languages import detector_languages
from bot.domain.feedback import Reporter
from bot.storage import Storage
from feeds.catalog import load_catalog
from tests.conftest import TEST_START, FakeClock, FeedServer, rss
from tests.fakes.telegram_bot import add_event
from tests.processes import no_traceback
from tests.test_cli_feeds import tocsin, tocsin_async


async def flagged_database(tmp_path: Path) -> tuple[int, int]:
    """A deployment's database with two flagged events: one three days ago (twice),
    one forty days ago. Returns their ids."""
    storage = await Storage.open(tmp_path / "data" / "tocsin.sqlite3", role="live")
    try:
        recent_at, old_at = TEST_START - timedelta(days=3), TEST_START - timedelta(days=40)
        recent = await add_event(
            storage,
            recent_at,
            title="Ministry proposes to block VPN services",
            summary="A draft would let the regulator act without a court.",
        )
        old = await add_event(storage, old_at, title="Old news", summary="", link=None)
        for user, at in (("1", recent_at), ("2", recent_at + timedelta(hours=1))):
            assert await storage.feedback.flag_false(recent, Reporter("telegram", user), at) == (
                "recorded"
            )
        await storage.feedback.flag_false(old, Reporter("discord", "9"), old_at)
        await storage.feedback.record_missed(
            "https://example.org/missed", Reporter("telegram", "1"), recent_at, per_day=20
        )
    finally:
        await storage.close()
    return recent, old


async def test_feedback_exports_flagged_events_as_labelled_json_lines(tmp_path: Path) -> None:
    recent, old = await flagged_database(tmp_path)
    result = await tocsin_async("feedback", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["id"] == f"feedback-{recent}"
    assert record["title"] == "Ministry proposes to block VPN services"
    assert record["summary"].startswith("A draft would") and record["style"] == "summary"
    assert record["detected"] == ["censorship"] and record["labels"] == []
    assert record["flagged_false"] == 2 and record["lang"] == "en"
    assert "1 flagged event(s), 1 missed link(s)" in result.stderr
    assert "https://example.org/missed" in result.stderr
    # The development data's reader takes the file as it is.
    exported = tmp_path / "flagged.jsonl"
    exported.write_text(result.stdout, encoding="utf-8")
    [item] = list(read_items(exported))
    assert (item.id, item.labels) == (f"feedback-{recent}", ())

    longer = await tocsin_async("feedback", "--since", "6w", cwd=tmp_path)
    ids = [json.loads(line)["id"] for line in longer.stdout.splitlines()]
    assert ids == [f"feedback-{recent}", f"feedback-{old}"]


def test_feedback_refuses_a_span_it_cannot_read(tmp_path: Path) -> None:
    result = tocsin("feedback", "--since", "a month", cwd=tmp_path)
    assert result.returncode == 2 and "30d" in result.stderr
    no_traceback(result)


def test_the_catalog_says_which_feeds_the_detector_cannot_read(tmp_path: Path) -> None:
    unread = [f for f in load_catalog() if f.lang not in detector_languages()]
    assert unread, "the bundled catalog has feeds in other languages"
    for feed in unread:
        assert feed.note and "does not read" in feed.note, feed.slug
    listed = tocsin("feeds", "catalog", cwd=tmp_path)
    for feed in unread:
        assert f"{feed.slug}: its language “{feed.lang}” is not one the detector reads" in (
            listed.stdout
        )
    read = [f for f in load_catalog() if f.lang in detector_languages()]
    assert not any(f"{f.slug}: its language" in listed.stdout for f in read)
    country = unread[0].country
    added = tocsin("feeds", "add-catalog", "--country", country, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "note: its language" in added.stdout
    assert "in a language the detector does not read" in added.stdout


async def test_feeds_add_says_when_the_feed_is_in_a_language_the_detector_does_not_read(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.documents["/uk.xml"] = (rss(("1", "Новини", "Текст"), lang="uk-UA").encode(), {})
    feed_server.documents["/ru.xml"] = (rss(("1", "Новости", "Текст"), lang="ru").encode(), {})
    unread = await tocsin_async("feeds", "add", f"{feed_server.base_url}/uk.xml", cwd=tmp_path)
    assert unread.returncode == 0, unread.stderr
    assert "its language “uk” is not one the detector reads (en, ru)" in unread.stdout
    read = await tocsin_async("feeds", "add", f"{feed_server.base_url}/ru.xml", cwd=tmp_path)
    assert read.returncode == 0 and "not one the detector reads" not in read.stdout


async def test_the_terminal_chat_takes_weak_signals_when_configured(
    storage: Storage, clock: FakeClock
) -> None:
    for weak, expected in ((False, "medium"), (True, "low"), (False, "medium")):
        await ensure_console_chat(storage, "en", clock, weak=weak)
        chat = await storage.chats.get("console", "terminal")
        assert chat is not None
        subscription = await storage.chats.subscription(chat.id)
        assert subscription is not None and subscription.min_severity == expected
