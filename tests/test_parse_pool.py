"""The parse pool under a burst: time limits count parsing, not waiting for a turn."""

from __future__ import annotations

import asyncio

from feeds.errors import ParseError
from feeds.parse_pool import ParsePool
from tests.conftest import rss


def _feed(entries: int, tag: str) -> bytes:
    items = [
        (f"{tag}-{n}", f"Story {n} of {tag}", "<p>Some <b>text</b>.</p>") for n in range(entries)
    ]
    return rss(*items).encode()


async def test_documents_queued_behind_many_others_are_not_timed_out() -> None:
    body = _feed(200, "burst")
    with ParsePool("thread", workers=1, timeout_seconds=0.5) as pool:
        started = asyncio.get_running_loop().time()
        results = await asyncio.gather(
            *(pool.parse(body, f"https://example.org/{n}.xml") for n in range(40))
        )
        waited = asyncio.get_running_loop().time() - started
    # The burst as a whole takes longer than one document's limit...
    assert waited > 0.5
    # ...and still every document is parsed.
    assert [len(result.entries) for result in results] == [200] * 40


async def test_a_document_past_the_limit_fails_alone() -> None:
    hostile = _feed(30_000, "huge")
    normal = _feed(5, "small")
    with ParsePool("process", workers=1, timeout_seconds=0.5) as pool:
        await pool.parse(normal, "https://example.org/warm.xml")  # workers started
        outcomes = await asyncio.gather(
            pool.parse(hostile, "https://example.org/huge.xml"),
            *(pool.parse(normal, f"https://example.org/{n}.xml") for n in range(6)),
            return_exceptions=True,
        )
        recycled = pool.recycled
    failure, *parsed = outcomes
    assert isinstance(failure, ParseError) and "longer than" in str(failure)
    # Including the document that was waiting in the killed worker's queue.
    assert [len(getattr(result, "entries", ())) for result in parsed] == [5] * 6
    assert recycled == 1
