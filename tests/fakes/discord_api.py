"""A fake Discord on 127.0.0.1: the REST API and a gateway, enough for discord.py's real client.

It behaves like Discord where Tocsin can notice: it checks the bot token, answers
with realistic JSON (so discord.py builds its real objects from it), enforces the
embed limits and the message nonce, keeps Discord's rate limits as sliding windows
judged at each request's arrival (messages per channel, with the headers Discord
sends; 50 requests a second per bot, interactions excepted), checks message
components as Discord does (action rows of at most five buttons, custom ids of 1-100
characters and unique in a message, labels of at most 80), takes one initial
response per interaction (40060 after that), and returns Discord's
error codes for deleted channels, missing access and missing permissions. Tests
script failures per channel and read back what arrived.

Point discord.py at it with `discord.http.Route.BASE = fake.api_base` and
`DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)` (the Tocsin runtime
does both from `Settings.discord_api_url`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes import TEST_SERVER_GRACE
from tests.fakes.arrival_limits import ArrivalWindow, whole_seconds

API_PREFIX = "/api/v10"
TOKEN = "fake-discord-token"

# Channel types (Discord API values).
TEXT = 0
DM = 1
VOICE = 2
CATEGORY = 4
ANNOUNCEMENT = 5
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
FORUM = 15

# Permission bits used in interaction payloads.
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
MANAGE_CHANNELS = 1 << 4
SEND_IN_THREADS = 1 << 38
MEMBER_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | SEND_IN_THREADS
BOT_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | SEND_IN_THREADS

_snowflakes = itertools.count(1_300_000_000_000_000_000)


def snowflake() -> int:
    return next(_snowflakes)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Failure:
    """One scripted answer instead of success.

    `deliver_first`: the message is created, then the answer is lost (this status is
    returned instead), as when a response does not survive a network blip.
    """

    status: int
    code: int = 0
    message: str = ""
    retry_after: float | None = None
    deliver_first: bool = False
    via: bool = True

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.retry_after is not None:
            body["retry_after"] = self.retry_after
            body["global"] = False
        return body


UNKNOWN_CHANNEL = Failure(404, 10003, "Unknown Channel")
UNKNOWN_MESSAGE = Failure(404, 10008, "Unknown Message")
MISSING_ACCESS = Failure(403, 50001, "Missing Access")
MISSING_PERMISSIONS = Failure(403, 50013, "Missing Permissions")
CANNOT_DM = Failure(403, 50007, "Cannot send messages to this user")


@dataclass
class Channel:
    id: int
    type: int
    name: str
    guild_id: int | None
    parent_id: int | None = None
    # A DM's other person (the bot being the first).
    recipient: dict[str, Any] | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    # A standing refusal (deleted channel, bot removed, permission revoked).
    refusal: Failure | None = None
    scripted: list[Failure] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": str(self.id), "type": self.type, "name": self.name}
        if self.type == DM:
            recipients = [self.recipient] if self.recipient else []
            return {
                "id": str(self.id),
                "type": DM,
                "recipients": recipients,
                "last_message_id": None,
            }
        data.update(
            guild_id=str(self.guild_id),
            position=0,
            permission_overwrites=[],
            nsfw=False,
            parent_id=str(self.parent_id) if self.parent_id else None,
            rate_limit_per_user=0,
            flags=0,
            last_message_id=None,
            topic=None,
        )
        if self.type == FORUM:
            data.update(
                available_tags=[],
                default_reaction_emoji=None,
                default_sort_order=None,
                default_forum_layout=0,
                default_thread_rate_limit_per_user=0,
                default_auto_archive_duration=1440,
            )
        if self.type in (PUBLIC_THREAD, PRIVATE_THREAD):
            data.update(
                owner_id=str(snowflake()),
                message_count=len(self.messages),
                member_count=1,
                total_message_sent=len(self.messages),
                applied_tags=[],
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": _now_iso(),
                    "locked": False,
                },
            )
        return data


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    at: float


class FakeDiscord:
    """Start with `async with FakeDiscord() as fake:`; see the module docstring."""

    def __init__(self, token: str = TOKEN, port: int = 0) -> None:
        self.token = token
        self.port = port
        self.bot_id = snowflake()
        self.application_id = self.bot_id
        self.guild_id = snowflake()
        self.owner_id = snowflake()
        self.channels: dict[int, Channel] = {}
        self.requests: list[Recorded] = []
        self.unexpected: list[str] = []
        self.commands: list[dict[str, Any]] | None = None
        self.sync_failure: Failure | None = None
        # Messages per channel: (count, seconds), a sliding window over arrivals.
        # Discord's own is about 5 per 5 s; tests may scale it.
        self.rate_limit = (5, 5.0)
        self.rate_limit_violations = 0
        # The per-bot limit: 50 requests in any second, interactions excepted.
        self.global_limit = (50, 1.0)
        self.global_violations = 0
        self._global: ArrivalWindow | None = None
        self.identified = asyncio.Event()
        self.identify_payload: dict[str, Any] | None = None
        self.interaction_replies: dict[int, list[dict[str, Any]]] = {}
        self._acknowledged: set[int] = set()
        # Users whose privacy settings refuse DMs from the bot.
        self.refuse_dms: set[int] = set()
        self._dms: dict[int, Channel] = {}
        self._buckets: dict[int, ArrivalWindow] = {}
        self._nonces: dict[tuple[int, str], dict[str, Any]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # ---- lifecycle -------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._api)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=TEST_SERVER_GRACE)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return self.url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/gateway"

    # ---- world building ------------------------------------------------------------

    def add_channel(
        self, kind: int = TEXT, name: str = "alerts", parent: Channel | None = None
    ) -> Channel:
        guild_id = None if kind == DM else self.guild_id
        channel = Channel(snowflake(), kind, name, guild_id, parent.id if parent else None)
        self.channels[channel.id] = channel
        return channel

    def delete_channel(self, channel: Channel) -> None:
        channel.refusal = UNKNOWN_CHANNEL

    def remove_bot(self, channel: Channel) -> None:
        channel.refusal = MISSING_ACCESS

    def revoke_permissions(self, channel: Channel) -> None:
        channel.refusal = MISSING_PERMISSIONS

    def fail_next(self, channel: Channel, failure: Failure, times: int = 1) -> None:
        channel.scripted.extend([failure] * times)

    def messages(self, channel: Channel) -> list[dict[str, Any]]:
        return list(channel.messages)

    def dm_with(self, user_id: int) -> Channel | None:
        """The DM channel the bot opened with `user_id`, if it did."""
        return self._dms.get(user_id)

    def threads_of(self, forum: Channel) -> list[Channel]:
        return [c for c in self.channels.values() if c.parent_id == forum.id]

    def sent_to(self, channel: Channel) -> list[Recorded]:
        path = f"/channels/{channel.id}/messages"
        return [r for r in self.requests if r.method == "POST" and r.path == path]

    def user_payload(self, user_id: int | None = None, name: str = "someone") -> dict[str, Any]:
        is_bot = user_id is None
        return {
            "id": str(self.bot_id if is_bot else user_id),
            "username": "Tocsin" if is_bot else name,
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": is_bot,
            "public_flags": 0,
            "flags": 0,
        }

    # ---- REST ----------------------------------------------------------------------

    async def _not_found(self, request: web.Request) -> web.Response:
        self.unexpected.append(f"{request.method} {request.path}")
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    async def _api(self, request: web.Request) -> web.StreamResponse:
        # Limits are judged at arrival, before the body is read.
        arrived = time.monotonic()
        path = request.path.removeprefix(API_PREFIX)
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            body = json.loads(raw) if raw else None
        self.requests.append(
            Recorded(request.method, path, dict(request.query), body, time.monotonic())
        )
        parts = path.strip("/").split("/")
        try:
            if parts[0] == "interactions":  # authorised by the interaction token, not the bot's
                return await self._interaction_callback(int(parts[1]), body)
            if parts[0] == "webhooks":
                return await self._webhook(request.method, parts, body)
            if request.headers.get("Authorization") != f"Bot {self.token}":
                return _json({"message": "401: Unauthorized", "code": 0}, status=401)
            refused = self._over_global_limit(arrived)
            if refused is not None:
                return refused
            return await self._route(request.method, parts, body, arrived)
        finally:
            async with self._changed:
                self._changed.notify_all()

    async def _route(
        self, method: str, parts: list[str], body: Any, arrived: float
    ) -> web.StreamResponse:
        match method, parts:
            case "GET", ["users", "@me"]:
                return _json({**self.user_payload(), "verified": True})
            case "GET", ["oauth2", "applications", "@me"]:
                return _json(self._application())
            case "GET", ["gateway", "bot"]:
                return _json(
                    {
                        "url": self.gateway_url,
                        "shards": 1,
                        "session_start_limit": {
                            "total": 1000,
                            "remaining": 999,
                            "reset_after": 0,
                            "max_concurrency": 1,
                        },
                    }
                )
            case "GET", ["channels", channel_id]:
                found, refusal = self._refusal(int(channel_id))
                if refusal is not None or found is None:
                    return self._error(refusal or UNKNOWN_CHANNEL)
                return _json(found.payload())
            case "POST", ["channels", channel_id, "messages"]:
                return self._create_message(int(channel_id), body, arrived)
            case "PATCH", ["channels", channel_id, "messages", message_id]:
                return self._edit_message(int(channel_id), int(message_id), body)
            case "POST", ["channels", channel_id, "threads"]:
                return self._create_post(int(channel_id), body)
            case "POST", ["users", "@me", "channels"]:
                return self._open_dm(int(body["recipient_id"]))
            case "PUT", ["applications", _, "commands"]:
                if self.sync_failure is not None:
                    return self._error(self.sync_failure)
                invalid = validate_commands(body)
                if invalid:
                    return self._error(Failure(400, 50035, f"Invalid Form Body: {invalid}"))
                self.commands = [
                    {**command, "id": str(snowflake()), "application_id": str(self.application_id)}
                    for command in body
                ]
                return _json(self.commands)
        self.unexpected.append(f"{method} /{'/'.join(parts)}")
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": "Tocsin",
            "description": "",
            "icon": None,
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.user_payload(self.owner_id, "owner"),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
        }

    def _error(self, failure: Failure, headers: dict[str, str] | None = None) -> web.Response:
        extra = dict(headers or {})
        if failure.status == 429:
            extra.setdefault("Retry-After", str(int(failure.retry_after or 1)))
            if failure.via:
                extra["Via"] = "1.1 google"
            else:  # Discord's edge answers plain text when it bans an address
                return web.Response(status=429, text="error code: 1015", headers=extra)
        return _json(failure.body(), status=failure.status, headers=extra)

    def _ratelimit_headers(
        self, channel_id: int, arrived: float
    ) -> tuple[bool, dict[str, str], float]:
        limit, window = self.rate_limit
        bucket = self._buckets.get(channel_id)
        if bucket is None or (bucket.count, bucket.span) != (limit, window):
            bucket = self._buckets[channel_id] = ArrivalWindow(limit, window)
        wait = bucket.wait_needed(arrived)
        if wait == 0:
            bucket.accept(arrived)
        recent = [t for t in bucket.stamps if t > arrived - window]
        remaining = max(limit - len(recent), 0)
        reset_after = wait if wait > 0 else (min(recent) + window - arrived if recent else 0.0)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": f"messages-{channel_id}",
        }
        return wait == 0, headers, reset_after

    def _over_global_limit(self, arrived: float) -> web.Response | None:
        count, span = self.global_limit
        if self._global is None or (self._global.count, self._global.span) != (count, span):
            self._global = ArrivalWindow(count, span)
        wait = self._global.wait_needed(arrived)
        if wait == 0:
            self._global.accept(arrived)
            return None
        self.global_violations += 1
        return _json(
            {"message": "You are being rate limited.", "retry_after": wait, "global": True},
            status=429,
            headers={"Retry-After": str(whole_seconds(wait)), "X-RateLimit-Global": "true"},
        )

    def _refusal(self, channel_id: int) -> tuple[Channel | None, Failure | None]:
        channel = self.channels.get(channel_id)
        if channel is None:
            return None, UNKNOWN_CHANNEL
        if channel.refusal is not None:
            return channel, channel.refusal
        return channel, None

    def _create_message(
        self, channel_id: int, body: dict[str, Any], arrived: float
    ) -> web.Response:
        channel, refusal = self._refusal(channel_id)
        if refusal is not None or channel is None:
            return self._error(refusal or UNKNOWN_CHANNEL)
        if channel.type in (FORUM, CATEGORY):
            return self._error(Failure(400, 50008, "Cannot send messages in a non-text channel"))
        allowed, headers, reset_after = self._ratelimit_headers(channel_id, arrived)
        if not allowed:
            self.rate_limit_violations += 1
            failure = Failure(429, 0, "You are being rate limited.", retry_after=reset_after)
            return self._error(failure, {**headers, "X-RateLimit-Scope": "user"})
        invalid = validate_message(body)
        if invalid:
            return self._error(Failure(400, 50035, f"Invalid Form Body: {invalid}"), headers)
        if not body.get("content") and not body.get("embeds"):
            return self._error(Failure(400, 50006, "Cannot send an empty message"), headers)
        reference = body.get("message_reference") or {}
        if reference.get("message_id") and reference.get("fail_if_not_exists", True):
            target = int(reference.get("channel_id") or channel_id)
            if self._find(target, int(reference["message_id"])) is None:
                return self._error(
                    Failure(400, 50035, "Invalid Form Body: message_reference: Unknown message"),
                    headers,
                )
        nonce = body.get("nonce")
        if nonce and body.get("enforce_nonce") and (channel_id, nonce) in self._nonces:
            return _json(self._nonces[(channel_id, nonce)], headers=headers)
        scripted = channel.scripted.pop(0) if channel.scripted else None
        if scripted is not None and not scripted.deliver_first:
            return self._error(scripted, headers)
        message = self._store_message(channel, body)
        if scripted is not None:
            return self._error(scripted, headers)
        return _json(message, headers=headers)

    def delete_message(self, channel: Channel, message_id: int) -> None:
        """Someone in the channel deleted the bot's message."""
        channel.messages[:] = [m for m in channel.messages if m["id"] != str(message_id)]

    def _find(self, channel_id: int, message_id: int) -> dict[str, Any] | None:
        channel = self.channels.get(channel_id)
        found = channel and [m for m in channel.messages if m["id"] == str(message_id)]
        return found[0] if found else None

    def _edit_message(self, channel_id: int, message_id: int, body: dict[str, Any]) -> web.Response:
        """Like Discord: an unknown message is 10008; an edit that changes nothing is
        answered like any other."""
        channel, refusal = self._refusal(channel_id)
        if refusal is not None or channel is None:
            return self._error(refusal or UNKNOWN_CHANNEL)
        message = self._find(channel_id, message_id)
        if message is None:
            return self._error(UNKNOWN_MESSAGE)
        if message["author"]["id"] != str(self.bot_id):
            return self._error(
                Failure(403, 50005, "Cannot edit a message authored by another user")
            )
        invalid = validate_message({"content": message["content"], **body})
        if invalid:
            return self._error(Failure(400, 50035, f"Invalid Form Body: {invalid}"))
        for key in ("content", "embeds", "flags", "allowed_mentions"):
            if key in body:
                message[key] = body[key] if body[key] is not None else message.get(key)
        message["edited_timestamp"] = _now_iso()
        return _json(message)

    def _store_message(self, channel: Channel, body: dict[str, Any]) -> dict[str, Any]:
        message = {
            "id": str(snowflake()),
            "channel_id": str(channel.id),
            "author": self.user_payload(),
            "content": body.get("content") or "",
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", 0),
            "components": body.get("components") or [],
            "allowed_mentions": body.get("allowed_mentions"),
        }
        if channel.guild_id:
            message["guild_id"] = str(channel.guild_id)
        reference = body.get("message_reference")
        if reference:
            message["message_reference"] = reference
            message["type"] = 19  # a reply
        if body.get("nonce"):
            message["nonce"] = body["nonce"]
            self._nonces[(channel.id, body["nonce"])] = message
        channel.messages.append(message)
        return message

    def _open_dm(self, user_id: int) -> web.Response:
        """Discord opens (or reopens) the DM; whether it takes messages shows on sending."""
        channel = self._dms.get(user_id)
        if channel is None:
            channel = self.add_channel(DM, "")
            channel.recipient = self.user_payload(user_id, f"user{user_id}")
            self._dms[user_id] = channel
        channel.refusal = CANNOT_DM if user_id in self.refuse_dms else None
        return _json(channel.payload())

    def _create_post(self, forum_id: int, body: dict[str, Any]) -> web.Response:
        forum, refusal = self._refusal(forum_id)
        if refusal is not None or forum is None:
            return self._error(refusal or UNKNOWN_CHANNEL)
        if forum.type != FORUM:
            return self._error(Failure(400, 50024, "Cannot execute action on this channel type"))
        message_body = body.get("message") or {}
        name = body.get("name") or ""
        if not 1 <= len(name) <= 100:
            return self._error(Failure(400, 50035, "Invalid Form Body: name"))
        invalid = validate_message(message_body)
        if invalid:
            return self._error(Failure(400, 50035, f"Invalid Form Body: {invalid}"))
        failure = forum.scripted.pop(0) if forum.scripted else None
        if failure is not None and not failure.deliver_first:
            return self._error(failure)
        thread = self.add_channel(PUBLIC_THREAD, name, parent=forum)
        message = self._store_message(thread, message_body)
        # As on Discord, a post's first message has the post's (the thread's) id.
        message["id"] = str(thread.id)
        forum.messages.append(message)
        if failure is not None:
            return self._error(failure)
        return _json({**thread.payload(), "message": message})

    # ---- interactions ----------------------------------------------------------------

    async def _interaction_callback(self, interaction_id: int, body: Any) -> web.Response:
        # An interaction takes one initial response; later ones go through the webhook.
        if interaction_id in self._acknowledged:
            return self._error(Failure(400, 40060, "Interaction has already been acknowledged."))
        data = body.get("data") or {}
        broken = validate_message(data)
        if broken:
            return self._error(Failure(400, 50035, f"Invalid Form Body: data.{broken}"))
        self._acknowledged.add(interaction_id)
        self.interaction_replies.setdefault(interaction_id, []).append(body)
        message = None
        if body.get("type") in (4, 7):
            message = {**self._bare_message(data), "interaction_id": str(interaction_id)}
        return _json(
            {
                "interaction": {
                    "id": str(interaction_id),
                    "type": 2,
                    "response_message_id": message["id"] if message else None,
                    "response_message_loading": body.get("type") == 5,
                    "response_message_ephemeral": bool(data.get("flags", 0) & 64),
                },
                "resource": {"type": body.get("type"), "message": message}
                if message
                else {"type": body.get("type")},
            }
        )

    async def _webhook(self, method: str, parts: list[str], body: Any) -> web.Response:
        # Follow-ups and edits of an interaction's reply: /webhooks/{app}/{token}[/messages/..]
        token = parts[2]
        interaction_id = int(token.split(".")[1]) if "." in token else 0
        broken = validate_message(body or {})
        if broken:
            return self._error(Failure(400, 50035, f"Invalid Form Body: {broken}"))
        self.interaction_replies.setdefault(interaction_id, []).append(
            {"webhook": method, "path": "/".join(parts[3:]), **(body or {})}
        )
        return _json(self._bare_message(body or {}))

    def _bare_message(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(snowflake()),
            "channel_id": str(snowflake()),
            "author": self.user_payload(),
            "content": data.get("content") or "",
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": data.get("embeds") or [],
            "pinned": False,
            "type": 20,
            "flags": data.get("flags", 0),
            "components": data.get("components") or [],
        }

    def interaction(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        channel: Channel,
        user_id: int = 4242,
        permissions: int = MEMBER_PERMISSIONS,
        app_permissions: int = BOT_PERMISSIONS,
        locale: str = "en-US",
        resolved_channels: list[tuple[Channel, int]] = (),  # type: ignore[assignment]
        focused: str | None = None,
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE payload as Discord sends it for a slash command.

        `focused` names the option being typed: the payload is then an autocomplete.
        """
        interaction_id = snowflake()
        typed = []
        for name, value in (options or {}).items():
            kind = 7 if isinstance(value, Channel) else 4 if isinstance(value, int) else 3
            option: dict[str, Any] = {
                "name": name,
                "type": kind,
                "value": str(value.id) if isinstance(value, Channel) else value,
            }
            if name == focused:
                option["focused"] = True
            typed.append(option)
        data: dict[str, Any] = {
            "id": str(snowflake()),
            "name": command,
            "type": 1,
            "options": typed,
        }
        if resolved_channels:
            data["resolved"] = {
                "channels": {
                    str(c.id): {**c.payload(), "permissions": str(p)} for c, p in resolved_channels
                }
            }
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": 4 if focused else 2,
            "data": data,
            "channel_id": str(channel.id),
            "channel": channel.payload(),
            "token": f"itoken.{interaction_id}",
            "version": 1,
            "app_permissions": str(app_permissions),
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": 26214400,
        }
        user = self.user_payload(user_id)
        if channel.guild_id is None:
            payload["user"] = user
            payload["context"] = 1
        else:
            payload["guild_id"] = str(channel.guild_id)
            payload["guild_locale"] = "en-US"
            payload["context"] = 0
            payload["authorizing_integration_owners"] = {"0": str(channel.guild_id)}
            payload["member"] = {
                "user": user,
                "roles": [],
                "joined_at": _now_iso(),
                "deaf": False,
                "mute": False,
                "flags": 0,
                "pending": False,
                "nick": None,
                "avatar": None,
                "premium_since": None,
                "communication_disabled_until": None,
                "permissions": str(permissions),
            }
        return payload

    def component(
        self,
        custom_id: str,
        *,
        channel: Channel,
        user_id: int = 4242,
        permissions: int = MEMBER_PERMISSIONS,
        components: list[dict[str, Any]] | None = None,
        app_permissions: int = BOT_PERMISSIONS,
    ) -> dict[str, Any]:
        """A press of button `custom_id` on a bot message that carries `components`."""
        payload = self.interaction(
            "",
            channel=channel,
            user_id=user_id,
            permissions=permissions,
            app_permissions=app_permissions,
        )
        payload["type"] = 3
        payload["data"] = {"custom_id": custom_id, "component_type": 2}
        if components is None:
            button = {"type": 2, "style": 2, "label": "?", "custom_id": custom_id}
            components = [{"type": 1, "components": [button]}]
        payload["message"] = self._bare_message({"content": "choose", "components": components})
        return payload

    # ---- gateway ---------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json(
            {"op": 10, "d": {"heartbeat_interval": 45_000}, "s": None, "t": None}
        )
        try:
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(message.data)
                if frame["op"] == 1:
                    await socket.send_json({"op": 11, "d": None, "s": None, "t": None})
                elif frame["op"] == 2:
                    if frame["d"].get("token") != self.token:
                        await socket.close(code=4004, message=b"Authentication failed.")
                        break
                    self.identify_payload = frame["d"]
                    await self._send(socket, "READY", self._ready())
                    self.identified.set()
                elif frame["op"] == 6:  # resume: this fake keeps no sessions
                    await socket.send_json({"op": 9, "d": False, "s": None, "t": None})
        finally:
            self._sockets.remove(socket)
        return socket

    def _ready(self) -> dict[str, Any]:
        return {
            "v": 10,
            "user": {**self.user_payload(), "verified": True, "mfa_enabled": False},
            "guilds": [],
            "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
        }

    async def _send(self, socket: web.WebSocketResponse, event: str, data: Any) -> None:
        self._sequence += 1
        await socket.send_json({"op": 0, "t": event, "s": self._sequence, "d": data})

    async def dispatch(self, event: str, data: Any) -> None:
        await asyncio.wait_for(self.identified.wait(), 10)
        for socket in list(self._sockets):
            await self._send(socket, event, data)

    async def interact(
        self, payload: dict[str, Any], *, replies: int = 1, within: float = 10.0
    ) -> list[dict[str, Any]]:
        """Deliver an interaction through the gateway and wait for the bot's answers."""
        interaction_id = int(payload["id"])
        await self.dispatch("INTERACTION_CREATE", payload)
        return await self.wait_replies(interaction_id, replies, within)

    async def wait_replies(
        self, interaction_id: int, count: int = 1, within: float = 10.0
    ) -> list[dict[str, Any]]:
        async def enough() -> list[dict[str, Any]]:
            async with self._changed:
                await self._changed.wait_for(
                    lambda: len(self.interaction_replies.get(interaction_id, [])) >= count
                )
            return self.interaction_replies[interaction_id]

        return await asyncio.wait_for(enough(), within)

    async def wait_for(self, predicate: Any, within: float = 10.0) -> None:
        """Wait until `predicate()` holds, re-checked after every request."""

        async def check() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(check(), within)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON exactly as Discord labels it: discord.py parses only `application/json` bodies."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def validate_components(components: Any) -> str | None:
    """Discord's rules for message components (action rows of buttons), as it checks
    them: the name of the first broken one, or None."""
    if components is None:
        return None
    if not isinstance(components, list) or len(components) > 5:
        return "components"
    seen: set[str] = set()
    for row_number, row in enumerate(components):
        where = f"components.{row_number}"
        if not isinstance(row, dict) or row.get("type") != 1:
            return f"{where}.type"
        items = row.get("components")
        if not isinstance(items, list) or not 1 <= len(items) <= 5:
            return f"{where}.components"
        for number, item in enumerate(items):
            problem = _button_problem(item, seen)
            if problem:
                return f"{where}.components.{number}.{problem}"
    return None


def _button_problem(item: Any, seen: set[str]) -> str | None:
    if not isinstance(item, dict) or item.get("type") != 2:
        return "type"
    style = item.get("style")
    if style not in (1, 2, 3, 4, 5, 6):
        return "style"
    label = item.get("label")
    if label is not None and (not isinstance(label, str) or _length(label) > 80):
        return "label"
    if not label and not item.get("emoji"):
        return "label"
    if style == 5:  # a link button: a URL, no custom id
        url = item.get("url")
        if "custom_id" in item or not str(url or "").startswith(("http://", "https://")):
            return "url"
        return None
    custom_id = item.get("custom_id")
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= 100:
        return "custom_id"
    if custom_id in seen:
        return "custom_id (duplicate)"
    seen.add(custom_id)
    return None


def validate_message(body: dict[str, Any]) -> str | None:
    """Discord's embed and component limits; the name of the first broken one, or None."""
    broken = validate_components(body.get("components"))
    if broken:
        return broken
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        return "embeds"
    if len(body.get("content") or "") > 2000:
        return "content"
    for embed in embeds:
        sizes = {
            "title": (embed.get("title") or "", 256),
            "description": (embed.get("description") or "", 4096),
            "footer.text": ((embed.get("footer") or {}).get("text") or "", 2048),
            "author.name": ((embed.get("author") or {}).get("name") or "", 256),
        }
        for name, (value, limit) in sizes.items():
            if _length(value) > limit:
                return f"embeds.0.{name}"
        fields = embed.get("fields") or []
        if len(fields) > 25:
            return "embeds.0.fields"
        total = sum(_length(value) for value, _ in sizes.values())
        for item in fields:
            if not item.get("name") or not item.get("value"):
                return "embeds.0.fields.name"
            if _length(item["name"]) > 256 or _length(item["value"]) > 1024:
                return "embeds.0.fields.value"
            total += _length(item["name"]) + _length(item["value"])
        if total > 6000:
            return "embeds.0 (6000 total)"
        url = embed.get("url")
        if url is not None and not str(url).startswith(("http://", "https://")):
            return "embeds.0.url"
    return None


_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")


def validate_commands(commands: list[dict[str, Any]]) -> str | None:
    """Discord's rules for application commands: names, descriptions, choices."""

    def texts(item: dict[str, Any], key: str) -> list[str]:
        return [item.get(key) or "", *(item.get(f"{key}_localizations") or {}).values()]

    for command in commands:
        for option in [command, *(command.get("options") or [])]:
            names = texts(option, "name")
            if not all(_COMMAND_NAME.match(n) and n == n.lower() for n in names):
                return f"name {option.get('name')!r}"
            if not all(1 <= len(d) <= 100 for d in texts(option, "description")):
                return f"description of {option.get('name')!r}"
            for choice in option.get("choices") or []:
                if not all(1 <= len(n) <= 100 for n in texts(choice, "name")):
                    return f"choice of {option.get('name')!r}"
    return None


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@asynccontextmanager
async def running_fake(token: str = TOKEN) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token) as fake:
        yield fake
