"""Discord's 429 answers, counted as the bot's HTTP session sees them.

discord.py sleeps through short 429s by itself, so the sender never hears of most of
them; an aiohttp trace on the client's own session sees every answer, those included.
"""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp

from bot.observability.recorder import NO_RECORDER, Recorder

PLATFORM = "discord"


class ResponseWatch:
    def __init__(self) -> None:
        self.recorder: Recorder = NO_RECORDER
        self.trace = aiohttp.TraceConfig()
        self.trace.on_request_end.append(self._ended)

    async def _ended(
        self,
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        if params.response.status == 429:
            self.recorder.too_many_requests(PLATFORM)
