"""Tocsin's Discord side as one object the composition root starts and stops.

`start()` logs in (REST), then in a background task syncs the slash commands and
keeps the gateway connected; nothing Discord does there can stop Telegram or the
polling. While the bot is not logged in, its sender asks the delivery loop to wait,
so Discord alerts stay queued rather than fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.delivery.contract import Sender, TokenRefusal
from bot.delivery.ratelimit import RateLimiter
from bot.notices import NoticeSink
from bot.observability.recorder import Recorder
from bot.settings import Settings
from feeds.proxy import PROXY_FAILURES, tunnel_connector
from handlers.commands import CommandService
from handlers.discord.client import TocsinBot
from handlers.discord.sender import DISCORD_LIMITS, DiscordNoticeSink, DiscordSender
from handlers.discord.watch import PLATFORM, ResponseWatch

logger = logging.getLogger(__name__)

LOGIN_TIMEOUT = 30.0
SYNC_TIMEOUT = 60.0
# Login retries after a transient failure: from 5 s up to 10 minutes apart.
RETRY_FIRST = 5.0
RETRY_MAX = 600.0
_TRANSIENT: tuple[type[Exception], ...] = (
    discord.HTTPException,
    aiohttp.ClientError,
    OSError,
    asyncio.TimeoutError,
    *PROXY_FAILURES,
)
_VERSIONED = re.compile(r"/api/v\d+$")


def point_discord_at(api_url: str) -> Callable[[], None]:
    """Send discord.py's REST calls (and interaction replies) to `api_url`.

    discord.py builds every URL from the class attribute `Route.BASE`, so this is
    process-wide; there is one Discord bot per process. `api_url` is a server root
    ("http://127.0.0.1:8080") or a full base ending in /api/vN. Returns a function
    that puts things back as they were.
    """
    previous_base, previous_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    api_url = api_url.rstrip("/")
    Route.BASE = api_url if _VERSIONED.search(api_url) else f"{api_url}/api/v10"

    def restore() -> None:
        Route.BASE = previous_base
        DiscordWebSocket.DEFAULT_GATEWAY = previous_gateway

    return restore


class DiscordRuntime:
    def __init__(
        self, settings: Settings, service: CommandService, *, retry_first: float = RETRY_FIRST
    ) -> None:
        if settings.discord_bot_token is None:
            raise ValueError("DiscordRuntime needs DISCORD_BOT_TOKEN")
        self._token = settings.discord_bot_token.get_secret_value()
        self._api_url = settings.discord_api_url
        self.watch = ResponseWatch()
        proxy = settings.discord_proxy_parsed
        # Through DISCORD_PROXY, REST and the gateway alike (the session's connector).
        tunnel = {"connector": tunnel_connector(proxy, limit=0)} if proxy is not None else {}
        self.bot = TocsinBot(service, http_trace=self.watch.trace, **tunnel)
        # One limiter for every request of this bot: alerts, notices, the rest.
        self.limiter = RateLimiter(DISCORD_LIMITS)
        self.sender: Sender = DiscordSender(self.bot, self.limiter)
        self.notice_sink: NoticeSink | None = (
            DiscordNoticeSink(
                self.bot, settings.discord_admin_ids, self.limiter, language=settings.admin_language
            )
            if settings.discord_admin_ids
            else None
        )
        self._task: asyncio.Task[None] | None = None
        self._restore: Callable[[], None] | None = None
        self._retry_first = retry_first
        # Set when Discord refuses the token: nothing on this platform can work then.
        self.refused: TokenRefusal | None = None

    async def start(self) -> None:
        """Log in, then sync and connect in the background. Never raises for Discord trouble."""
        if self._api_url:
            self._restore = point_discord_at(self._api_url)
        trouble = await self._attempt(self._login)
        if self.refused is not None:
            return
        if trouble is not None:
            logger.warning("cannot reach Discord (%s); retrying in the background", trouble)
            self._task = asyncio.create_task(self._retry_then_run(), name="discord")
            return
        self._task = asyncio.create_task(self._run(), name="discord")

    async def start_sending(self) -> None:
        """Log in over REST only: enough to send alerts and DMs, no gateway, no commands.

        For one-shot runs. Never raises for Discord trouble: while not logged in,
        the sender keeps Discord alerts queued for the next run.
        """
        if self.bot.user is not None:
            return
        if self._api_url and self._restore is None:
            self._restore = point_discord_at(self._api_url)
        trouble = await self._attempt(lambda: self.bot.login(self._token))
        if trouble is not None:
            logger.warning("cannot reach Discord (%s); Discord alerts stay queued", trouble)

    async def _attempt(self, login: Callable[[], Awaitable[None]]) -> Exception | None:
        """One try at logging in. Returns the trouble that stopped it when Discord
        cannot be reached now (worth another try later); None once it is settled:
        logged in, or the token refused (then `refused` says so)."""
        try:
            await asyncio.wait_for(login(), LOGIN_TIMEOUT)
        except discord.LoginFailure:
            self._refuse()
        except _TRANSIENT as exc:
            return exc
        return None

    def _refuse(self) -> None:
        self.refused = TokenRefusal("Discord", "DISCORD_BOT_TOKEN", "401 Unauthorized")
        logger.error("%s", self.refused.line())

    def readiness(self) -> str | None:
        if self.refused is not None:
            return "Discord refuses the token"
        if self.bot.user is None:
            return "not logged in"
        ws = self.bot.ws
        if not self.bot.is_ready() or ws is None or not ws.open:
            return "the gateway is not connected"
        return None

    def observe(self, recorder: Recorder) -> None:
        self.watch.recorder = recorder
        self.limiter.observe(lambda seconds: recorder.rate_limit_waited(PLATFORM, seconds))

    async def stop(self) -> None:
        await self.bot.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._restore is not None:
            self._restore()
            self._restore = None

    async def _login(self) -> None:
        await self.bot.login(self._token)
        logger.info("logged in to Discord as %s", self.bot.user)
        if self._api_url:
            # A custom API serves its own gateway; ask it where, as Discord would answer.
            _, gateway, _ = await self.bot.http.get_bot_gateway()
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)

    async def _retry_then_run(self) -> None:
        delay = self._retry_first
        while True:
            await asyncio.sleep(delay)
            trouble = await self._attempt(self._login)
            if trouble is None:
                break
            delay = min(delay * 2, RETRY_MAX)
            logger.warning("still cannot reach Discord (%s); next try in %.0f s", trouble, delay)
        if self.refused is None:
            await self._run()

    async def _run(self) -> None:
        await self.sync_commands()
        try:
            # discord.py reconnects and resumes by itself; it returns or raises only
            # when the connection cannot go on (closed by us, bad token, bad intents).
            await self.bot.connect(reconnect=True)
        except Exception:
            logger.exception("the Discord gateway connection ended; slash commands are off")

    async def sync_commands(self) -> int | None:
        """Publish the slash commands; a failure is logged and the bot carries on."""
        try:
            synced = await asyncio.wait_for(self.bot.tree.sync(), SYNC_TIMEOUT)
        except Exception as exc:
            logger.warning("could not sync Discord slash commands: %s", exc)
            return None
        logger.info("synced %d Discord slash commands", len(synced))
        return len(synced)
