"""/feeds, /addfeed, /removefeed."""

from __future__ import annotations

import logging

from bot.detect.languages import detector_languages, unread_language
from bot.i18n import text
from bot.storage import DuplicateFeedError
from feeds.errors import FeedError
from feeds.redact import redact_url
from handlers.commands.base import (
    MAX_CHOICES,
    MAX_LISTED_ALERTING,
    MAX_LISTED_FEEDS,
    CommandBase,
    _one_line,
    feed_error_text,
)
from handlers.commands.contract import Caller, ChatRef, Choice, Reply

logger = logging.getLogger(__name__)


class FeedCommands(CommandBase):
    async def feeds(self, ref: ChatRef, caller: Caller) -> Reply:
        """Every feed with its health (anyone may ask: it shows where alerts come from)."""
        lang = await self.language_of(ref, caller)
        feeds = await self._storage.feeds.all()
        if not feeds:
            return Reply(text(lang, "feeds.none"), lang)
        lines = [text(lang, "feeds.header", count=len(feeds))]
        lines += [self._feed_line(feed, lang) for feed in feeds[:MAX_LISTED_FEEDS]]
        if len(feeds) > MAX_LISTED_FEEDS:
            lines.append(text(lang, "feeds.more", count=len(feeds) - MAX_LISTED_FEEDS))
        return Reply("\n".join(lines), lang)

    async def add_feed(self, ref: ChatRef, caller: Caller, url: str) -> Reply:
        """Fetch, parse and preview the feed; store it only if all of that worked."""
        lang = await self.language_of(ref, caller)
        if not self.is_bot_admin(ref.platform, caller.user_id):
            return self._refuse_bot_admin(lang)
        url = url.strip()
        if not url:
            return Reply(text(lang, "addfeed.usage"), lang, error=True)
        if " " in url or not url.lower().startswith(("http://", "https://")):
            shown = _one_line(redact_url(url))
            return Reply(text(lang, "addfeed.bad_url", url=shown), lang, error=True)
        actor = self._actor(ref, caller)
        try:
            feed, preview = await self._pipeline.add_feed(url, actor)
        except DuplicateFeedError as exc:
            return Reply(text(lang, "addfeed.duplicate", id=exc.feed_id), lang, error=True)
        except FeedError as exc:
            logger.info(
                "refused feed %s for %s: %s", redact_url(url), actor, _one_line(str(exc), 400)
            )
            reason = feed_error_text(exc.kind, str(exc), lang)
            return Reply(text(lang, "addfeed.failed", reason=reason), lang, error=True)
        await self._storage.audit.record(
            actor, "addfeed", f"#{feed.id} {feed.shown_url}", self._clock()
        )
        title = _one_line(preview.title or feed.name)
        lines = [text(lang, "addfeed.done", id=feed.id, title=title, entries=preview.entry_count)]
        alerting = list(preview.alerting)
        if not alerting:
            lines.append(text(lang, "addfeed.alerting_none"))
        else:
            lines.append(text(lang, "addfeed.alerting", count=len(alerting)))
            for entry_title, categories in alerting[:MAX_LISTED_ALERTING]:
                lines.append(
                    text(
                        lang,
                        "addfeed.alerting_item",
                        title=_one_line(entry_title, 150),
                        categories=", ".join(categories),
                    )
                )
            if len(alerting) > MAX_LISTED_ALERTING:
                lines.append(text(lang, "feeds.more", count=len(alerting) - MAX_LISTED_ALERTING))
        unread = unread_language(preview.lang)
        if unread is not None:
            supported = ", ".join(detector_languages())
            lines.append(text(lang, "feedback.feed_language", language=unread, supported=supported))
        return Reply("\n".join(lines), lang)

    async def remove_feed(self, ref: ChatRef, caller: Caller, argument: str) -> Reply:
        """Remove by number (as /feeds shows it); no argument -> one button per feed."""
        lang = await self.language_of(ref, caller)
        if not self.is_bot_admin(ref.platform, caller.user_id):
            return self._refuse_bot_admin(lang)
        argument = argument.strip().lstrip("#")
        if not argument:
            feeds = await self._storage.feeds.all()
            if not feeds:
                return Reply(text(lang, "feeds.none"), lang)
            choices = tuple(
                Choice(f"#{f.id} {_one_line(f.name, 40)}", "removefeed", str(f.id))
                for f in feeds[:MAX_CHOICES]
            )
            return Reply(text(lang, "removefeed.choose"), lang, choices)
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
        if not (argument.isascii() and argument.isdigit()):
            return Reply(
                text(lang, "removefeed.bad_id", argument=_one_line(argument, 60)), lang, error=True
            )
        feed_id = int(argument)
        feed = await self._storage.feeds.get(feed_id)
        if feed is None or not await self._storage.feeds.remove(feed_id):
            return Reply(text(lang, "removefeed.missing", id=feed_id), lang, error=True)
        await self._storage.audit.record(
            self._actor(ref, caller), "removefeed", f"#{feed.id} {feed.shown_url}", self._clock()
        )
        return Reply(text(lang, "removefeed.done", id=feed.id, title=_one_line(feed.name)), lang)
