"""The parse pool under a burst: time limits count parsing, not waiting for a turn."""

from __future__ import annotations

import asyncio

import pytest

from feeds.errors import ParseError
from feeds.parse_pool import ParsePool
from tests.conftest import rss
from tests.fakes.slow_parse import take_seconds


def _feed(entries: int, tag: str) -> bytes:
    items = [
        (f"{tag}-{n}", f"Story {n} of {tag}", "<p>Some <b>text</b>.</p>") for n in range(entries)
    ]
    return rss(*items).encode()


async def test_documents_queued_behind_many_others_are_not_timed_out() -> None:
    # One thread, four documents each well within the limit alone: the burst as a
    # whole takes longer than one document's limit, and still every one is parsed.
    with ParsePool("thread", workers=1, timeout_seconds=1.0, parser=take_seconds) as pool:
        started = asyncio.get_running_loop().time()
        outcomes = await asyncio.gather(
            *(pool.parse(b"0.6", f"https://example.org/{n}.xml") for n in range(4)),
            return_exceptions=True,
        )
        waited = asyncio.get_running_loop().time() - started
    assert waited > 1.0
    assert [getattr(o, "title", o) for o in outcomes] == [
        f"https://example.org/{n}.xml" for n in range(4)
    ]


async def test_a_document_past_the_limit_fails_alone() -> None:
    hostile = _feed(30_000, "huge")
    normal = _feed(5, "small")
    with ParsePool("process", workers=1, timeout_seconds=0.5) as pool:
        outcomes = await asyncio.gather(
            pool.parse(hostile, "https://example.org/huge.xml"),
            *(pool.parse(normal, f"https://example.org/{n}.xml") for n in range(6)),
            return_exceptions=True,
        )
    failure, *parsed = outcomes
    assert isinstance(failure, ParseError) and "longer than 0.5 s" in str(failure)
    # Including the document that was waiting behind it for the same worker.
    assert [len(getattr(result, "entries", ())) for result in parsed] == [5] * 6


async def test_time_spent_waiting_for_a_worker_is_not_counted() -> None:
    # A cold pool (the worker starts on the first parse) and four documents for one
    # worker, each well within the limit alone but not with the waits added up.
    with ParsePool("process", workers=1, timeout_seconds=1.0, parser=take_seconds) as pool:
        outcomes = await asyncio.gather(
            *(pool.parse(b"0.6", f"https://example.org/{n}.xml") for n in range(4)),
            return_exceptions=True,
        )
    assert [getattr(o, "title", o) for o in outcomes] == [
        f"https://example.org/{n}.xml" for n in range(4)
    ]


async def test_a_parse_longer_than_the_limit_fails_however_it_was_queued() -> None:
    with ParsePool("process", workers=1, timeout_seconds=0.5, parser=take_seconds) as pool:
        slow, quick = await asyncio.gather(
            pool.parse(b"30", "https://example.org/slow.xml"),
            pool.parse(b"0.1", "https://example.org/quick.xml"),
            return_exceptions=True,
        )
    assert isinstance(slow, ParseError) and "longer than 0.5 s" in str(slow)
    assert getattr(quick, "title", quick) == "https://example.org/quick.xml"


async def test_parses_left_when_the_pool_closes_fail_instead_of_starting_a_new_pool() -> None:
    body = _feed(2_000, "slow")
    pool = ParsePool("thread", workers=1, timeout_seconds=30)
    parses = [
        asyncio.ensure_future(pool.parse(body, f"https://example.org/{n}.xml")) for n in range(4)
    ]
    # One turn of the loop: the first two are handed to the worker, two wait their turn.
    await asyncio.sleep(0)
    pool.close()
    outcomes = await asyncio.gather(*parses, return_exceptions=True)
    # The ones not yet running when the pool closed fail, rather than quietly starting
    # a new pool behind its owner's back that nobody would ever shut down.
    assert all(isinstance(outcome, ParseError) for outcome in outcomes[1:]), outcomes
    with pytest.raises(ParseError, match="shut down"):
        await pool.parse(body, "https://example.org/late.xml")
