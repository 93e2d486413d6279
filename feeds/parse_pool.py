"""Where feeds are parsed: worker processes by default, off the event loop either way.

feedparser is pure Python, so in a thread it holds the GIL and slows the event loop
that is fetching other feeds; in worker processes it runs on the other cores
(bench/ingest.py measures both; docs/ingestion.md has the figures). A process can
also be killed: a document that keeps the parser busy past `timeout_seconds` costs
one recycled pool, not a stuck worker forever.

Workers start lazily, on the first parse, from a forkserver that preloads
`feeds.parse`, so `make run` starts as fast as before and forking never copies the
bot's threads or sockets.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import FrameType, TracebackType
from typing import Literal, Self

from feeds.errors import ParseError
from feeds.models import ParsedFeed
from feeds.parse import parse_feed

logger = logging.getLogger(__name__)

PoolKind = Literal["process", "thread"]
Parser = Callable[[bytes, str, dict[str, str]], ParsedFeed]
# Worker processes are replaced after this many parses, so that whatever feedparser
# or a hostile document leaves behind in memory does not accumulate for months.
_TASKS_PER_CHILD = 1_000
# Starting the forkserver and a worker (imports included) on a loaded machine.
_WORKER_START_ALLOWANCE_SECONDS = 60.0


def _ignore_interrupts() -> None:
    """Ctrl+C reaches the whole process group; the bot shuts its workers down itself,
    so a worker must not die mid-parse with a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Expired(BaseException):
    """Not an Exception: the parser's own `except Exception` must not swallow it."""


def _expire(signum: int, frame: FrameType | None) -> None:
    raise _Expired


def parse_within(
    parser: Parser, body: bytes, url: str, headers: dict[str, str], limit: float
) -> ParsedFeed:
    """Runs in a worker process: the time limit counts this parse alone.

    Measured here, the limit cannot be spent by waiting: for the worker to start (slow
    on a loaded machine), or behind the document before this one.
    """
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return parser(body, url, headers)
    except _Expired:
        raise ParseError(f"parsing took longer than {limit:g} s", kind="parse") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def default_workers() -> int:
    return max(os.cpu_count() or 1, 1)


class ParsePool:
    """Runs `parse_feed` in an executor with a time limit; use as a context manager."""

    def __init__(
        self,
        kind: PoolKind = "process",
        *,
        workers: int | None = None,
        timeout_seconds: float = 30.0,
        executor: Executor | None = None,
        borrow_loop_default: bool = False,
        parser: Parser = parse_feed,
    ) -> None:
        """`executor` wraps an executor someone else owns (and shuts down);
        `borrow_loop_default` uses the event loop's default executor when none is given.
        `parser` must be importable by worker processes (a module-level function)."""
        self.kind: PoolKind = kind
        self._parser = parser
        self.workers = workers or default_workers()
        self.timeout_seconds = timeout_seconds
        self._borrowed = executor
        self._loop_default = executor is None and borrow_loop_default
        self._executor: Executor | None = executor
        self._generation = 0
        self.recycled = 0
        # Set by close(): a parse still running or queued then fails instead of
        # quietly starting a new pool that nobody would ever shut down.
        self._closed = False
        # Worker processes time each parse themselves, so one document running and one
        # ready per worker costs no document its time: a worker never idles while its
        # next document crosses over. Threads cannot be timed from inside, so a thread
        # document is handed over only when a thread is free to start it at once.
        self._turns = asyncio.Semaphore(
            2 * self.workers if kind == "process" and executor is None else self.workers
        )

    @property
    def _self_timed(self) -> bool:
        return self.kind == "process" and self._borrowed is None

    @property
    def _backstop(self) -> float:
        """How long the event loop waits for a parse before it kills the workers.

        Self-timed workers end a slow parse themselves; this only catches one stuck
        where a signal cannot reach it (inside C code), so it allows for a turn behind
        another document and a slow worker start on top of the limit.
        """
        if not self._self_timed:
            return self.timeout_seconds
        return 2 * self.timeout_seconds + _WORKER_START_ALLOWANCE_SECONDS

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _new_executor(self) -> Executor:
        if self.kind == "thread":
            return ThreadPoolExecutor(self.workers, thread_name_prefix="tocsin-parse")
        method = "forkserver" if sys.platform.startswith("linux") else "spawn"
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            # Each worker is forked from a server that already imported feedparser.
            context.set_forkserver_preload(["feeds.parse"])
        return ProcessPoolExecutor(
            self.workers,
            mp_context=context,
            max_tasks_per_child=_TASKS_PER_CHILD,
            initializer=_ignore_interrupts,
        )

    def _current(self) -> tuple[Executor, int]:
        if self._closed:
            raise ParseError("the parser is shut down", kind="parse")
        if self._executor is None:
            self._executor = self._new_executor()
        return self._executor, self._generation

    def _recycle(self, generation: int) -> None:
        """Throw away a broken or stuck pool (once, however many parses noticed)."""
        if generation != self._generation or self._borrowed is not None:
            return
        self._generation += 1
        self.recycled += 1
        old, self._executor = self._executor, None
        if old is not None:
            _terminate(old)

    async def parse(
        self, body: bytes, url: str, headers: Mapping[str, str] | None = None
    ) -> ParsedFeed:
        """Parse off the event loop; ParseError on timeout or a crashed worker.

        Documents are handed to the executor only about as fast as workers free up,
        and the time limit starts then: in a cycle that fetched a thousand feeds at
        once, a document waiting its turn must not fail, nor get the pool recycled,
        for the time it spent queued behind the others.
        """
        async with self._turns:
            if self._closed:
                raise ParseError("the parser is shut down", kind="parse")
            return await self._parse_now(body, url, dict(headers or {}))

    async def _parse_now(self, body: bytes, url: str, plain_headers: dict[str, str]) -> ParsedFeed:
        if self._loop_default:
            loop = asyncio.get_running_loop()
            work = loop.run_in_executor(None, self._parser, body, url, plain_headers)
            try:
                return await asyncio.wait_for(work, self.timeout_seconds)
            except TimeoutError:
                raise ParseError(
                    f"parsing took longer than {self.timeout_seconds:g} s", kind="parse"
                ) from None
        for attempt in (1, 2):
            executor, generation = self._current()
            try:
                if self._self_timed:
                    future = executor.submit(
                        parse_within, self._parser, body, url, plain_headers, self.timeout_seconds
                    )
                else:
                    future = executor.submit(self._parser, body, url, plain_headers)
            except (BrokenProcessPool, RuntimeError):
                self._recycle(generation)
                continue
            try:
                return await asyncio.wait_for(asyncio.wrap_future(future), self._backstop)
            except TimeoutError:
                if generation != self._generation and attempt == 1:
                    # The pool was recycled while this document waited behind the one
                    # that ran past the limit: the lost time is not this document's.
                    continue
                future.cancel()
                logger.warning(
                    "parsing %s did not end within %g s; recycling parsers", url, self._backstop
                )
                self._recycle(generation)
                raise ParseError(
                    f"parsing took longer than {self.timeout_seconds:g} s", kind="parse"
                ) from None
            except BrokenProcessPool:
                # Either this document killed a worker, or another one did and this
                # parse was collateral: try once more on a fresh pool.
                self._recycle(generation)
                if attempt == 2:
                    raise ParseError("the parser crashed on this document", kind="parse") from None
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not future.cancelled() or (task is not None and task.cancelling()):
                    raise
                # Another document's timeout recycled the pool, cancelling this parse
                # with it: that is no reason to fail this feed, or the whole cycle.
                if attempt == 2:
                    raise ParseError("the parser was restarted twice", kind="parse") from None
        raise ParseError("the parser is unavailable", kind="parse")

    def close(self) -> None:
        self._closed = True
        executor, self._executor = self._executor, None
        if executor is not None and self._borrowed is None:
            _terminate(executor)


def _terminate(executor: Executor) -> None:
    if isinstance(executor, ProcessPoolExecutor):
        # A stuck worker would make shutdown wait forever: kill the processes first.
        processes = dict(getattr(executor, "_processes", None) or {})
        for process in processes.values():
            if process.is_alive():
                process.terminate()
        executor.shutdown(wait=True, cancel_futures=True)
        for process in processes.values():
            process.join(timeout=5)
    else:
        executor.shutdown(wait=False, cancel_futures=True)


__all__ = ["ParsePool", "PoolKind", "default_workers"]
