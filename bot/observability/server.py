"""The health endpoint: /healthz, /readyz and /metrics on HEALTH_LISTEN.

Off unless HEALTH_LISTEN is set; it listens where it is told, loopback when only a
port is given. It answers plain text meant for monitoring, not for chat users.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.settings import ConfigError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Probes:
    """What the endpoint asks: each returns the reasons it is not fine (none: fine)."""

    live: Callable[[], list[str]]
    ready: Callable[[], Awaitable[list[str]]]
    metrics: Callable[[], Awaitable[bytes]]


def _answer(problems: list[str], fine: str) -> web.Response:
    if not problems:
        return web.Response(text=f"{fine}\n")
    return web.Response(status=503, text="".join(f"{line}\n" for line in problems))


class HealthServer:
    def __init__(self, host: str, port: int, probes: Probes) -> None:
        self.host = host
        self.port = port
        self._probes = probes
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            # The operator's setting is wrong (a port taken, an address not ours).
            raise ConfigError(
                f"HEALTH_LISTEN: cannot listen on {self.host}:{self.port}: {exc.strerror or exc}"
            ) from None
        self._runner = runner
        for address in runner.addresses:
            if isinstance(address, tuple):
                self.port = int(address[1])
                break
        logger.info("health endpoint listening on %s", self.url)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        return _answer(self._probes.live(), "ok")

    async def _readyz(self, request: web.Request) -> web.Response:
        return _answer(await self._probes.ready(), "ready")

    async def _metrics(self, request: web.Request) -> web.Response:
        body = await self._probes.metrics()
        response = web.Response(body=body)
        # prometheus_client's content type carries parameters aiohttp will not split.
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response
