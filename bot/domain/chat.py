"""Where alerts go (a chat, a forum topic, a channel) and what each one asked for."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.vocabulary import Category, Severity

# Which platform a chat is on: "console", "telegram", "discord", or any platform
# registered later; a name, not a closed set, so adding one changes no record.
Platform = str


@dataclass(frozen=True)
class Chat:
    id: int
    platform: Platform
    external_id: str
    thread_id: str
    kind: str
    title: str | None
    language: str
    active: bool
    deactivated_reason: str | None = None


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    categories: tuple[Category, ...]
    languages: tuple[str, ...] = ()
    include_words: tuple[str, ...] = ()
    exclude_words: tuple[str, ...] = ()
    min_severity: Severity = "medium"
    # One message per story, edited as reports arrive (True), or one per report.
    grouped: bool = True
