"""Evaluation on the labelled dev set: a regression guard for the rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.detect import Detector
from bot.detect.evaluate import EvalReport, evaluate, format_report
from bot.detect.rules import CATEGORIES

DEV = Path(__file__).parent / "data" / "detect_dev.jsonl"


@pytest.fixture(scope="module")
def report() -> EvalReport:
    if not DEV.exists():
        pytest.fail(f"{DEV} is missing: the detector's regression guard needs it")
    return evaluate(Detector.load(), DEV)


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
    assert report.cells[(category, lang)].f1 >= 0.9, format_report(report)


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
