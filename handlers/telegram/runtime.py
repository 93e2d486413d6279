"""The Telegram bot as one object the composition root starts and stops.

    runtime = TelegramRuntime(settings, service)
    delivery.add_sender(runtime.sender)
    notifier.add_sink(runtime.notice_sink)   # when TELEGRAM_ADMIN_IDS is set
    await runtime.start()   # polling or webhook; command menus in the background
    ...
    await runtime.stop()

A one-shot run (`tocsin run --once`) calls `start_sending()` instead of `start()`:
alerts and notices go out, and no updates are received.

`TELEGRAM_API_URL` points the bot at any Bot API server. Updates arrive by long
polling unless `TELEGRAM_WEBHOOK_URL` is set; then a small aiohttp server listens
on TELEGRAM_WEBHOOK_HOST:PORT at that URL's path, and takes only requests that carry
the webhook's secret token: TELEGRAM_WEBHOOK_SECRET, or a random one made at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import ClientDecodeError, TelegramAPIError, TelegramUnauthorizedError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.token import TokenValidationError
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import BasicAuth, web

from bot.delivery.contract import TokenRefusal
from bot.delivery.ratelimit import RateLimiter, RateLimits
from bot.i18n import languages
from bot.notices import NoticeSink
from bot.observability.recorder import Recorder
from bot.settings import ConfigError, Settings
from feeds.proxy import Proxy
from handlers.commands import ADMIN_COMMANDS, USER_COMMANDS, CommandService, command_description
from handlers.telegram import routers
from handlers.telegram.pacing import ensure_paced
from handlers.telegram.sender import TelegramNoticeSink, TelegramSender
from handlers.telegram.watch import PLATFORM, ExchangeWatch

logger = logging.getLogger(__name__)

# How long the token check at start may take; past that, start as if it had passed.
_TOKEN_CHECK_SECONDS = 30.0
# How long stopping may wait for aiogram to end its long poll.
_STOP_POLLING_SECONDS = 5.0
# After the bot fails to start polling (Bot API unreachable), wait this long, doubling.
_RESTART_FIRST_SECONDS = 1.0
_RESTART_MAX_SECONDS = 60.0


def _aiogram_proxy(proxy: Proxy | None) -> str | tuple[str, BasicAuth] | None:
    """TELEGRAM_PROXY as aiogram takes it; the credentials apart, so that no password
    needs quoting in a URL."""
    if proxy is None:
        return None
    if proxy.user is None:
        return str(proxy.url)
    return str(proxy.url), BasicAuth(proxy.user, proxy.password or "")


def build_dispatcher(service: CommandService) -> Dispatcher:
    """A dispatcher with every feature router; handlers get `service` by parameter name."""
    dispatcher = Dispatcher(service=service, disable_fsm=True)
    for router in routers():
        dispatcher.include_router(router)
    return dispatcher


def command_list(lang: str, *, admin: bool) -> list[BotCommand]:
    names = USER_COMMANDS + (ADMIN_COMMANDS if admin else ())
    return [BotCommand(command=name, description=command_description(lang, name)) for name in names]


class TelegramRuntime:
    def __init__(
        self,
        settings: Settings,
        service: CommandService,
        *,
        limiter: RateLimiter | None = None,
        polling_timeout: int = 10,
    ) -> None:
        if settings.telegram_bot_token is None:
            raise ConfigError("TELEGRAM_BOT_TOKEN: not set")
        session = AiohttpSession(proxy=_aiogram_proxy(settings.telegram_proxy_parsed))
        if settings.telegram_api_url:
            session.api = TelegramAPIServer.from_base(settings.telegram_api_url)
        try:
            self.bot = Bot(
                settings.telegram_bot_token.get_secret_value(),
                session=session,
                default=DefaultBotProperties(parse_mode=None),
            )
        except TokenValidationError:
            raise ConfigError("TELEGRAM_BOT_TOKEN: not a Telegram bot token") from None
        self.settings = settings
        self.service = service
        self.limiter = limiter or RateLimiter(
            RateLimits(
                per_second=settings.telegram_rate_per_second,
                per_chat_per_second=settings.telegram_rate_per_chat_per_second,
                per_group_per_minute=settings.telegram_rate_per_group_per_minute,
            )
        )
        # Every call of this bot waits for its turn in this one limiter.
        ensure_paced(self.bot, self.limiter)
        # Registered after the pacing, so it runs inside it and sees each answer.
        self.watch = ExchangeWatch()
        self.bot.session.middleware(self.watch)
        self.sender = TelegramSender(
            self.bot, self.limiter, link_previews=settings.telegram_link_previews
        )
        self.notice_sink: NoticeSink | None = (
            TelegramNoticeSink(
                self.bot,
                settings.telegram_admin_ids,
                self.limiter,
                language=settings.admin_language,
            )
            if settings.telegram_admin_ids
            else None
        )
        self.dispatcher = build_dispatcher(service)
        self._polling_timeout = polling_timeout
        # Set when Telegram refuses the token: nothing on this platform can work then.
        self.refused: TokenRefusal | None = None
        self._polling: asyncio.Task[None] | None = None
        self._menus: asyncio.Task[None] | None = None
        self._webhook: web.AppRunner | None = None

    @property
    def webhook_mode(self) -> bool:
        return self.settings.telegram_webhook_url is not None

    async def check_token(self) -> bool:
        """Ask Telegram who the bot is; False (and `refused` set) when it refuses the token.

        Only a refusal counts: Telegram out of reach says nothing about the token,
        and polling keeps trying as before.
        """
        try:
            await asyncio.wait_for(self.bot.get_me(), _TOKEN_CHECK_SECONDS)
        except TelegramUnauthorizedError:
            self.refused = TokenRefusal("Telegram", "TELEGRAM_BOT_TOKEN", "401 Unauthorized")
            logger.error("%s", self.refused.line())
            return False
        except (TelegramAPIError, ClientDecodeError, OSError, TimeoutError) as exc:
            logger.warning("could not check TELEGRAM_BOT_TOKEN yet: %s", exc)
        return True

    async def start(self) -> None:
        if not await self.check_token():
            return
        # The menus are a nicety: 2 languages x (1 + admins) calls, each of which may
        # hang up to the request timeout. Nothing waits for them.
        self._menus = asyncio.create_task(self._set_menus_in_background(), name="telegram-menus")
        if self.webhook_mode:
            await self._start_webhook()
        else:
            self._polling = asyncio.create_task(self._poll_forever(), name="telegram-polling")

    async def start_sending(self) -> None:
        """Ready to send alerts and notices, without receiving updates.

        The Bot API needs no session set up in advance; only the token is checked,
        so that a refused one is said plainly instead of failing every alert.
        """
        await self.check_token()

    def readiness(self) -> str | None:
        if self.refused is not None:
            return "the Bot API refuses the token"
        return self.watch.problem

    def observe(self, recorder: Recorder) -> None:
        self.watch.recorder = recorder
        self.limiter.observe(lambda seconds: recorder.rate_limit_waited(PLATFORM, seconds))

    async def stop(self) -> None:
        if self._polling is not None:
            # aiogram's own stop first: cancelling `start_polling` from outside leaves
            # its inner polling task running, asking for updates (with a new HTTP
            # session) after this one is closed.
            with contextlib.suppress(RuntimeError, TimeoutError):  # RuntimeError: not polling
                await asyncio.wait_for(self.dispatcher.stop_polling(), _STOP_POLLING_SECONDS)
        for task in (self._menus, self._polling):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._menus = self._polling = None
        if self._webhook is not None:
            await self._webhook.cleanup()
            self._webhook = None
        await self.bot.session.close()

    async def set_command_menus(self) -> None:
        """The command menu per language, and with admin commands for each bot admin.

        Best effort: a Bot API server that lacks setMyCommands (or refuses one call)
        costs the menu, never the bot.
        """
        calls: list[tuple[str, list[BotCommand], BotCommandScopeDefault | BotCommandScopeChat]] = []
        for lang in languages():
            calls.append((lang, command_list(lang, admin=False), BotCommandScopeDefault()))
            for admin_id in self.settings.telegram_admin_ids:
                calls.append(
                    (lang, command_list(lang, admin=True), BotCommandScopeChat(chat_id=admin_id))
                )
        for lang, commands, scope in calls:
            # The English menu is the default for every interface language.
            language_code = None if lang == "en" else lang
            try:
                await self.bot.set_my_commands(commands, scope=scope, language_code=language_code)
            except (TelegramAPIError, OSError) as exc:
                logger.warning("could not set the %s command menu (%s): %s", lang, scope.type, exc)

    async def _set_menus_in_background(self) -> None:
        try:
            await self.set_command_menus()
        except Exception:  # never fatal: the commands work without a menu
            logger.exception("could not set the Telegram command menus")

    async def _poll_forever(self) -> None:
        """Long polling; if it cannot start (network, a wrong token), try again later."""
        delay = _RESTART_FIRST_SECONDS
        while True:
            try:
                with contextlib.suppress(TelegramAPIError):
                    # A webhook left from an earlier run would make getUpdates fail.
                    await self.bot.delete_webhook(drop_pending_updates=False)
                await self.dispatcher.start_polling(
                    self.bot,
                    polling_timeout=self._polling_timeout,
                    handle_signals=False,
                    close_bot_session=False,
                    allowed_updates=self.dispatcher.resolve_used_update_types(),
                )
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.error("Telegram polling stopped (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RESTART_MAX_SECONDS)

    async def _start_webhook(self) -> None:
        url = self.settings.telegram_webhook_url
        assert url is not None
        secret = self.settings.telegram_webhook_secret
        if secret is not None:
            secret_text = secret.get_secret_value()
        else:
            # Without a secret anyone who reaches the URL could forge updates, admin
            # commands included. Telegram repeats whatever secret setWebhook was given.
            secret_text = secrets.token_urlsafe(32)
            logger.warning("TELEGRAM_WEBHOOK_SECRET is not set: using a random secret for this run")
        path = urlsplit(url).path or "/"
        app = web.Application()
        SimpleRequestHandler(self.dispatcher, self.bot, secret_token=secret_text).register(
            app, path=path
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(
            runner, self.settings.telegram_webhook_host, self.settings.telegram_webhook_port
        )
        await site.start()
        self._webhook = runner
        try:
            await self.bot.set_webhook(
                url,
                secret_token=secret_text,
                allowed_updates=self.dispatcher.resolve_used_update_types(),
            )
        except TelegramAPIError as exc:
            # The listener is up; an operator may register the URL by hand, with
            # TELEGRAM_WEBHOOK_SECRET set (a random secret cannot be known to them).
            logger.error("setWebhook failed: %s", exc)
        logger.info(
            "Telegram webhook listening on %s:%s%s",
            self.settings.telegram_webhook_host,
            self.settings.telegram_webhook_port,
            path,
        )

    @property
    def webhook_port(self) -> int | None:
        """The port actually bound (useful when configured as 0)."""
        if self._webhook is None:
            return None
        for address in self._webhook.addresses:
            if isinstance(address, tuple):
                return int(address[1])
        return None
