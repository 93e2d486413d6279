"""A platform that refuses the bot's token is said plainly, by the real command line.

Each test starts the real `python -m bot` entry point (`bot.cli.main`, with the test's
clock) in its own process, against the fake Bot API and the fake Discord, which
answer 401 to getMe and to /users/@me when the token is not theirs.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.fakes.discord_api import DM, FakeDiscord
from tests.fakes.telegram_api import FakeBotAPI
from tests.processes import start_cli

# Well-formed tokens that the fakes do not know.
WRONG_TELEGRAM_TOKEN = "987654321:WRONG-token_that-the-fake-does-not-know"
WRONG_DISCORD_TOKEN = "not-the-fake-discord-token"
DISCORD_ADMIN = 4242
TELEGRAM_LINE = "Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized): check the token"
DISCORD_LINE = "Discord refused DISCORD_BOT_TOKEN (401 Unauthorized): check the token"


def both_refused(tmp_path: Path, telegram_api: FakeBotAPI, discord: FakeDiscord) -> dict[str, str]:
    return dict(
        DATABASE_PATH=str(tmp_path / "tocsin.sqlite3"),
        TELEGRAM_BOT_TOKEN=WRONG_TELEGRAM_TOKEN,
        TELEGRAM_API_URL=telegram_api.base_url,
        DISCORD_BOT_TOKEN=WRONG_DISCORD_TOKEN,
        DISCORD_API_URL=discord.url,
    )


def telegram_refused(
    tmp_path: Path, telegram_api: FakeBotAPI, discord: FakeDiscord
) -> dict[str, str]:
    return dict(
        DATABASE_PATH=str(tmp_path / "tocsin.sqlite3"),
        TELEGRAM_BOT_TOKEN=WRONG_TELEGRAM_TOKEN,
        TELEGRAM_API_URL=telegram_api.base_url,
        DISCORD_BOT_TOKEN=discord.token,
        DISCORD_API_URL=discord.url,
        DISCORD_ADMIN_IDS=str(DISCORD_ADMIN),
    )


def shown(discord_text: str) -> str:
    """Discord text as a person reads it (markdown escapes are not shown)."""
    return discord_text.replace("\\", "")


@pytest.mark.parametrize("once", [True, False], ids=["run --once", "run"])
async def test_every_platform_refusing_ends_with_one_line_each_and_status_2(
    telegram_api: FakeBotAPI, clock: FakeClock, tmp_path: Path, once: bool
) -> None:
    async with FakeDiscord() as discord:
        env = both_refused(tmp_path, telegram_api, discord)
        args = ["run", "--once"] if once else ["run"]
        process = await start_cli(clock(), *args, cwd=tmp_path, **env)
        # `run` too ends by itself: nothing could ever be delivered.
        out, err = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode == 2, err.decode()
    lines = err.decode().splitlines()
    # The last words are one plain line per platform, naming the variable to fix.
    assert lines[-2:] == [TELEGRAM_LINE, DISCORD_LINE]
    assert "Traceback" not in err.decode(), err.decode()
    assert out.decode() == ""
    assert telegram_api.delivered == []


async def test_run_once_with_one_platform_refused_delivers_on_the_other_and_exits_1(
    telegram_api: FakeBotAPI, clock: FakeClock, tmp_path: Path
) -> None:
    async with FakeDiscord() as discord:
        env = telegram_refused(tmp_path, telegram_api, discord)
        process = await start_cli(clock(), "run", "--once", cwd=tmp_path, **env)
        out, err = await asyncio.wait_for(process.communicate(), 90)
        dm = discord.dm_with(DISCORD_ADMIN)
        notices = [shown(m["content"]) for m in dm.messages] if dm is not None else []
    assert process.returncode == 1, err.decode()
    errors = [line for line in err.decode().splitlines() if " ERROR " in line]
    assert len(errors) == 1 and errors[0].endswith(TELEGRAM_LINE)
    assert "Traceback" not in err.decode(), err.decode()
    assert out.decode().strip().startswith("polled 0 feeds")
    [notice] = notices
    assert notice.startswith(f"⚠️ {TELEGRAM_LINE}. Tocsin keeps running on Discord")


async def test_run_with_one_platform_refused_keeps_the_other_and_tells_its_admins(
    telegram_api: FakeBotAPI, clock: FakeClock, tmp_path: Path
) -> None:
    async with FakeDiscord() as discord:
        env = telegram_refused(tmp_path, telegram_api, discord)
        process = await start_cli(clock(), "run", cwd=tmp_path, **env)
        try:
            await discord.wait_for(
                lambda: (dm := discord.dm_with(DISCORD_ADMIN)) is not None and dm.messages,
                within=60,
            )
            dm = discord.dm_with(DISCORD_ADMIN)
            assert dm is not None
            [notice] = [shown(m["content"]) for m in dm.messages]
            assert notice.startswith(f"⚠️ {TELEGRAM_LINE}")
            # Discord goes on: its admin asks /status, and the refusal comes first.
            await asyncio.wait_for(discord.identified.wait(), 60)
            dm_channel = discord.add_channel(DM, "")
            replies = await discord.interact(
                discord.interaction("status", channel=dm_channel, user_id=DISCORD_ADMIN),
                replies=2,
                within=30,
            )
            status = shown(replies[-1]["content"])
            assert status.splitlines()[0] == (
                "⛔ Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized): check the token. "
                "Its alerts wait in the queue until the token is fixed and Tocsin restarted."
            )
            assert process.returncode is None
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    errors = [line for line in err.decode().splitlines() if " ERROR " in line]
    assert [line.endswith(TELEGRAM_LINE) for line in errors] == [True]
