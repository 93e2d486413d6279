"""Delivery: the outbox worked through per chat, under each platform's limits.

`loop.Delivery` takes due rows and hands each to its platform's sender;
`contract` is what a platform's sender promises the loop; `ratelimit` holds a
platform's limits on our side; `decisions` are the pure rules for retries and
pauses, and the storage writes (`DeliveryOutcome`) each answer of a platform means.
"""

from bot.delivery.loop import Delivery

__all__ = ["Delivery"]
