"""Logging, set up once by the command line."""

from __future__ import annotations

import logging
import sys


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Libraries' chatter at INFO drowns out Tocsin's own lines.
    for noisy in (
        "aiohttp.access",
        "apscheduler",
        "aiogram.event",
        "discord.gateway",
        "discord.client",
        "discord.http",
        "pymorphy3",
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
