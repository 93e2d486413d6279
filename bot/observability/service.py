"""The health endpoint put together: metrics, the scheduler's heartbeat and the probes.

The composition root builds one `Observability` when HEALTH_LISTEN is set, hands
its `metrics` to the pipeline, the delivery loop and the platforms as their
recorder, beats its `heartbeat` on every tick, and serves it while the bot runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from bot.delivery.contract import PlatformRuntime
from bot.observability.health import (
    Heartbeat,
    MonotonicClock,
    liveness_problem,
    readiness_problems,
    stale_after,
)
from bot.observability.metrics import Metrics
from bot.observability.server import HealthServer, Probes
from bot.storage import Storage

logger = logging.getLogger(__name__)

# How long the database may take to answer /readyz before it counts as not answering.
DATABASE_PROBE_SECONDS = 5.0


class Observability:
    def __init__(
        self,
        address: tuple[str, int],
        *,
        platforms: Sequence[str],
        tick_seconds: float,
        monotonic: MonotonicClock | None = None,
    ) -> None:
        self.address = address
        self.heartbeat = Heartbeat(monotonic) if monotonic is not None else Heartbeat()
        self.metrics = Metrics(platforms, heartbeat=self.heartbeat)
        self._stale_after = stale_after(tick_seconds)
        self.server: HealthServer | None = None

    async def start(
        self,
        storage: Storage,
        runtimes: Sequence[PlatformRuntime],
        stopping: Callable[[], bool],
    ) -> HealthServer:
        """Answer on the configured address until `stop()`."""

        def connection(runtime: PlatformRuntime) -> tuple[str, str | None]:
            return runtime.sender.platform, runtime.readiness()

        def live() -> list[str]:
            problem = liveness_problem(self.heartbeat.age(), self._stale_after)
            return [problem] if problem else []

        async def ready() -> list[str]:
            return readiness_problems(
                stopping=stopping(),
                database=await _database_problem(storage),
                platforms=dict(connection(runtime) for runtime in runtimes),
            )

        async def metrics() -> bytes:
            connected = {name: problem is None for name, problem in map(connection, runtimes)}
            await self.metrics.refresh(
                storage, connected=connected, heartbeat_age=self.heartbeat.age()
            )
            return self.metrics.exposition()

        host, port = self.address
        self.server = HealthServer(host, port, Probes(live, ready, metrics))
        await self.server.start()
        return self.server

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None


async def _database_problem(storage: Storage) -> str | None:
    try:
        await asyncio.wait_for(storage.schema_version(), DATABASE_PROBE_SECONDS)
    except TimeoutError:
        return f"no answer within {DATABASE_PROBE_SECONDS:.0f} s"
    except Exception as exc:  # whatever it is, the database does not answer
        return f"{type(exc).__name__}: {exc}"
    return None
