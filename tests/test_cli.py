"""The command line as a user meets it: exit codes, output, no tracebacks."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.conftest import FeedServer, rss
from tests.processes import tocsin

# Commands on a real deployment's database: no token here, so say the demo is off.
REAL = {"DEMO_FEEDS": "off"}


def test_run_once_on_the_embedded_default_shows_demo_alerts(tmp_path: Path) -> None:
    result = tocsin("run", "--once", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "CENSORSHIP" in result.stdout and "ARRESTS" in result.stdout
    assert "ЗАДЕРЖ" not in result.stdout  # the terminal speaks English by default
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("polled 7 feeds: ") and last.endswith("alerts delivered")
    # The demo keeps to a database of its own: nothing of it reaches a real deployment's.
    assert (tmp_path / "data" / "demo.sqlite3").exists()
    assert not (tmp_path / "data" / "tocsin.sqlite3").exists()
    # A second run finds nothing new and alerts nobody twice.
    again = tocsin("run", "--once", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "CENSORSHIP" not in again.stdout
    assert "0 alerts delivered" in again.stdout


def test_console_language_russian(tmp_path: Path) -> None:
    result = tocsin("run", "--once", cwd=tmp_path, env={"CONSOLE_LANGUAGE": "ru"})
    assert result.returncode == 0, result.stderr
    assert "ЦЕНЗУРА" in result.stdout and "ЗАДЕРЖАНИЯ" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("POLL_INTERVAL_SECONDS", "often"),
        ("FETCH_ALLOW_PRIVATE_NETWORKS", "10.0.0.0/33"),
        ("TELEGRAM_ADMIN_IDS", "12,abc"),
        ("TELEGRAM_API_URL", "ftp://example.org"),
        ("CONSOLE_LANGUAGE", "fr"),
    ],
)
def test_bad_configuration_is_one_clear_line_and_exit_2(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = tocsin("migrate", cwd=tmp_path, env={variable: value})
    assert result.returncode == 2
    assert variable in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_bad_value_in_dotenv_file_is_reported_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("POLL_MIN_INTERVAL_SECONDS=900\nPOLL_MAX_INTERVAL_SECONDS=60\n")
    result = tocsin("migrate", cwd=tmp_path)
    assert result.returncode == 2
    assert "POLL_MIN_INTERVAL_SECONDS" in result.stderr and "Traceback" not in result.stderr


def test_migrate_reports_the_schema_version(tmp_path: Path) -> None:
    result = tocsin("migrate", cwd=tmp_path, env={**REAL, "DATABASE_PATH": str(tmp_path / "x.db")})
    assert result.returncode == 0, result.stderr
    assert "schema version" in result.stdout


def test_unusable_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.db").write_bytes(b"garbage" * 1000)
    result = tocsin(
        "feeds", "list", cwd=tmp_path, env={**REAL, "DATABASE_PATH": str(tmp_path / "bad.db")}
    )
    assert result.returncode == 1
    assert "not a usable SQLite database" in result.stderr and "Traceback" not in result.stderr


def test_classify_reads_json_lines_and_writes_one_per_input(tmp_path: Path) -> None:
    lines = [
        {
            "title": "Роскомнадзор потребовал от TikTok удалить видео с призывами к митингам",
            "summary": "",
            "link": "https://example.org/1",
        },
        {"title": "Flight delayed by four hours at Sheremetyevo", "summary": ""},
        {"title": "Police detained 30 protesters at an anti-war rally in Moscow", "lang": "en"},
    ]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    result = tocsin("classify", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["categories"] for o in out] == [["censorship"], [], ["arrest"]]
    assert out[0]["link"] == "https://example.org/1"
    assert all("score" in o and "explanation" in o for o in out)


def test_classify_reports_a_bad_line_and_goes_on(tmp_path: Path) -> None:
    result = tocsin("classify", cwd=tmp_path, stdin='not json\n{"title": "Snow in Moscow"}\n')
    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert "error" in out[0] and out[1]["categories"] == []
    assert "Traceback" not in result.stderr


async def test_feeds_add_list_export_import_remove(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.serve("/rss", rss(("1", "Roskomnadzor blocked Signal", ""), title="Sig"))
    env = {**REAL, "FETCH_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8"}
    # The feed server lives on this test's event loop: run the CLI in a thread.
    added = await asyncio.to_thread(tocsin, "feeds", "add", url, cwd=tmp_path, env=env)
    assert added.returncode == 0, added.stderr
    assert "added feed 1: Sig (1 entries)" in added.stdout
    assert "would have alerted [censorship]: Roskomnadzor blocked Signal" in added.stdout
    duplicate = await asyncio.to_thread(tocsin, "feeds", "add", url, cwd=tmp_path, env=env)
    assert duplicate.returncode == 1 and "already added" in duplicate.stderr

    listed = tocsin("feeds", "list", cwd=tmp_path, env=REAL)
    assert url in listed.stdout and "new" in listed.stdout

    exported = tocsin("feeds", "export", cwd=tmp_path, env=REAL)
    assert exported.returncode == 0
    (tmp_path / "feeds.opml").write_text(exported.stdout)
    other = {**REAL, "DATABASE_PATH": str(tmp_path / "other.db")}
    imported = tocsin("feeds", "import", "feeds.opml", cwd=tmp_path, env=other)
    assert "imported 1 feeds" in imported.stdout
    assert url in tocsin("feeds", "list", cwd=tmp_path, env=other).stdout

    removed = tocsin("feeds", "remove", "1", cwd=tmp_path, env=REAL)
    assert removed.returncode == 0 and "removed feed 1" in removed.stdout
    assert tocsin("feeds", "remove", "1", cwd=tmp_path, env=REAL).returncode == 1


def test_feeds_add_refuses_private_addresses_by_default(tmp_path: Path) -> None:
    result = tocsin("feeds", "add", "http://127.0.0.1:9/feed", cwd=tmp_path)
    assert result.returncode == 1
    assert "private or reserved address" in result.stderr
    assert "Traceback" not in result.stderr


def test_feeds_import_of_a_broken_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "bad.opml").write_text("<opml><body><outline")
    result = tocsin("feeds", "import", "bad.opml", cwd=tmp_path)
    assert result.returncode == 2 and "not valid OPML" in result.stderr
    missing = tocsin("feeds", "import", "missing.opml", cwd=tmp_path)
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_classify_answers_hostile_lines_with_errors_and_reads_huge_ones_quickly(
    tmp_path: Path,
) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    long_number = '{"title": "x", "n": ' + "9" * 5_000 + "}"
    huge_title = json.dumps({"title": "Roskomnadzor blocked Signal. " + "word " * 200_000})
    stdin = "\n".join([nested, long_number, huge_title]) + "\n"

    result = tocsin("classify", cwd=tmp_path, stdin=stdin, timeout=30)

    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 3
    assert out[0]["error"].startswith("line 1: invalid JSON")
    assert out[1]["error"].startswith("line 2: invalid JSON")
    assert out[2]["categories"] == ["censorship"]  # read as far as it matters, quickly
