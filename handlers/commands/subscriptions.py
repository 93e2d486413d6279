"""/subscribe, /unsubscribe, /subscriptions."""

from __future__ import annotations

import logging

from bot.detect.languages import detector_languages
from bot.domain.chat import Subscription
from bot.i18n import text
from handlers.commands.arguments import ArgumentError, SubscribeRequest, parse_subscribe_args
from handlers.commands.base import CommandBase, _capital, _one_line, unread_languages
from handlers.commands.contract import Caller, ChatRef, Choice, Reply

logger = logging.getLogger(__name__)


class SubscriptionCommands(CommandBase):
    async def subscribe_command(self, ref: ChatRef, caller: Caller, argument_text: str) -> Reply:
        """`/subscribe ARGS`: parse, then subscribe; no arguments -> category buttons."""
        lang, refusal = await self._may_subscribe(ref, caller)
        if refusal is not None:
            return refusal
        try:
            request = parse_subscribe_args(argument_text)
        except ArgumentError as exc:
            return Reply(exc.message(lang), lang, error=True)
        if request is None:
            choices = tuple(
                Choice(text(lang, f"choice.{value}"), "subscribe", value)
                for value in ("censorship", "arrest", "all")
            )
            where = self._where(ref, lang)
            return Reply(text(lang, "subscribe.choose", where=where), lang, choices)
        return await self._subscribe(ref, caller, request, lang)

    async def subscribe(self, ref: ChatRef, caller: Caller, request: SubscribeRequest) -> Reply:
        """Replace the chat's subscription with `request` and (re)activate the chat."""
        lang, refusal = await self._may_subscribe(ref, caller)
        if refusal is not None:
            return refusal
        return await self._subscribe(ref, caller, request, lang)

    async def _may_subscribe(self, ref: ChatRef, caller: Caller) -> tuple[str, Reply | None]:
        """The chat's language, and the refusal when this caller may not subscribe it
        here (not allowed to manage it, or the bot cannot post there)."""
        lang = await self.language_of(ref, caller)
        if not self.may_manage(ref, caller):
            return lang, self._refuse_manage(lang)
        problem = self._posting_problem(ref)
        if problem is not None:
            return lang, self._refuse_posting(ref, lang, problem)
        return lang, None

    async def _subscribe(
        self, ref: ChatRef, caller: Caller, request: SubscribeRequest, lang: str
    ) -> Reply:
        """`subscribe` once the caller may manage the chat and `lang` is known."""
        unread = unread_languages(request.languages)
        if unread:
            # Accepting it would look like a subscription and never bring an alert.
            message = text(
                lang,
                "feedback.unsupported_language",
                language=", ".join(unread),
                supported=", ".join(detector_languages()),
            )
            return Reply(message, lang, error=True)
        now = self._clock()
        chat = await self._chat_row(ref, lang, now)
        subscription = Subscription(
            chat_id=chat.id,
            categories=request.categories,
            languages=request.languages,
            include_words=request.include,
            exclude_words=request.exclude,
            min_severity="low" if request.weak else "medium",
            grouped=request.grouped,
        )
        actor = self._actor(ref, caller)
        await self._storage.chats.subscribe(chat.id, subscription, now=now, by=actor)
        await self._storage.audit.record(
            actor, "subscribe", f"{self._chat_name(ref)}: {self._summary(subscription)}", now
        )
        description = self.describe(subscription, lang)
        where = self._where(ref, lang)
        return Reply(text(lang, "subscribe.done", where=where, description=description), lang)

    async def unsubscribe(self, ref: ChatRef, caller: Caller) -> Reply:
        lang = await self.language_of(ref, caller)
        if not self.may_manage(ref, caller):
            return self._refuse_manage(lang)
        where = self._where(ref, lang)
        chat = await self._storage.chats.get(ref.platform, ref.external_id, ref.thread_id)
        if chat is None or not await self._storage.chats.unsubscribe(chat.id):
            return Reply(_capital(text(lang, "unsubscribe.none", where=where)), lang)
        await self._storage.audit.record(
            self._actor(ref, caller), "unsubscribe", self._chat_name(ref), self._clock()
        )
        return Reply(_capital(text(lang, "unsubscribe.done", where=where)), lang)

    async def subscriptions(self, ref: ChatRef, caller: Caller) -> Reply:
        """What this chat receives, in words (anyone may ask)."""
        lang = await self.language_of(ref, caller)
        where = self._where(ref, lang)
        chat = await self._storage.chats.get(ref.platform, ref.external_id, ref.thread_id)
        subscription = await self._storage.chats.subscription(chat.id) if chat else None
        if chat is None or subscription is None:
            return Reply(_capital(text(lang, "subscriptions.none", where=where)), lang)
        lines = [
            _capital(
                text(
                    lang,
                    "subscriptions.some",
                    where=where,
                    description=self.describe(subscription, lang),
                )
            )
        ]
        if not chat.active:
            reason = _one_line(chat.deactivated_reason or "?")
            lines.append(text(lang, "subscriptions.paused", reason=reason))
        return Reply("\n".join(lines), lang)

    @staticmethod
    def describe(subscription: Subscription, lang: str) -> str:
        """A subscription in words: "arrests at protests, from sources in ru; only ..."."""
        joiner = text(lang, "describe.and")
        parts = [joiner.join(text(lang, f"describe.{c}") for c in subscription.categories)]
        if subscription.languages:
            parts.append(
                text(lang, "describe.languages", languages=", ".join(subscription.languages))
            )
        else:
            parts.append(text(lang, "describe.any_language"))
        if subscription.include_words:
            words = ", ".join(f"“{w}”" for w in subscription.include_words)
            parts.append(text(lang, "describe.include", words=words))
        if subscription.exclude_words:
            words = ", ".join(f"“{w}”" for w in subscription.exclude_words)
            parts.append(text(lang, "describe.exclude", words=words))
        if subscription.min_severity == "low":
            parts.append(text(lang, "feedback.describe_weak"))
        else:
            severity = text(lang, f"severity.{subscription.min_severity}")
            parts.append(text(lang, "describe.severity", severity=severity))
        parts.append(
            text(lang, "stories.mode_grouped" if subscription.grouped else "stories.mode_every")
        )
        return "; ".join(parts) + "."
