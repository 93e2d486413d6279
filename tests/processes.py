"""Starting `python -m bot` (and other Tocsin processes) from a test, on the test's clock.

Every process a test starts gets CLOCK_START, so what it stores and compares agrees
with what the test wrote, whatever today's date is; platform tokens of the shell that
runs the suite never leak in.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
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
    clean["CLOCK_START"] = (clock() if clock is not None else TEST_START).isoformat()
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
    """Run `python -m bot ARGS` to the end; output as text (stdout to `stdout` if given)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=tocsin_env(env, clock=clock),
        input=stdin,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=False,
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
