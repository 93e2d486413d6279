"""A fake Telegram Bot API server (aiohttp, loopback only) for tests and the benchmark.

It speaks the Bot API's HTTP protocol closely enough for the real aiogram `Bot` and
`Dispatcher`: `/bot<token>/<method>` with form or JSON parameters, answers shaped
like Telegram's. It records every call, serves updates to long polling, and can
misbehave on purpose:

- `fail(method, kind, chat_id=..., times=...)`: one-off failures (429 with
  retry_after, 403, 400 chat not found, 400 can't parse entities, migrate_to_chat_id,
  5xx), matched in order;
- `chat_errors[chat_id]`: a chat that always fails the same way (kicked, deleted);
- `unsupported`: methods answered 404 "method not found", as an older server would;
- `redirect_loop`: methods answered with a redirect to themselves, as a proxy or a
  wrong TELEGRAM_API_URL in front of the Bot API can (Telegram's limits never see
  these requests);
- `limits`: Telegram's rate limits, always enforced (`FakeLimits()` unless scaled):
  a message over a limit, judged when it arrives, gets 429 with `retry_after`;
  `too_many` counts every 429 the server gave, `too_many_reasons` says why.

Like Telegram, it refuses an inline keyboard it cannot take (callback data over 64
bytes, a button with no action or two, more than 100 buttons), and an answer to a
button press that was never sent, was answered already or is over 200 characters.

Messages it sent (and those that updates show as the bot's, under callback
queries) are kept, so edits and replies are judged as Telegram judges them: an
edit of a message it does not have is "message to edit not found", an edit that
changes nothing "message is not modified", a reply to a missing message "message
to be replied not found" unless `allow_sending_without_reply`. `delete_message`
removes one, as a chat's admin would.

It refuses a message whose HTML does not parse (a tag it does not
know, an unclosed tag, a bare `<`, `>` or `&`, a quote ending an `href` early)
and a message longer than 4,096 UTF-16 units once its entities are parsed.

A message counts as delivered (`delivered`) only once its 200 answer has been
written, so a client that dies mid-request has not delivered it.

Standalone (for the benchmark, in its own process):
    python -m tests.fakes.telegram_api --port 0 --per-second 500
prints "listening on PORT", serves `GET /_stats` as JSON and takes updates for long
polling at `POST /_updates`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes import TEST_SERVER_GRACE
from tests.fakes.arrival_limits import ArrivalWindow, check_all, per_window, whole_seconds

TOKEN = "123456789:TEST-token_for-the-fake-server-000"
BOT_ID = 123456789
BOT_USERNAME = "tocsin_test_bot"
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "link_preview_options",
        "commands",
        "scope",
        "allowed_updates",
        "reply_parameters",
        "entities",
    }
)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))


@dataclass(frozen=True)
class Failure:
    """How the server refuses one request."""

    status: int
    description: str
    parameters: dict[str, Any] | None = None

    def body(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            payload["parameters"] = self.parameters
        return payload


EDIT_NOT_FOUND = Failure(400, "Bad Request: message to edit not found")
NOT_MODIFIED = Failure(
    400,
    "Bad Request: message is not modified: specified new message content and reply markup"
    " are exactly the same as a current content and reply markup of the message",
)
REPLY_NOT_FOUND = Failure(400, "Bad Request: message to be replied not found")


def retry_after(seconds: int) -> Failure:
    return Failure(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


FORBIDDEN = Failure(403, "Forbidden: bot was kicked from the group chat")
BLOCKED = Failure(403, "Forbidden: bot was blocked by the user")
CHAT_NOT_FOUND = Failure(400, "Bad Request: chat not found")
CANT_PARSE = Failure(400, "Bad Request: can't parse entities: unexpected end tag at byte offset 10")
SERVER_ERROR = Failure(502, "Bad Gateway")
# Status 0: the server drops the connection without answering (a network failure).
DROP_CONNECTION = Failure(0, "connection dropped")
NOT_FOUND_METHOD = Failure(404, "Not Found: method not found")
TOO_LONG = Failure(400, "Bad Request: message is too long")
EMPTY_TEXT = Failure(400, "Bad Request: message text is empty")
MESSAGE_LIMIT = 4096

# The tags Telegram's HTML parse mode accepts.
_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'))?)*)\s*>"
)
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> tuple[str | None, str]:
    """Telegram's reading of an HTML message: (why it cannot be parsed, or None; visible text)."""
    visible: list[str] = []
    open_tags: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            match = _TAG.match(text, position)
            if match is None:
                return f"Unsupported start tag at byte offset {position}", ""
            closing, name = match.group(1), match.group(2).lower()
            if name not in _HTML_TAGS:
                return f'Unsupported start tag "{name}" at byte offset {position}', ""
            if closing:
                if not open_tags or open_tags[-1] != name:
                    return f'Unexpected end tag "{name}" at byte offset {position}', ""
                open_tags.pop()
            else:
                open_tags.append(name)
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(text, position)
            if match is None:
                return f"Unsupported entity at byte offset {position}", ""
            visible.append(html.unescape(match.group(0)))
            position = match.end()
        elif char == ">":
            return f"Unexpected > at byte offset {position}", ""
        else:
            visible.append(char)
            position += 1
    if open_tags:
        return f"Can't find end tag corresponding to start tag {open_tags[-1]!r}", ""
    return None, "".join(visible)


def text_refusal(params: dict[str, Any]) -> Failure | None:
    """What Telegram says about a message's text, if it refuses it."""
    body = str(params.get("text", ""))
    visible = body
    if str(params.get("parse_mode") or "").upper() == "HTML":
        problem, visible = parse_html(body)
        if problem is not None:
            return Failure(400, f"Bad Request: can't parse entities: {problem}")
    if not visible.strip():
        return EMPTY_TEXT
    if utf16_len(visible) > MESSAGE_LIMIT:
        return TOO_LONG
    return None


# Inline keyboards as Telegram takes them: at most 100 buttons, callback data of 1-64
# bytes, a non-empty text and exactly one action per button.
MAX_INLINE_BUTTONS = 100
CALLBACK_DATA_BYTES = 64
CALLBACK_ANSWER_LIMIT = 200
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
QUERY_INVALID = Failure(
    400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
)


def markup_refusal(params: dict[str, Any]) -> Failure | None:
    """What Telegram says about a message's `reply_markup`, if it refuses it."""
    if "reply_markup" not in params:
        return None
    markup = params["reply_markup"]
    if not isinstance(markup, dict):
        return Failure(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None  # reply keyboards and the like: not used by Tocsin, taken as they come
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        return Failure(400, 'Bad Request: field "inline_keyboard" must be an Array of Array')
    buttons = [button for row in rows for button in row]
    if len(buttons) > MAX_INLINE_BUTTONS:
        return Failure(400, "Bad Request: reply markup is too long")
    for button in buttons:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            return Failure(400, "Bad Request: can't parse inline keyboard button: text expected")
        if not button["text"].strip():
            return Failure(400, "Bad Request: text buttons are unallowed in the inline keyboard")
        actions = [key for key in button if key in _BUTTON_ACTIONS]
        if len(actions) != 1 or set(button) - _BUTTON_ACTIONS - {"text"}:
            return Failure(400, "Bad Request: can't parse inline keyboard button")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= CALLBACK_DATA_BYTES:
                return Failure(400, "Bad Request: BUTTON_DATA_INVALID")
    return None


def migrate_to(new_chat_id: int) -> Failure:
    return Failure(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": new_chat_id},
    )


@dataclass
class _Scripted:
    method: str
    failure: Failure
    chat_id: int | None
    remaining: int
    when: Callable[[dict[str, Any]], bool] | None = None


@dataclass(frozen=True)
class FakeLimits:
    """Telegram's limits as the server enforces them: sliding windows over arrivals,
    with no slack (see `tests.fakes.arrival_limits`)."""

    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: float = 20.0
    group_window_seconds: float = 60.0


# Calls Telegram counts as messages: in a chat (and overall), or overall only.
COUNTED_IN_CHAT = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})
COUNTED_OVERALL = frozenset({"answerCallbackQuery"})


class _Limits:
    def __init__(self, limits: FakeLimits) -> None:
        self.limits = limits
        self.overall = per_window(limits.per_second, 1.0)
        self.chats: dict[int, ArrivalWindow] = {}
        self.groups: dict[int, ArrivalWindow] = {}

    def judge(self, chat_id: int | None, at: float) -> tuple[str, float] | None:
        """None when a message arriving `at` is within every limit (it is counted);
        else which limit it breaks and how long until it would not."""
        windows = [("overall", self.overall)]
        if chat_id is not None:
            chat = self.chats.get(chat_id)
            if chat is None:
                chat = self.chats[chat_id] = per_window(self.limits.per_chat_per_second, 1.0)
            windows.append((f"chat {chat_id}", chat))
            if chat_id < 0:
                group = self.groups.get(chat_id)
                if group is None:
                    span = self.limits.group_window_seconds
                    allowed = self.limits.per_group_per_minute / 60.0 * span
                    group = self.groups[chat_id] = per_window(allowed, span)
                windows.append((f"group {chat_id}", group))
        return check_all(windows, at)


class FakeBotAPI:
    def __init__(self, *, limits: FakeLimits | None = None, host: str = "127.0.0.1") -> None:
        self.host = host
        self.base_url = ""
        self.calls: list[Call] = []
        self.delivered: list[Call] = []
        # Long-polling requests are counted, not recorded (they would drown the calls).
        self.polls = 0
        self.limits = limits or FakeLimits()
        self.too_many = 0
        self.too_many_reasons: list[str] = []
        self.unsupported: set[str] = set()
        self.redirect_loop: set[str] = set()
        self.redirects = 0
        self.chat_errors: dict[int, Failure] = {}
        self.members: dict[tuple[int, int], str] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        # The bot's messages by (chat id, message id): what edits and replies refer to.
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.webhook: dict[str, Any] | None = None
        # While cleared, sendMessage requests are received (and recorded) but not answered.
        self.answering = asyncio.Event()
        self.answering.set()
        self._scripted: list[_Scripted] = []
        # Button presses sent to the bot and not answered yet; the answers given.
        self._open_queries: set[str] = set()
        self.callback_answers: list[dict[str, Any]] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._new_update = asyncio.Event()
        self._new_call = asyncio.Event()
        self._limit_state = _Limits(self.limits)
        self._runner: web.AppRunner | None = None
        self._hold_after: int | None = None
        self._released = asyncio.Event()
        self._granted = 0
        self.held = 0

    # ---- life cycle --------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/_stats", self._stats)
        app.router.add_post("/_updates", self._push_updates)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=TEST_SERVER_GRACE
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, port)
        await site.start()
        bound = self._runner.addresses[0][1]
        self.base_url = f"http://{self.host}:{bound}"

    async def stop(self) -> None:
        self.answering.set()
        self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---- what tests set up ---------------------------------------------------------

    def fail(
        self,
        method: str,
        failure: Failure,
        *,
        chat_id: int | None = None,
        times: int = 1,
        when: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self._scripted.append(_Scripted(method, failure, chat_id, times, when))

    def hold_after(self, count: int) -> None:
        """Answer `count` more sendMessage requests, then receive but hold the rest."""
        self._hold_after = self._granted + count
        self._released.clear()

    def release(self) -> None:
        self._hold_after = None
        self._released.set()

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        self.members[(chat_id, user_id)] = status

    def add_chat(
        self, chat_id: int, chat_type: str, title: str | None = None, **extra: Any
    ) -> None:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type, **extra}
        if title is not None:
            chat["title"] = title
        elif chat_type == "private":
            chat["first_name"] = f"User{chat_id}"
        self.chats[chat_id] = chat

    def delete_message(self, chat_id: int, message_id: int) -> None:
        """Someone in the chat deleted the bot's message."""
        del self.messages[(chat_id, message_id)]

    def push_update(self, update: dict[str, Any]) -> int:
        query = update.get("callback_query")
        if isinstance(query, dict):
            self._open_queries.add(str(query["id"]))
        shown = (update.get("callback_query") or {}).get("message")
        if shown:  # the message under a button is the bot's own
            self.messages[(int(shown["chat"]["id"]), int(shown["message_id"]))] = dict(shown)
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **update})
        self._new_update.set()
        return update_id

    # ---- what tests read -----------------------------------------------------------

    def calls_to(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and (chat_id is None or c.chat_id == chat_id)
        ]

    def delivered_to(self, chat_id: int) -> list[Call]:
        return [c for c in self.delivered if c.chat_id == chat_id]

    async def wait_for(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        count: int = 1,
        within: float = 5.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until at least `count` matching calls were received; return them."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            found = [c for c in self.calls_to(method, chat_id) if where is None or where(c)]
            if len(found) >= count:
                return found
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(
                    f"expected {count} {method} call(s) to {chat_id}, got {len(found)}: "
                    f"{[(c.method, c.params) for c in self.calls[-10:]]}"
                )
            self._new_call.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_call.wait(), timeout=min(remaining, 0.2))

    # ---- the server ----------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
            return params
        if request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str) and key in _JSON_PARAMS:
                    try:
                        params[key] = json.loads(value)
                        continue
                    except ValueError:
                        pass
                params[key] = value if isinstance(value, str) else "<file>"
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        # Limits are judged at arrival: before the body is read, before anything waits.
        arrived = time.monotonic()
        method = request.match_info["method"]
        if method in self.redirect_loop:
            self.redirects += 1
            return web.Response(status=302, headers={"Location": str(request.rel_url)})
        if request.match_info["token"] != TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = await self._params(request)
        call = Call(method, params, arrived)
        if method == "getUpdates":
            self.polls += 1
        else:
            self.calls.append(call)
            self._new_call.set()
        if method in COUNTED_IN_CHAT or method in COUNTED_OVERALL:
            chat = params.get("chat_id") if method in COUNTED_IN_CHAT else None
            over = self._limit_state.judge(int(chat) if chat is not None else None, arrived)
            if over is not None:
                reason, wait = over
                self.too_many_reasons.append(f"{method}: {reason}, {wait:.3f} s early")
                return self._refuse(retry_after(whole_seconds(wait)))
        if method in self.unsupported:
            return self._refuse(NOT_FOUND_METHOD)
        failure = self._scripted_failure(method, params)
        if failure is not None:
            return self._refuse(failure)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._refuse(NOT_FOUND_METHOD)
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"])
            if chat_id in self.chat_errors:
                return self._refuse(self.chat_errors[chat_id])
            refusal = (
                text_refusal(params)
                or markup_refusal(params)
                or self._reference_refusal(method, chat_id, params)
            )
            if refusal is not None:
                return self._refuse(refusal)
        if method == "answerCallbackQuery":
            refusal = self._answer_refusal(params)
            if refusal is not None:
                return self._refuse(refusal)
        if method == "sendMessage":
            if self._hold_after is not None and self._granted >= self._hold_after:
                self.held += 1
                await self._released.wait()
            else:
                self._granted += 1
                await self.answering.wait()
        result = await handler(params)
        response = web.json_response({"ok": True, "result": result})
        if method == "sendMessage":
            # Counted only once the answer is on its way to a client that is still there.
            await response.prepare(request)
            await response.write_eof()
            self.delivered.append(call)
        return response

    def _answer_refusal(self, params: dict[str, Any]) -> Failure | None:
        """A press is answered once, within its time, with at most 200 characters."""
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            return QUERY_INVALID
        if len(str(params.get("text") or "")) > CALLBACK_ANSWER_LIMIT:
            return Failure(400, "Bad Request: MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)
        self.callback_answers.append(params)
        return None

    def _reference_refusal(
        self, method: str, chat_id: int, params: dict[str, Any]
    ) -> Failure | None:
        """What Telegram says about the message an edit or a reply refers to."""
        if method == "editMessageText":
            current = self.messages.get((chat_id, int(params["message_id"])))
            if current is None:
                return EDIT_NOT_FOUND
            same = (
                current.get("sent_text") == params.get("text")
                and current.get("parse_mode") == params.get("parse_mode")
                and current.get("reply_markup") == params.get("reply_markup")
            )
            return NOT_MODIFIED if same else None
        target = params.get("reply_parameters")
        if isinstance(target, dict) and "message_id" in target:
            found = (int(target.get("chat_id") or chat_id), int(target["message_id"]))
            if found not in self.messages and not target.get("allow_sending_without_reply"):
                return REPLY_NOT_FOUND
        return None

    def _refuse(self, failure: Failure) -> web.Response:
        if failure.status == 429:
            self.too_many += 1
        if failure.status == 0:
            raise ConnectionResetError("the fake server drops this connection")
        return web.json_response(failure.body(), status=failure.status)

    def _scripted_failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        for item in self._scripted:
            if item.method != method or item.remaining <= 0:
                continue
            if item.chat_id is not None and str(item.chat_id) != str(params.get("chat_id")):
                continue
            if item.when is not None and not item.when(params):
                continue
            item.remaining -= 1
            return item.failure
        return None

    async def _stats(self, request: web.Request) -> web.Response:
        """Counts for a benchmark in another process; `?since=T` (monotonic seconds,
        the same clock on one machine) counts only messages that arrived from T on."""
        since = float(request.query.get("since", "-inf"))
        sends = [c for c in self.delivered if c.at >= since]
        stamps = [c.at for c in sends]
        return web.json_response(
            {
                "calls": len(self.calls),
                "delivered": len(sends),
                "too_many": self.too_many,
                "too_many_reasons": self.too_many_reasons[:20],
                "first": min(stamps) if stamps else None,
                "last": max(stamps) if stamps else None,
                "distinct_chats": len({c.chat_id for c in sends}),
            }
        )

    async def _push_updates(self, request: web.Request) -> web.Response:
        """`POST /_updates` with a JSON list: what `push_update` does, from another process."""
        updates = await request.json()
        ids = [self.push_update(update) for update in updates]
        return web.json_response(ids)

    # ---- methods -------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Tocsin",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": f"Chat {chat_id}"}

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return self._bot_user()

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 30.0)
        while True:
            ready = [u for u in self._updates if u["update_id"] >= offset]
            if ready or time.monotonic() >= deadline:
                return ready
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._new_update.wait(), timeout=max(0.0, deadline - time.monotonic())
                )

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "text": params.get("text", ""),
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        if params.get("message_thread_id"):
            message["message_thread_id"] = int(params["message_thread_id"])
            message["is_topic_message"] = True
        target = params.get("reply_parameters")
        replied = (
            self.messages.get((chat_id, int(target["message_id"])))
            if isinstance(target, dict) and "message_id" in target
            else None
        )
        if replied is not None:
            message["reply_to_message"] = {
                k: v
                for k, v in replied.items()
                if k not in ("sent_text", "parse_mode", "reply_markup", "reply_to_message_id")
            }
        self._keep(chat_id, message, params)
        return message

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": int(params["message_id"]),
            "date": int(time.time()),
            "edit_date": int(time.time()),
            "chat": self._chat(chat_id),
            "text": params.get("text", ""),
        }
        self._keep(chat_id, message, params)
        return message

    def _keep(self, chat_id: int, message: dict[str, Any], params: dict[str, Any]) -> None:
        kept = dict(message)
        replied = kept.pop("reply_to_message", None)
        if replied is not None:
            kept["reply_to_message_id"] = replied["message_id"]
        kept.update(
            sent_text=params.get("text"),
            parse_mode=params.get("parse_mode"),
            reply_markup=params.get("reply_markup"),
        )
        self.messages[(chat_id, int(message["message_id"]))] = kept

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    async def _m_getChat(self, params: dict[str, Any]) -> Any:
        chat = dict(self._chat(int(params["chat_id"])))
        chat.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return chat

    async def _m_getChatMember(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        user_id = int(params["user_id"])
        status = self.members.get((chat_id, user_id), "member")
        user = {"id": user_id, "is_bot": user_id == BOT_ID, "first_name": f"User{user_id}"}
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            rights = dict.fromkeys(
                (
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_promote_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                    "can_send_welcome_messages",
                    "can_post_messages",
                ),
                True,
            )
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                **rights,
            }
        if status == "left":
            return {"status": "left", "user": user}
        return {"status": "member", "user": user}


@contextlib.asynccontextmanager
async def running_bot_api(limits: FakeLimits | None = None) -> AsyncIterator[FakeBotAPI]:
    """A started `FakeBotAPI` (Telegram's limits unless scaled), stopped on exit."""
    server = FakeBotAPI(limits=limits)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


# ---- updates as Telegram would send them ----------------------------------------------

_message_numbers = itertools.count(1)


def user(user_id: int, language_code: str | None = "en") -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
    if language_code:
        data["language_code"] = language_code
    return data


def command_entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/"):
        return []
    length = len(text.split(maxsplit=1)[0])
    return [{"type": "bot_command", "offset": 0, "length": length}]


def message(
    chat: dict[str, Any],
    text: str,
    *,
    sender: dict[str, Any] | None = None,
    thread_id: int | None = None,
    sender_chat: dict[str, Any] | None = None,
    forward_from_chat: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "message_id": next(_message_numbers),
        "date": int(time.time()),
        "chat": chat,
        "text": text,
    }
    entities = command_entities(text)
    if entities:
        data["entities"] = entities
    if sender is not None:
        data["from"] = sender
    if sender_chat is not None:
        data["sender_chat"] = sender_chat
    if thread_id is not None:
        data["message_thread_id"] = thread_id
        data["is_topic_message"] = True
    if forward_from_chat is not None:
        data["forward_origin"] = {
            "type": "channel",
            "date": int(time.time()) - 60,
            "chat": forward_from_chat,
            "message_id": 77,
        }
    return data


def callback_query(sender: dict[str, Any], on_message: dict[str, Any], data: str) -> dict[str, Any]:
    return {
        "callback_query": {
            "id": str(next(_message_numbers)),
            "from": sender,
            "message": on_message,
            "chat_instance": "ci",
            "data": data,
        }
    }


async def _serve(args: argparse.Namespace) -> None:
    limits = FakeLimits(
        per_second=args.per_second,
        per_chat_per_second=args.per_chat,
        per_group_per_minute=args.per_group,
    )
    server = FakeBotAPI(limits=limits)
    await server.start(args.port)
    print(f"listening on {server.base_url.rsplit(':', 1)[1]}", flush=True)  # noqa: T201
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake Bot API server on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--per-second", type=float, default=30.0)
    parser.add_argument("--per-chat", type=float, default=1.0)
    parser.add_argument("--per-group", type=float, default=20.0)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
