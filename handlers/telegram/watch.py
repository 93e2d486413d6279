"""Whether the Bot API answers, as the bot's own requests find it; and its 429s, counted.

A request middleware on the bot's session, inside the pacing one, so it sees every
request as it really went (each 429 included, also those the pacing retries). Any
answer from the Bot API, even a refusal of one message, means Telegram is reachable;
a network failure, a 5xx or a body that is not the Bot API's means it is not.

A proxy that fails (TELEGRAM_PROXY unreachable, or refusing the bot) raises errors
aiogram does not know; they are raised on as the network failure they are, which
every caller already handles.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.observability.recorder import NO_RECORDER, Recorder
from feeds.proxy import PROXY_FAILURES

PLATFORM = "telegram"


class ExchangeWatch(BaseRequestMiddleware):
    def __init__(self) -> None:
        # Why Telegram is not reachable, as the latest answer (or its absence) says.
        self.problem: str | None = "no answer from the Bot API yet"
        self.recorder: Recorder = NO_RECORDER

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            response = await make_request(bot, method)
        except PROXY_FAILURES as exc:
            self.problem = f"the proxy failed ({type(exc).__name__}: {exc})"
            raise TelegramNetworkError(method, f"proxy: {exc}") from exc
        except TelegramRetryAfter:
            self.problem = None
            self.recorder.too_many_requests(PLATFORM)
            raise
        except TelegramUnauthorizedError:
            self.problem = "the Bot API refuses the token"
            raise
        except (TelegramNetworkError, TelegramServerError, ClientDecodeError) as exc:
            self.problem = f"the Bot API cannot be reached ({type(exc).__name__})"
            raise
        except TelegramAPIError:
            self.problem = None  # an answer about one request: Telegram is there
            raise
        self.problem = None
        return response
