"""`python -m bot group` and `python -m bot eval-groups` as a user runs them."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest

from tests.test_cli import tocsin

ROOT = Path(__file__).resolve().parents[1]
WRITTEN = ROOT / "tests" / "data" / "stories_written.jsonl"
DEV = ROOT.parent / "shared" / "realtext" / "stories_real.tsv"


def figures(output: str, row: str) -> list[float]:
    line = next(line for line in output.splitlines() if line.startswith(row))
    return [float(x) for x in re.findall(r"\d\.\d{3}", line)]


def test_group_gives_every_input_a_story_and_a_reason(tmp_path: Path) -> None:
    lines = WRITTEN.read_text(encoding="utf-8").splitlines()
    # Publication order, as the command expects.
    lines.sort(key=lambda line: json.loads(line)["published"])
    result = tocsin("group", cwd=tmp_path, stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    assert all(o["story"] and o["why"] for o in out)
    labels = [json.loads(line)["story"] for line in lines]
    members: dict[str, set[str]] = defaultdict(set)
    for label, o in zip(labels, out, strict=True):
        members[o["story"]].add(label)
    # No story holds two labelled events: every near miss stayed apart.
    assert all(len(held) == 1 for held in members.values()), members
    # ... and most events are told once.
    assert len(members) <= len(set(labels)) + 3
    # The Moscow count grew from dozens to hundreds: a follow-up is due.
    moscow = [o for o, label in zip(out, labels, strict=True) if label == "moscow-rally-0314"]
    assert any("detained" in " ".join(o.get("escalations", [])) for o in moscow)


def test_group_takes_dates_months_and_empty_titles(tmp_path: Path) -> None:
    items = [
        {"title": "", "summary": "Роскомнадзор заблокировал Twitch.", "lang": "ru",
         "published": "2026-05", "source": "А"},
        {"title": "Russia blocks Twitch", "summary": "", "lang": "en",
         "published": "2026-05-20", "source": "B", "link": "https://b.example/1"},
        {"title": "Russia blocks Twitch", "summary": "Roskomnadzor blocked Twitch on Wednesday.",
         "lang": "en", "published": "2026-05-20T18:00:00+03:00", "source": "B",
         "link": "https://b.example/1"},
    ]  # fmt: skip
    stdin = "\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n"
    result = tocsin("group", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["action"] for o in out] == ["new", "join", "update"]
    assert len({o["story"] for o in out}) == 1
    assert out[2]["version"] == 3


def test_group_reports_bad_lines_and_goes_on(tmp_path: Path) -> None:
    stdin = "\n".join(
        [
            "not json",
            json.dumps({"title": "Russia blocks Twitch", "published": "yesterday"}),
            json.dumps({"title": "Russia blocks Twitch", "published": "2026-05-20"}),
        ]
    )
    result = tocsin("group", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["error"].startswith("line 1: invalid JSON")
    assert out[1]["error"].startswith("line 2: 'published' must be")
    assert out[2]["story"]
    assert "2 input line(s) could not be grouped" in result.stderr
    assert "Traceback" not in result.stderr


def test_eval_groups_on_the_written_set_prints_scores_and_baselines(tmp_path: Path) -> None:
    result = tocsin("eval-groups", "--data", str(WRITTEN), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "59 reports, 23 labelled stories" in result.stdout
    precision, _, f1, *_ = figures(result.stdout, "grouping")
    assert precision >= 0.95 and f1 >= 0.90
    single = figures(result.stdout, "one story per report")
    by_day = figures(result.stdout, "same publication day")
    assert single[:3] == [1.0, pytest.approx(0.390, abs=1e-3), pytest.approx(0.561, abs=1e-3)]
    assert f1 > by_day[2] and f1 > single[2]


def test_eval_groups_without_data_is_a_usage_error(tmp_path: Path) -> None:
    result = tocsin("eval-groups", "--data", str(tmp_path / "none.tsv"), cwd=tmp_path)
    assert result.returncode == 2
    assert "no labelled data at" in result.stderr


@pytest.mark.skipif(not DEV.is_file(), reason="../shared/realtext/stories_real.tsv is absent")
def test_eval_groups_meets_the_targets_on_the_development_set(tmp_path: Path) -> None:
    result = tocsin("eval-groups", "--data", str(DEV), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "403 reports, 104 labelled stories" in result.stdout
    precision, _, f1, *_ = figures(result.stdout, "grouping")
    assert precision >= 0.95
    assert f1 >= 0.90
    # The published baselines, measured the same way.
    assert figures(result.stdout, "one story per report")[2] == pytest.approx(0.41, abs=0.005)
    assert figures(result.stdout, "same publication day")[2] == pytest.approx(0.75, abs=0.005)


async def test_stories_lists_recent_stories_with_sources_and_facts(tmp_path: Path) -> None:
    from datetime import timedelta

    from bot.storage import Storage
    from tests.processes import TEST_START
    from tests.test_story_messages_contract import story

    database = tmp_path / "live.sqlite3"
    storage = await Storage.open(database, role="live")
    try:
        recent = story(3, ("Ural Monitor", "Rights Wire"), 40)
        recent = replace(
            recent,
            id="story:recent",
            facts=replace(recent.facts, latest_report_at=TEST_START - timedelta(hours=2)),
        )
        old = story(1, ("Old Desk",), 5)
        old = replace(
            old,
            id="story:old",
            facts=replace(
                old.facts,
                first_report_at=TEST_START - timedelta(days=3),
                latest_report_at=TEST_START - timedelta(days=3),
            ),
        )
        await storage.stories.save([recent, old], TEST_START)
    finally:
        await storage.close()
    env = {"DATABASE_PATH": str(database), "DEMO_FEEDS": "off", "CONSOLE_CHAT": "off"}
    shown = tocsin("stories", cwd=tmp_path, env=env, clock=lambda: TEST_START)
    assert shown.returncode == 0, shown.stderr
    assert "story:recent  v3  open  arrest  2 report(s), 2 outlet(s)" in shown.stdout
    assert "detained 40+ (Ural Monitor)" in shown.stdout and "places ru/samara" in shown.stdout
    assert "Rights Wire [en] Police detain dozens" in shown.stdout
    assert "story:old" not in shown.stdout
    wider = tocsin("stories", "--since", "7d", cwd=tmp_path, env=env, clock=lambda: TEST_START)
    assert "story:old" in wider.stdout and "2 stories in the last 7d" in wider.stdout
    wrong = tocsin("stories", "--since", "soon", cwd=tmp_path, env=env)
    assert wrong.returncode != 0 and "--since" in wrong.stderr
