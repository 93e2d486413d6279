"""A delivery process to kill: drains the outbox of DB_PATH to the Bot API at API_URL.

    python -m tests.fakes.delivery_worker DB_PATH API_URL NOW

NOW is the test clock's reading (ISO 8601): the worker's clock starts there.

The crash test starts it, lets part of a fan-out through, and kills it with SIGKILL.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.delivery import Delivery
from bot.ratelimit import RateLimiter, RateLimits
from bot.senders.telegram import TelegramSender
from bot.storage import Storage
from tests.fakes.process_clock import CarriedClock
from tests.fakes.telegram_api import TOKEN


async def run(db_path: Path, api_url: str, clock: CarriedClock) -> None:
    storage = await Storage.open(db_path)
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
    bot = Bot(TOKEN, session=session)
    sender = TelegramSender(bot, RateLimiter(RateLimits(per_second=200)))
    delivery = Delivery(storage, {"telegram": sender}, clock=clock)
    await delivery.drain()


if __name__ == "__main__":
    asyncio.run(run(Path(sys.argv[1]), sys.argv[2], CarriedClock.parse(sys.argv[3])))
