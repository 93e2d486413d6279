"""The Telegram side: one router per feature, the error handler, and the runtime.

`routers()` builds the feature routers, in the order the dispatcher includes them;
each feature module exports `router()`, which builds a fresh `Router` (a router can
belong to one dispatcher only, and tests build many).
"""

from __future__ import annotations

from aiogram import Router

from handlers.telegram import basics, choices, errors, feedback, feeds, subscriptions


def routers() -> list[Router]:
    return [
        basics.router(),
        subscriptions.router(),
        feeds.router(),
        choices.router(),
        feedback.router(),
        errors.router(),
    ]
