"""Where the flow's records used to live; they are in bot.domain now."""

from bot.domain.alert import Alert
from bot.domain.chat import Chat, Platform, Subscription
from bot.domain.feed import Feed
from bot.domain.vocabulary import CATEGORIES, SEVERITIES, severity_rank

__all__ = [
    "CATEGORIES",
    "SEVERITIES",
    "Alert",
    "Chat",
    "Feed",
    "Platform",
    "Subscription",
    "severity_rank",
]
