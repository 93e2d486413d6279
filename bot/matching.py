"""Which chats an event goes to: a pure decision over data, no I/O."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.domain.chat import Chat, Subscription
from bot.domain.detection import Detection
from bot.domain.vocabulary import Category, severity_rank

# Builds a filter for include/exclude words; returns whether the text passes.
TextFilter = Callable[[Sequence[str], Sequence[str], str, str | None], bool]


def wanted_categories(event: Detection, subscription: Subscription) -> tuple[Category, ...]:
    """The event's categories this subscription asked for.

    Weak categories (threats, plans, lifted bans) count only for chats that asked
    for low-severity alerts.
    """
    offered = list(event.categories)
    if subscription.min_severity == "low":
        offered += [c for c in event.weak_categories if c not in offered]
    return tuple(c for c in offered if c in subscription.categories)


def matches(
    event: Detection,
    text: str,
    subscription: Subscription,
    text_filter: TextFilter,
) -> bool:
    if not wanted_categories(event, subscription):
        return False
    if event.categories and severity_rank(event.severity) < severity_rank(
        subscription.min_severity
    ):
        return False
    if subscription.languages and (event.lang or "") not in subscription.languages:
        return False
    if subscription.include_words or subscription.exclude_words:
        return text_filter(subscription.include_words, subscription.exclude_words, text, event.lang)
    return True


def matching_chats(
    event: Detection,
    text: str,
    subscriptions: Sequence[tuple[Chat, Subscription]],
    text_filter: TextFilter,
) -> list[int]:
    return [
        chat.id
        for chat, subscription in subscriptions
        if chat.active and matches(event, text, subscription, text_filter)
    ]
