"""Starting `python -m bot` (and other Tocsin processes) from a test, on the test's clock.

Every process a test starts gets CLOCK_START, so what it stores and compares agrees
with what the test wrote, whatever today's date is; platform tokens of the shell that
runs the suite never leak in.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from tests.conftest import TEST_START

ROOT = Path(__file__).resolve().parents[1]


def tocsin_env(
    env: dict[str, str] | None = None, *, clock: Callable[[], datetime] | None = None
) -> dict[str, str]:
    """The environment for a Tocsin process: this one's, minus tokens, plus the test clock."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    clean["PYTHONPATH"] = str(ROOT)
    # A shell that forbids bytecode files would make every one of the suite's few hundred
    # processes compile Tocsin's sources again (about 0.3 s of CPU each).
    clean.pop("PYTHONDONTWRITEBYTECODE", None)
    clean["CLOCK_START"] = (clock() if clock is not None else TEST_START).isoformat()
    # Tests of one message per report; those of stories turn them on.
    clean["STORIES"] = "false"
    clean.update(env or {})
    return clean


def tocsin(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    stdin: str = "",
    clock: Callable[[], datetime] | None = None,
    timeout: float = 60,
    stdout: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` to the end; output as text (stdout to `stdout` if given).

    Waited for by asyncio, not by subprocess.run's timeout: that one polls with
    time.sleep, which fails under libfaketime (the suite also runs with the clock
    set a year ahead).
    """
    run = _run(args, cwd, tocsin_env(env, clock=clock), stdin, timeout, stdout)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run)
    # Called from a test's own event loop: wait in a thread with a loop of its own.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run).result()


async def _run(
    args: tuple[str, ...],
    cwd: Path,
    env: dict[str, str],
    stdin: str,
    limit: float,
    stdout: int | None,
) -> subprocess.CompletedProcess[str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=stdout if stdout is not None else asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(stdin.encode()), limit)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return subprocess.CompletedProcess(
        [sys.executable, "-m", "bot", *args],
        process.returncode if process.returncode is not None else -1,
        (out or b"").decode(),
        (err or b"").decode(),
    )


async def tocsin_async(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`tocsin` in a thread, for tests whose servers live on their own event loop."""
    return await asyncio.to_thread(tocsin, *args, cwd=cwd, env=env, clock=clock)


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in (result.stdout or "")


async def start_cli(
    now: datetime, *args: str, cwd: Path, **settings: str
) -> asyncio.subprocess.Process:
    """`python -m bot ARGS` at `now`, configured by `settings` (environment variables)
    alone, with the demo and the terminal chat off unless asked; output piped."""
    env = tocsin_env({"DEMO_FEEDS": "off", "CONSOLE_CHAT": "off", **settings}, clock=lambda: now)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def start_telegram_bot(
    now: datetime, cwd: Path, database: Path, bot_api_url: str, **settings: str
) -> asyncio.subprocess.Process:
    """`python -m bot run` on `database`, delivering to the fake Bot API at `bot_api_url`
    (its token), polling loopback feeds, parsing in threads; more `settings` on top."""
    from tests.fakes.telegram_api import TOKEN

    return await start_cli(
        now,
        "run",
        cwd=cwd,
        DATABASE_PATH=str(database),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=bot_api_url,
        FETCH_ALLOW_PRIVATE_NETWORKS="true",
        PARSE_POOL="thread",
        **settings,
    )


@contextlib.asynccontextmanager
async def telegram_bot_running(
    now: datetime, cwd: Path, database: Path, bot_api_url: str, **settings: str
) -> AsyncIterator[Printed]:
    """The bot of `start_telegram_bot`, as `running` gives it."""
    process = await start_telegram_bot(now, cwd, database, bot_api_url, **settings)
    async with running(process) as log:
        yield log


@contextlib.asynccontextmanager
async def running(
    process: asyncio.subprocess.Process, stop_with: signal.Signals = signal.SIGTERM
) -> AsyncIterator[Printed]:
    """A bot process's stderr, read as it comes; the bot is stopped by `stop_with` on the
    way out (SIGINT is Ctrl+C), after which it must have exited cleanly (status 0)."""
    assert process.stderr is not None
    log = Printed(process.stderr)
    try:
        yield log
    finally:
        process.send_signal(stop_with)
        try:
            await asyncio.wait_for(process.wait(), 15)
        finally:
            await reap(process, log)
    assert process.returncode == 0, log.text


async def reap(process: asyncio.subprocess.Process, log: Printed) -> None:
    """Kill `process` if it still runs, and read what it printed to the end."""
    if process.returncode is None:
        process.kill()
        await process.wait()
    await log.close()


class Printed:
    """What a running process prints, line by line, and a way to wait for a line."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.text = ""
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for line in stream:
            async with self._changed:
                self.text += line.decode()
                self._changed.notify_all()

    async def wait_for(self, wanted: str, within: float = 30) -> None:
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: wanted in self.text)

    async def close(self) -> None:
        await asyncio.wait_for(self._reader, 15)
