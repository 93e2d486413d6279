"""What readers tell the operators: "false alarm" under an alert, /missed URL, and the
choice of weak signals (threats, plans, bills, lifted bans) as low-severity notes."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from bot.domain.feedback import Reporter
from bot.i18n import text
from bot.storage import Storage
from handlers.commands.base import CommandBase, _capital, _one_line
from handlers.commands.contract import Caller, ChatRef, Choice, Reply
from handlers.rendering import safe_link, utc_minute

logger = logging.getLogger(__name__)

# A link longer than this is no news item's address (and would flood /status).
MAX_MISSED_URL = 2048
# How many links one person may send with /missed in 24 hours: enough for a reader
# going through a day's news, too few to flood the operators' list.
MISSED_PER_DAY = 20
# How far back /status counts readers' reports, and how many missed links it lists.
FEEDBACK_DAYS = 30
LISTED_MISSED = 5


def weak_choice(on: bool, lang: str) -> Choice:
    """The button that turns weak signals on (or off) for the chat it is pressed in."""
    key = "feedback.weak_on_button" if on else "feedback.weak_off_button"
    return Choice(text(lang, key), "weak", "on" if on else "off")


class FeedbackCommands(CommandBase):
    async def _reporter(self, ref: ChatRef, user_id: int) -> Reporter:
        """The person, and the stored chat they spoke in (if it is one)."""
        chat = await self._storage.chats.get(ref.platform, ref.external_id, ref.thread_id)
        return Reporter(ref.platform, str(user_id), chat.id if chat else None)

    async def false_alarm(self, ref: ChatRef, caller: Caller, event_id: int) -> Reply:
        """A reader pressed "false alarm" under event `event_id`'s alert: counted once
        per person, whoever they are in the chat (reading an alert is all it takes)."""
        lang = await self.language_of(ref, caller)
        if caller.user_id is None:
            return Reply(text(lang, "feedback.anonymous"), lang, refused=True)
        reporter = await self._reporter(ref, caller.user_id)
        outcome = await self._storage.feedback.flag_false(event_id, reporter, self._clock())
        if outcome == "unknown":
            return Reply(text(lang, "feedback.unknown"), lang, error=True)
        if outcome == "again":
            return Reply(text(lang, "feedback.again"), lang)
        logger.info("event %d marked a false alarm by %s", event_id, self._actor(ref, caller))
        return Reply(text(lang, "feedback.thanks"), lang)

    async def missed(self, ref: ChatRef, caller: Caller, argument: str) -> Reply:
        """`/missed URL`: record a news item the detector should have alerted about."""
        lang = await self.language_of(ref, caller)
        url = argument.strip()
        if not url:
            return Reply(text(lang, "feedback.missed_usage"), lang, error=True)
        if safe_link(url, MAX_MISSED_URL) is None:
            shown = _one_line(url, 80)
            return Reply(text(lang, "feedback.missed_bad_url", url=shown), lang, error=True)
        if caller.user_id is None:
            return Reply(text(lang, "feedback.anonymous"), lang, refused=True)
        now = self._clock()
        reporter = await self._reporter(ref, caller.user_id)
        outcome = await self._storage.feedback.record_missed(
            url, reporter, now, per_day=MISSED_PER_DAY
        )
        if outcome == "again":
            return Reply(text(lang, "feedback.missed_again"), lang)
        if outcome == "limit":
            limit = text(lang, "feedback.missed_limit", limit=MISSED_PER_DAY)
            return Reply(limit, lang, refused=True)
        actor = self._actor(ref, caller)
        await self._storage.audit.record(actor, "missed", f"{self._chat_name(ref)}: {url}", now)
        return Reply(text(lang, "feedback.missed_done"), lang)

    async def set_weak(self, ref: ChatRef, caller: Caller, argument: str) -> Reply:
        """Weak signals on ("on") or off ("off") for the chat's subscription as it is."""
        lang = await self.language_of(ref, caller)
        if not self.may_manage(ref, caller):
            return self._refuse_manage(lang)
        where = self._where(ref, lang)
        chat = await self._storage.chats.get(ref.platform, ref.external_id, ref.thread_id)
        subscription = await self._storage.chats.subscription(chat.id) if chat else None
        if chat is None or subscription is None or argument not in ("on", "off"):
            message = _capital(text(lang, "feedback.weak_unsubscribed", where=where))
            return Reply(message, lang, error=True)
        on = argument == "on"
        changed = dataclasses.replace(subscription, min_severity="low" if on else "medium")
        now = self._clock()
        actor = self._actor(ref, caller)
        await self._storage.chats.subscribe(chat.id, changed, now=now, by=actor)
        await self._storage.audit.record(
            actor, "subscribe", f"{self._chat_name(ref)}: {self._summary(changed)}", now
        )
        key = "feedback.weak_on" if on else "feedback.weak_off"
        return Reply(_capital(text(lang, key, where=where)), lang, (weak_choice(not on, lang),))


async def feedback_lines(storage: Storage, now: datetime, lang: str) -> list[str]:
    """What /status says of readers' reports (for bot admins)."""
    since = now - timedelta(days=FEEDBACK_DAYS)
    counts = await storage.feedback.counts(since)
    lines = [
        text(
            lang,
            "feedback.status",
            days=FEEDBACK_DAYS,
            flags=counts.flags,
            events=counts.flagged_events,
            missed=counts.missed,
        )
    ]
    for link in await storage.feedback.missed(since, LISTED_MISSED):
        when = utc_minute(link.at)
        url = _one_line(link.url, 200)
        lines.append(text(lang, "feedback.status_missed_item", url=url, when=when))
    return lines
