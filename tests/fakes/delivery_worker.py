"""A delivery process to kill: drains the outbox of DB_PATH to the Bot API at API_URL.

    python -m tests.fakes.delivery_worker DB_PATH API_URL CLOCK_START

The crash test starts it, lets part of a fan-out through, and kills it with SIGKILL.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.delivery import Delivery
from bot.delivery.ratelimit import RateLimiter, RateLimits
from bot.storage import Storage
from bot.timeutil import running_clock
from handlers.telegram.sender import TelegramSender
from tests.fakes.telegram_api import TOKEN


async def run(db_path: Path, api_url: str, clock_start: datetime) -> None:
    storage = await Storage.open(db_path)
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
    bot = Bot(TOKEN, session=session)
    sender = TelegramSender(bot, RateLimiter(RateLimits(per_second=200)))
    # The test's clock: alerts it queued must not look a day old to the worker.
    delivery = Delivery(storage, {"telegram": sender}, clock=running_clock(clock_start))
    await delivery.drain()


if __name__ == "__main__":
    asyncio.run(run(Path(sys.argv[1]), sys.argv[2], datetime.fromisoformat(sys.argv[3])))
