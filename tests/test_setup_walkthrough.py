"""docs/telegram.md followed step by step reaches chats that get alerts.

In a fresh folder (a clone's, with `make install` done: this checkout's `.venv`) the
test runs the commands the page's numbered steps show, as written, with the `.env` the
page shows (the test's token and admin id in it), against the strict fake Bot API
and a feed served on loopback. Then a person does what steps 8 and 9 say: presses
Start, sends `/subscribe` in a private chat and in a group and picks a button. When
the feed publishes an arrest report, each chat gets its alert exactly once.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import shutil
import signal
from pathlib import Path
from typing import Any

from tests.conftest import FeedServer, rss
from tests.documents import commands_in, env_blocks, numbered_steps, read, run_as_written
from tests.fakes.telegram_api import TOKEN, FakeBotAPI, callback_query, message, user
from tests.processes import ROOT, running, tocsin_env

PAGE = "docs/telegram.md"
ADMIN_ID = 4242
GROUP_ID = -100777
GROUP = {"id": GROUP_ID, "type": "supergroup", "title": "Monitors"}
PRIVATE = {"id": ADMIN_ID, "type": "private", "first_name": "Ann"}
# Written for this test: an item the detector must read as an arrest for protest.
QUIET = ("q1", "City council approves the new park budget", "The vote passed 9 to 2.")
# Already in the feed when it is added: step 7 says it must not alert.
OLDER = (
    "o1",
    "Riot police detained 6 students at a protest in Perm",
    "Six students were detained by riot police during the protest near the university.",
)
ARREST = (
    "r1",
    "Police detained 14 people at an anti-war protest in Kazan",
    "Fourteen demonstrators were detained by police at the rally outside city hall.",
)


def page_steps() -> dict[int, str]:
    steps = numbered_steps(read(PAGE))
    assert steps, f"{PAGE} has no numbered steps"
    return steps


def write_env(folder: Path, step: str, bot_api: str) -> None:
    """Edit the `.env` that step 5 copied, as it says: the minimal block's lines set."""
    shown = env_blocks(step)
    assert shown, f"{PAGE}: step 5 shows no .env block"
    values = dict(shown[0])
    assert set(values) == {"TELEGRAM_BOT_TOKEN", "TELEGRAM_ADMIN_IDS"}, values
    values["TELEGRAM_BOT_TOKEN"] = TOKEN
    values["TELEGRAM_ADMIN_IDS"] = str(ADMIN_ID)
    # The fake Bot API stands in for Telegram.
    values["TELEGRAM_API_URL"] = bot_api
    # Only because the test's feed is served on loopback: a real deployment reads
    # public feeds and must leave this off.
    values["FETCH_ALLOW_PRIVATE_NETWORKS"] = "true"
    # Only to keep the test short: poll every second, whatever the feed's rhythm, and
    # hold a new story back one second rather than a minute.
    values.update(
        POLL_INTERVAL_SECONDS="1",
        POLL_MIN_INTERVAL_SECONDS="1",
        POLL_MAX_INTERVAL_SECONDS="1",
        TICK_SECONDS="0.2",
        STORY_HOLD_BACK_SECONDS="1",
    )
    env = folder / ".env"
    lines = env.read_text(encoding="utf-8").splitlines()
    edited = []
    for line in lines:
        name = line.split("=", 1)[0]
        edited.append(f"{name}={values.pop(name)}" if name in values else line)
    edited += [f"{name}={value}" for name, value in values.items()]
    env.write_text("\n".join(edited) + "\n", encoding="utf-8")


def page_env() -> dict[str, str]:
    """The test's clock, and nothing else the `.env` does not say: stories as it sets."""
    env = tocsin_env()
    del env["STORIES"]
    return env


async def run_step(line: str, folder: Path) -> str:
    status, output = await run_as_written(line, folder)
    assert status == 0 and "Traceback" not in output, f"{line}\n{output}"
    return output


async def subscribe_with_button(
    api: FakeBotAPI, chat: dict[str, Any], sender: int, category: str
) -> str:
    """Send `/subscribe` in `chat`, press the `category` button; the bot's answer."""
    chat_id = int(chat["id"])
    before = len(api.calls_to("sendMessage", chat_id))
    api.push_update({"message": message(chat, "/subscribe", sender=user(sender))})
    offer = (await api.wait_for("sendMessage", chat_id=chat_id, count=before + 1, within=30))[-1]
    buttons = [b for row in offer.params["reply_markup"]["inline_keyboard"] for b in row]
    chosen = [b for b in buttons if f":{category}:" in b["callback_data"]]
    assert len(chosen) == 1, buttons
    shown_id = max(number for held, number in api.messages if held == chat_id)
    shown = {"message_id": shown_id, "date": 0, "chat": chat, "text": offer.text}
    api.push_update(callback_query(user(sender), shown, chosen[0]["callback_data"]))
    edits = await api.wait_for("editMessageText", chat_id=chat_id, within=30)
    return edits[-1].text


def alerts_in(api: FakeBotAPI, chat_id: int) -> int:
    return sum(ARREST[1] in call.text for call in api.delivered_to(chat_id))


async def polls_after(feed_server: FeedServer, path: str, count: int) -> None:
    """Wait until the feed has been fetched `count` more times."""
    wanted = feed_server.hits(path) + count
    async with asyncio.timeout(60):
        while feed_server.hits(path) < wanted:  # noqa: ASYNC110
            await asyncio.sleep(0.1)


async def test_the_telegram_setup_page_followed_step_by_step_reaches_alerting_chats(
    telegram_api: FakeBotAPI, feed_server: FeedServer, tmp_path: Path
) -> None:
    steps = page_steps()
    # The page covers groups in step 9 (the link that adds the bot to one).
    groups = "startgroup" in steps.get(9, "")
    # Step 1, done: a clone holds .env.example, and `make install` made `.venv`.
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env.example")
    assert "make install" in commands_in(steps[1])
    await run_step(".venv/bin/tocsin --help", tmp_path)

    # Step 5: copy the example, then set the lines the page shows.
    for line in commands_in(steps[5]):
        await run_step(line, tmp_path)
    write_env(tmp_path, steps[5], telegram_api.base_url)

    # Step 6: the catalog's real sources are out of reach here, so the test takes the
    # page's other way, "one feed of your own", with its own feed's address.
    catalog = commands_in(steps[6])
    assert catalog, f"{PAGE}: step 6 shows no command"
    for line in catalog:
        if "add-catalog" not in line:
            await run_step(line, tmp_path)
    own = re.search(r"`(\.venv/bin/tocsin feeds add) (\S+)`", steps[6])
    assert own, f"{PAGE}: step 6 shows no way to add one feed"
    url = feed_server.serve("/rss", rss(OLDER, QUIET))
    added = await run_step(f"{own.group(1)} {url}", tmp_path)
    assert "added feed" in added and OLDER[1] in added, added
    listed = await run_step(".venv/bin/tocsin feeds list", tmp_path)
    assert url in listed, listed

    # Step 7: start it, as shown; the page names the line the log shows.
    (start,) = commands_in(steps[7])
    said = re.search(r"The log says `([^`]+)`", steps[7])
    assert said, f"{PAGE}: step 7 names no log line"
    process = await asyncio.create_subprocess_exec(
        *shlex.split(start),
        cwd=tmp_path,
        env=page_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    # Step 7: "It runs until you press Ctrl+C": the test presses it on the way out.
    async with running(process, stop_with=signal.SIGINT) as log:
        try:
            await log.wait_for(said.group(1), within=60)
            # The first poll records what the feed already holds.
            await polls_after(feed_server, "/rss", 1)

            # Step 8: Start, then /subscribe in the private chat.
            telegram_api.add_chat(ADMIN_ID, "private")
            telegram_api.push_update({"message": message(PRIVATE, "/start", sender=user(ADMIN_ID))})
            (welcome,) = await telegram_api.wait_for("sendMessage", chat_id=ADMIN_ID, within=30)
            assert "/subscribe" in welcome.text
            answer = await subscribe_with_button(telegram_api, PRIVATE, ADMIN_ID, "arrest")
            assert "will now receive" in answer and "arrest" in answer.lower(), answer

            # Step 9: in a group, an administrator sends /subscribe.
            if groups:
                telegram_api.add_chat(GROUP_ID, "supergroup", "Monitors")
                telegram_api.set_member(GROUP_ID, ADMIN_ID, "administrator")
                answer = await subscribe_with_button(telegram_api, GROUP, ADMIN_ID, "all")
                assert "this group will now receive" in answer, answer

            # The feed publishes an arrest report.
            feed_server.serve("/rss", rss(ARREST, QUIET))
            chats = [ADMIN_ID, GROUP_ID] if groups else [ADMIN_ID]
            for chat_id in chats:
                await telegram_api.wait_for(
                    "sendMessage", chat_id=chat_id, within=60, where=lambda c: ARREST[1] in c.text
                )
            # Two more polls, and a second for what they queued to go out: the report
            # must not come again.
            await polls_after(feed_server, "/rss", 2)
            await asyncio.sleep(1)

            # Step 8 ends: "/status shows feeds, queue and recent alerts" to the admin.
            before = len(telegram_api.calls_to("sendMessage", ADMIN_ID))
            telegram_api.push_update(
                {"message": message(PRIVATE, "/status", sender=user(ADMIN_ID))}
            )
            calls = await telegram_api.wait_for(
                "sendMessage", chat_id=ADMIN_ID, count=before + 1, within=30
            )
            status = calls[-1].text
            assert "Feeds: 1 ok" in status and f"Chats: {len(chats)} active" in status, status
        except AssertionError as exc:
            raise AssertionError(
                f"{exc}\nfeed fetched {feed_server.hits('/rss')} times\n--- the log:\n{log.text}"
            ) from None
    assert "Traceback" not in log.text, log.text
    assert {chat_id: alerts_in(telegram_api, chat_id) for chat_id in chats} == dict.fromkeys(
        chats, 1
    )
    assert not any(OLDER[1] in call.text for call in telegram_api.delivered), "backlog alerted"
    assert telegram_api.too_many == 0
