"""/status: feeds, queue, alerts in the last day, deactivated chats."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.i18n import text
from handlers.commands.base import MAX_LISTED_FEEDS, CommandBase, _one_line, feed_error_text
from handlers.commands.contract import Caller, ChatRef, Reply
from handlers.commands.feedback import feedback_lines

logger = logging.getLogger(__name__)


class StatusCommands(CommandBase):
    async def status(self, ref: ChatRef, caller: Caller) -> Reply:
        """Feeds ok and failing, queue depth, alerts in the last 24 hours, dead chats."""
        lang = await self.language_of(ref, caller)
        if not self.is_bot_admin(ref.platform, caller.user_id):
            return self._refuse_bot_admin(lang)
        if self._answer_seen_by_others(ref):
            # It names deactivated chats (ids, titles) and their errors: not for a group.
            return Reply(text(lang, "status.private_only"), lang, refused=True)
        now = self._clock()
        health = await self._storage.feeds.health(listed=MAX_LISTED_FEEDS)
        lines = [
            text(
                lang,
                "status.token_refused",
                platform=refusal.platform,
                variable=refusal.variable,
                status=refusal.status,
            )
            for refusal in self._refusals()
        ]
        lines += [
            text(
                lang,
                "status.feeds",
                ok=health.ok,
                failing=health.failing,
                new=health.new,
                disabled=health.disabled,
            )
        ]
        lines += [
            text(
                lang,
                "status.failing_item",
                id=f.id,
                title=_one_line(f.name, 60),
                error=feed_error_text(f.last_error_kind, f.last_error, lang),
            )
            for f in health.failing_feeds
        ]
        counts = await self._storage.outbox.open_counts()
        lines.append(
            text(
                lang,
                "status.queue",
                pending=counts.get("pending", 0),
                sending=counts.get("sending", 0),
                failed=counts.get("failed", 0),
            )
        )
        since = now - timedelta(hours=24)
        lines.append(
            text(
                lang,
                "status.alerts",
                events=await self._storage.entries.count_events_since(since),
                delivered=await self._storage.outbox.delivered_since(since),
            )
        )
        lines += await feedback_lines(self._storage, now, lang)
        active = await self._storage.chats.active_subscriptions()
        lines.append(text(lang, "status.chats", active=len(active)))
        inactive = await self._storage.chats.inactive()
        if inactive:
            lines.append(text(lang, "status.inactive_header", count=len(inactive)))
            lines += [
                text(
                    lang,
                    "status.inactive_item",
                    platform=chat.platform,
                    chat=self._stored_chat_name(chat),
                    reason=_one_line(chat.deactivated_reason or "?", 150),
                )
                for chat in inactive[:MAX_LISTED_FEEDS]
            ]
        return Reply("\n".join(lines), lang)
