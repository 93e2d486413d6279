"""`tocsin run` as an operator runs it: a real process, stopped by a signal."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from aiohttp import web

from tests.conftest import FeedServer
from tests.processes import tocsin, tocsin_env

# A real deployment's commands with the terminal as its chat, fetching from loopback.
ENV = {
    "DEMO_FEEDS": "off",
    "CONSOLE_CHAT": "on",
    "FETCH_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
}


async def test_sigterm_during_a_poll_cycle_stops_cleanly_without_an_error(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    asked, release = asyncio.Event(), asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        asked.set()
        await release.wait()  # the cycle is under way when the signal comes
        return web.Response(status=500)

    feed_server.handlers["/slow"] = slow
    added = await asyncio.to_thread(
        tocsin, "feeds", "add", "--no-check", feed_server.url("/slow"), cwd=tmp_path, env=ENV
    )
    assert added.returncode == 0, added.stderr
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=tocsin_env(ENV),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await asyncio.wait_for(asked.wait(), 30)
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 15)
    finally:
        release.set()
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = err.decode()
    assert process.returncode == 0, log
    assert "Tocsin stopped" in log
    assert " ERROR " not in log and "Traceback" not in log, log
