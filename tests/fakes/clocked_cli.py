"""The real command line, with the test's clock: `python -m tests.fakes.clocked_cli NOW ARGS...`.

Runs exactly what `python -m bot ARGS...` runs (`bot.cli.main`), except that the
process's clock starts at NOW, the test clock's reading (ISO 8601), so nothing the
process decides depends on today's date. `start_cli` starts one from a test.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime
from pathlib import Path

from bot.cli import main
from tests.fakes.process_clock import CarriedClock

ROOT = Path(__file__).resolve().parents[2]


async def start_cli(
    now: datetime, *args: str, cwd: Path, **settings: str
) -> asyncio.subprocess.Process:
    """`python -m bot ARGS` at `now`, configured by `settings` (environment variables)
    alone: none of the machine's own TELEGRAM_* or DISCORD_* settings leak in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DISCORD_"))
    }
    env.update(PYTHONPATH=str(ROOT), DEMO_FEEDS="off", CONSOLE_CHAT="off", **settings)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.clocked_cli",
        now.isoformat(),
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[2:], clock=CarriedClock.parse(sys.argv[1])))
