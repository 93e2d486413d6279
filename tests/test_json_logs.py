"""LOG_FORMAT=json: a running bot writes one JSON object per line, each line about a
feed or a chat saying which, and no line holds the bot's token."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.logs import JsonFormatter, TextFormatter, concerning, setup_logging
from tests.conftest import ARREST_ITEM, FakeClock, FeedServer, rss
from tests.fakes.telegram_api import BLOCKED, SERVER_ERROR, TOKEN, FakeBotAPI
from tests.processes import telegram_bot_running
from tests.storage_support import prepare_database

pytestmark = pytest.mark.telegram_limits(per_chat_per_second=50)

READER = 8001
GONE = 8002
ARREST = ARREST_ITEM


def record(message: str, *args: object, **extra: Any) -> logging.LogRecord:
    made = logging.LogRecord("bot.x", logging.WARNING, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_each_line_carries_what_its_task_concerns_and_extra_fields_win() -> None:
    json_format, text_format = JsonFormatter(), TextFormatter()
    with concerning(feed_id=3, feed_host="example.org"):
        line = json.loads(json_format.format(record("feed %d failed:\n%s", 3, "многострочно")))
        with concerning(platform="telegram", chat="42"):
            inner = json.loads(json_format.format(record("x", chat="43")))
        text = text_format.format(record("plain"))
    outside = json.loads(json_format.format(record("after")))
    assert line["message"] == "feed 3 failed:\nмногострочно"
    assert (line["level"], line["logger"]) == ("WARNING", "bot.x")
    assert (line["feed_id"], line["feed_host"]) == (3, "example.org")
    assert (inner["feed_id"], inner["platform"], inner["chat"]) == (3, "telegram", "43")
    assert "feed_id" not in outside
    assert text.endswith("plain [feed_id=3 feed_host=example.org]")
    with pytest.raises(ValueError, match="token"), concerning(token="x"):
        pass


async def test_a_running_bot_logs_json_lines_naming_feeds_and_chats_and_never_its_token(
    telegram_api: FakeBotAPI, clock: FakeClock, feed_server: FeedServer, tmp_path: Path
) -> None:
    database = tmp_path / "tocsin.sqlite3"
    broken = feed_server.url("/missing.xml")  # 404: the feed fails and it is logged
    await prepare_database(
        database,
        clock(),
        telegram_chats=(READER, GONE),
        feed_urls=[feed_server.serve("/rss", rss(ARREST)), broken],
    )
    telegram_api.chat_errors[GONE] = BLOCKED
    # The Bot API failing makes aiogram log its request errors too.
    telegram_api.fail("getUpdates", SERVER_ERROR, times=2)
    async with telegram_bot_running(
        clock(),
        tmp_path,
        database,
        telegram_api.base_url,
        TELEGRAM_RATE_PER_CHAT_PER_SECOND="50",
        BACKLOG_ALERTS="1",
        LOG_FORMAT="json",
        LOG_LEVEL="DEBUG",
    ) as log:
        await log.wait_for('"chat": "8002"', within=90)
        await log.wait_for("/missing.xml")
        await telegram_api.wait_for("sendMessage", chat_id=READER, within=30)

    lines = [json.loads(line) for line in log.text.splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(x) for x in lines)
    failed = [x for x in lines if "/missing.xml" in x["message"] and x["level"] == "WARNING"]
    assert failed and all(x["feed_id"] == 2 and x["feed_host"] == "127.0.0.1" for x in failed)
    gone = [x for x in lines if x["message"].startswith("deactivating telegram chat")]
    assert [(x["platform"], x["chat"]) for x in gone] == [("telegram", str(GONE))]
    assert any("Tocsin stopped" in x["message"] for x in lines)
    secret = TOKEN.split(":", 1)[1]
    assert secret not in log.text


class _HideSecret(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = str(record.msg).replace("s3cret", "***")
        record.args = tuple(
            str(a).replace("s3cret", "***") if isinstance(a, str) else a
            for a in (record.args if isinstance(record.args, tuple) else ())
        )
        return True


def test_a_filter_on_the_handler_applies_to_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    try:
        handler = setup_logging("INFO", "json")
        handler.addFilter(_HideSecret())
        logging.getLogger("bot.test").warning("url %s failed", "https://u:s3cret@example.org/")
    finally:
        root.handlers[:] = saved
        root.setLevel(level)
    [line] = capsys.readouterr().err.splitlines()
    assert json.loads(line)["message"] == "url https://u:***@example.org/ failed"
