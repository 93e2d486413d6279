"""Evaluation: regression guards on the tuned sets and floors on real published news.

The rules were tuned on detect_dev, detect_dev_extra, detect_holdout and
detect_holdout2 (the two holdouts became development data in round 3), since
round 4 on detect_holdout3 and since round 5 on detect_holdout4, so near-perfect
figures on all of them only guard against regressions. detect_holdout5 (blind
once after round 5), detect_holdout6 (blind once after round 6) and
detect_holdout7 (blind once after round 7) are development data since rounds 8,
7 and 8, detect_holdout8 (blind once after round 8) since round 9 and
detect_holdout9 (blind once after round 9) since round 10; detect_holdout10 was
written blind and measured once after round 10, and is not tuned on (floors under
what it measured, below). Every other written set keeps F1 and precision at 0.95
or more (0.97 for the oldest two, holdout8 and holdout9) in every category and
every language, precision ahead of recall.
Real published news (../shared/realtext/detect_real.tsv, development data since
round 6) must keep F1 and precision at 0.95 or more in every category and
language, precision ahead of recall; the test skips where that file is absent.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.cli import UsageError, build_parser, cmd_eval
from bot.detect import Detector
from bot.detect.evaluate import EvalReport, evaluate, format_report
from bot.domain.vocabulary import CATEGORIES
from bot.timeutil import utcnow

DATA = Path(__file__).parent / "data"
DEV = (DATA / "detect_dev.jsonl", DATA / "detect_dev_extra.jsonl")
HOLDOUT = DATA / "detect_holdout.jsonl"
HOLDOUT2 = DATA / "detect_holdout2.jsonl"
HOLDOUT3 = DATA / "detect_holdout3.jsonl"
HOLDOUT4 = DATA / "detect_holdout4.jsonl"
HOLDOUT5 = DATA / "detect_holdout5.jsonl"
HOLDOUT6 = DATA / "detect_holdout6.jsonl"
HOLDOUT7 = DATA / "detect_holdout7.jsonl"
HOLDOUT8 = DATA / "detect_holdout8.jsonl"
HOLDOUT9 = DATA / "detect_holdout9.jsonl"
HOLDOUTS = (HOLDOUT, HOLDOUT2, HOLDOUT3, HOLDOUT4, HOLDOUT5, HOLDOUT6, HOLDOUT7, HOLDOUT8, HOLDOUT9)
# Real published news, labelled; kept beside the repository, never in it.
REAL = Path(__file__).resolve().parents[2] / "shared" / "realtext" / "detect_real.tsv"
# Development data since round 6 (the rules were tuned on it): a floor for every
# category in every language, precision ahead of recall.
REAL_FLOOR = 0.95

# Regression guards near the measured 1.000: holdout and holdout2 tuned on since
# round 3, holdout3 since round 4 (blind once, after round 3: censorship F1 0.884,
# arrest 0.919; it no longer measures generalisation).
HOLDOUT_FLOORS = {
    "detect_holdout.jsonl": {"f1": 0.97, "precision": 0.97},
    "detect_holdout2.jsonl": {"f1": 0.97, "precision": 0.97},
    "detect_holdout3.jsonl": {"f1": 0.95, "precision": 0.95},
    # Blind once, after round 4 (censorship P 0.955, F1 0.863; arrest P 1.000,
    # F1 0.942); tuned on in round 5 (1.000 / 1.000), so a regression guard now.
    "detect_holdout4.jsonl": {"f1": 0.95, "precision": 0.95},
    # Blind once, after round 5 (censorship P 0.937, F1 0.901; arrest P 0.979,
    # F1 0.893); its kinds of error worked on in round 8.
    "detect_holdout5.jsonl": {"f1": 0.95, "precision": 0.95},
    # Blind once, after round 6 (censorship P 0.884, F1 0.938; arrest P 1.000,
    # F1 0.972); tuned on in round 7.
    "detect_holdout6.jsonl": {"f1": 0.95, "precision": 0.95},
    # Blind once, after round 7 (censorship P 0.903, F1 0.939; arrest P 0.987,
    # F1 0.969); its kinds of error worked on in round 8.
    "detect_holdout7.jsonl": {"f1": 0.95, "precision": 0.95},
    # Blind once, after round 8 (censorship P 0.920, F1 0.925; arrest P 0.987,
    # F1 0.981); its kinds of error worked on in round 9, after which it holds
    # 1.000 in every category and language.
    "detect_holdout8.jsonl": {"f1": 0.97, "precision": 0.97},
    # Blind once, after round 9 (censorship P 0.901, F1 0.937; arrest P 0.962,
    # F1 0.962); its kinds of error worked on in round 10, after which it holds
    # 1.000 in every category and language.
    "detect_holdout9.jsonl": {"f1": 0.97, "precision": 0.97},
}


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector.load()


@pytest.fixture(scope="module")
def report(detector: Detector) -> EvalReport:
    for path in (*DEV, *HOLDOUTS):
        if not path.exists():
            pytest.fail(f"{path} is missing: the detector's regression guard needs it")
    return evaluate(detector, *DEV)


@pytest.fixture(
    scope="module",
    params=HOLDOUTS,
    ids=lambda p: p.stem,
)
def holdout(request: pytest.FixtureRequest, detector: Detector) -> EvalReport:
    path: Path = request.param
    return evaluate(detector, path)


def test_dev_pools_both_files(report: EvalReport) -> None:
    lines = sum(1 for p in DEV for line in p.read_text(encoding="utf-8").splitlines() if line)
    assert report.items == lines
    assert format_report(report).startswith(
        "evaluation of detect_dev.jsonl + detect_dev_extra.jsonl:"
    )


@pytest.mark.parametrize("category", CATEGORIES)
def test_dev_f1_per_category(report: EvalReport, category: str) -> None:
    counts = report.category(category)
    assert counts.support > 0
    assert counts.f1 >= 0.95, format_report(report)
    # precision ahead of recall: a wrong alert costs more trust than a missed one
    assert counts.precision >= 0.95, format_report(report)


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_dev_f1_per_language(report: EvalReport, category: str, lang: str) -> None:
    cell = report.cells[(category, lang)]
    assert cell.f1 >= 0.95, format_report(report)
    assert cell.precision >= 0.95, format_report(report)
    assert cell.precision >= cell.recall, format_report(report)


# Written blind to the rules and measured once, after round 10 (the last change to
# them): censorship P 0.913 R 0.944 F1 0.928, arrest P 0.987 R 0.951 F1 0.969. Not
# tuned on; these floors, a little under what was measured, catch a change that
# makes the detector worse on writing it was never shaped by.
BLIND = DATA / "detect_holdout10.jsonl"
BLIND_FLOORS = {"censorship": 0.90, "arrest": 0.95}


@pytest.mark.parametrize("category", CATEGORIES)
def test_the_blind_holdout_keeps_what_it_measured(detector: Detector, category: str) -> None:
    blind = evaluate(detector, BLIND)
    counts = blind.category(category)
    table = format_report(blind)
    assert counts.support > 0, table
    assert counts.f1 >= BLIND_FLOORS[category], table
    assert counts.precision >= BLIND_FLOORS[category], table


@pytest.mark.parametrize("category", CATEGORIES)
def test_holdout_floors(holdout: EvalReport, category: str) -> None:
    floors = HOLDOUT_FLOORS[holdout.path.name]
    counts = holdout.category(category)
    table = format_report(holdout)
    assert counts.f1 >= floors["f1"], table
    assert counts.precision >= floors["precision"], table
    assert counts.precision >= counts.recall, table
    for lang in ("ru", "en"):
        cell = holdout.cells[(category, lang)]
        assert cell.support > 0, table
        assert cell.f1 >= floors["f1"], f"{lang}\n{table}"
        assert cell.precision >= floors["precision"], f"{lang}\n{table}"
        assert cell.precision >= cell.recall, f"{lang}\n{table}"


def test_report_counts_and_table(tmp_path: Path) -> None:
    path = tmp_path / "tiny.jsonl"
    items = [
        {
            "id": "a",
            "lang": "ru",
            "title": "РКН заблокировал сайт «Медузы»",
            "labels": ["censorship"],
        },
        {"id": "b", "lang": "ru", "title": "Банк заблокировал карту", "labels": []},
        # mislabelled on purpose: the detector is right, the report must count a miss
        {"id": "c", "lang": "en", "title": "Police detain 30 at protest", "labels": []},
        {"id": "d", "lang": "en", "title": "Weather turns cold", "labels": ["arrest"]},
    ]
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n")
    report = evaluate(Detector.load(), path)
    assert report.items == 4
    censorship = report.cells[("censorship", "ru")]
    assert (censorship.tp, censorship.fp, censorship.fn) == (1, 0, 0)
    arrest = report.cells[("arrest", "en")]
    assert (arrest.tp, arrest.fp, arrest.fn) == (0, 1, 1)
    assert arrest.precision == 0.0
    assert arrest.f1 == 0.0
    assert [m.id for m in report.misses] == ["c", "d"]

    table = format_report(report)
    assert "censorship   ru           1.000   1.000  1.000        1" in table
    assert "misclassified: 2" in table
    assert "  c [en] expected -, got arrest" in table


def test_malformed_eval_record_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "title": "x", "labels": []}\n{"id": "b"}\n')
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: bad record"):
        evaluate(Detector.load(), path)


def test_several_files_pool_into_one_report(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(
        json.dumps({"id": "a", "title": "РКН заблокировал сайт «Медузы»", "labels": ["censorship"]})
        + "\n",
        encoding="utf-8",
    )
    second.write_text(
        json.dumps({"id": "b", "title": "Police detain 30 at protest", "labels": []}) + "\n",
        encoding="utf-8",
    )
    report = evaluate(Detector.load(), first, second)
    assert report.items == 2
    assert report.category("censorship").tp == 1
    assert report.category("arrest").fp == 1
    assert [m.id for m in report.misses] == ["b"]
    assert format_report(report).startswith("evaluation of a.jsonl + b.jsonl: 2 items")


def _write(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8"
    )
    return path


async def test_eval_command_pools_repeated_data_options(
    tmp_path: Path, make_settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    first = _write(
        tmp_path / "a.jsonl",
        [{"id": "a", "title": "РКН заблокировал сайт «Медузы»", "labels": ["censorship"]}],
    )
    second = _write(
        tmp_path / "b.jsonl", [{"id": "b", "title": "Police detain 30 at protest", "labels": []}]
    )
    args = build_parser().parse_args(["eval", "--data", str(first), "--data", str(second)])
    assert await cmd_eval(make_settings(), args, utcnow) == 0
    out = capsys.readouterr().out
    assert out.startswith("evaluation of a.jsonl + b.jsonl: 2 items")
    assert "  b [en] expected -, got arrest" in out


async def test_eval_command_names_a_missing_or_broken_file(
    tmp_path: Path, make_settings: Callable[..., Any]
) -> None:
    good = _write(tmp_path / "a.jsonl", [{"id": "a", "title": "x", "labels": []}])
    missing = tmp_path / "missing.jsonl"
    args = build_parser().parse_args(["eval", "--data", str(good), "--data", str(missing)])
    with pytest.raises(UsageError, match=r"no labelled data at .*missing\.jsonl"):
        await cmd_eval(make_settings(), args, utcnow)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "b"}\n', encoding="utf-8")
    args = build_parser().parse_args(["eval", "--data", str(good), "--data", str(broken)])
    with pytest.raises(UsageError, match=r"broken\.jsonl:1: bad record"):
        await cmd_eval(make_settings(), args, utcnow)


def test_eval_command_defaults_to_the_dev_file() -> None:
    args = build_parser().parse_args(["eval"])
    assert isinstance(args, argparse.Namespace)
    assert args.data is None  # cmd_eval reads tests/data/detect_dev.jsonl then


REAL_HEADER = "id\tlang\tlabel\ttitle\tsummary\tsource\tnote\n"


def _write_tsv(path: Path, rows: list[tuple[str, ...]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(REAL_HEADER + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_tsv_labels_and_summary_only_rows(tmp_path: Path) -> None:
    path = _write_tsv(
        tmp_path / "real.tsv",
        [
            ("r1", "ru", "censorship", "РКН заблокировал сайт «Медузы»", "", "u", "n"),
            # summary-only: the event sits in the first sentence of the summary
            ("r2", "en", "arrest", "", "Police detained 30 people at a rally.", "u", ""),
            ("r3", "en", "none", "Weather turns cold", "Snow is expected.", "u", ""),
            # both labels in one cell; the detector finds only one: a miss
            ("r4", "en", "censorship,arrest", "Police detain 30 at protest", "", "u", ""),
        ],
    )
    report = evaluate(Detector.load(), path)
    assert report.items == 4
    assert report.cells[("censorship", "ru")].tp == 1
    assert report.cells[("arrest", "en")].tp == 2
    assert report.cells[("censorship", "en")].fn == 1
    assert [m.id for m in report.misses] == ["r4"]
    assert "  r4 [en] expected censorship,arrest, got arrest" in format_report(report)


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (("r1", "en", "protest", "t", "s", "u", "n"), "unknown label(s) protest"),
        (("r1", "en", "none", "t"), "4 fields, the header has 7"),
    ],
)
def test_malformed_tsv_row_names_the_line(tmp_path: Path, row: tuple[str, ...], words: str) -> None:
    path = _write_tsv(tmp_path / "bad.tsv", [("r0", "en", "none", "t", "s", "u", "n"), row])
    with pytest.raises(ValueError, match=r"bad\.tsv:3: bad record: ") as info:
        evaluate(Detector.load(), path)
    assert words in str(info.value)


async def test_eval_command_reports_real_text_apart(
    tmp_path: Path, make_settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    written = _write(
        tmp_path / "a.jsonl", [{"id": "a", "title": "Police detain 30 at protest", "labels": []}]
    )
    real = _write_tsv(
        tmp_path / "real.tsv", [("r1", "en", "arrest", "Police detain 30 at protest", "", "", "")]
    )
    args = build_parser().parse_args(["eval", "--data", str(written), "--data", str(real)])
    assert await cmd_eval(make_settings(), args, utcnow) == 0
    written_part, real_part = capsys.readouterr().out.split("\n\n")
    assert written_part.startswith("evaluation of a.jsonl: 1 items")
    assert "arrest       all          0.000   1.000  0.000        0" in written_part
    assert real_part.startswith("real text of real.tsv: 1 items")
    assert "arrest       all          1.000   1.000  1.000        1" in real_part


@pytest.mark.parametrize("real_present", [True, False])
async def test_eval_command_default_adds_the_shared_real_set(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_settings: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
    real_present: bool,
) -> None:
    # A worktree beside ../shared: the default paths are relative to where it runs.
    work = tmp_path / "wt"
    _write(
        (work / "tests/data").mkdir(parents=True) or work / "tests/data/detect_dev.jsonl",
        [{"id": "a", "title": "РКН заблокировал сайт «Медузы»", "labels": ["censorship"]}],
    )
    if real_present:
        _write_tsv(
            tmp_path / "shared/realtext/detect_real.tsv",
            [("r1", "en", "none", "Weather turns cold", "", "", "")],
        )
    monkeypatch.chdir(work)
    assert await cmd_eval(make_settings(), build_parser().parse_args(["eval"]), utcnow) == 0
    out = capsys.readouterr().out
    assert out.startswith("evaluation of detect_dev.jsonl: 1 items")
    if real_present:
        assert "real text of detect_real.tsv: 1 items" in out
    else:
        assert "real text ../shared/realtext/detect_real.tsv: skipped: not found" in out


@pytest.fixture(scope="module")
def real(detector: Detector) -> EvalReport:
    if not REAL.is_file():
        pytest.skip(f"no real-text set at {REAL} (shared/realtext is not beside this checkout)")
    return evaluate(detector, REAL)


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_real_text_floors(real: EvalReport, category: str, lang: str) -> None:
    cell = real.cells[(category, lang)]
    table = format_report(real, "real text")
    assert cell.support > 0, table
    assert cell.f1 >= REAL_FLOOR, table
    assert cell.precision >= REAL_FLOOR, table
    assert cell.precision >= cell.recall, table
