"""``classify_stream``: JSON lines in, one JSON line out per record."""

from __future__ import annotations

import io
import json

import pytest

from bot.detect import Detector
from bot.detect.jsonl import classify_stream


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector.load()


def run(detector: Detector, lines: list[str]) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    bad = classify_stream(detector, io.StringIO("\n".join(lines) + "\n"), out)
    return bad, [json.loads(line) for line in out.getvalue().splitlines()]


def test_records_are_classified_and_links_echoed(detector: Detector) -> None:
    bad, results = run(
        detector,
        [
            json.dumps(
                {
                    "title": "Роскомнадзор заблокировал сайт «Медузы»",
                    "summary": "",
                    "link": "https://example.org/1",
                },
                ensure_ascii=False,
            ),
            json.dumps({"title": "Police detain 40 at anti-war rally", "lang": "en"}),
        ],
    )
    assert bad == 0
    assert results[0]["categories"] == ["censorship"]
    assert results[0]["link"] == "https://example.org/1"
    assert results[1]["categories"] == ["arrest"]
    assert results[1]["lang"] == "en"
    assert "link" not in results[1]


def test_bad_lines_are_reported_and_processing_continues(detector: Detector) -> None:
    bad, results = run(
        detector,
        [
            "{not json",
            json.dumps(["a", "list"]),
            json.dumps({"summary": "no title"}),
            json.dumps({"title": "ok", "summary": 5}),
            json.dumps({"title": "Суд арестовал активиста за пикет"}, ensure_ascii=False),
        ],
    )
    assert bad == 4
    assert [str(r.get("error", ""))[:7] for r in results[:4]] == [
        "line 1:",
        "line 2:",
        "line 3:",
        "line 4:",
    ]
    assert "invalid JSON" in str(results[0]["error"])
    assert "title" in str(results[2]["error"])
    assert "summary" in str(results[3]["error"])
    assert results[4]["categories"] == ["arrest"]


def test_blank_lines_are_skipped_but_counted_in_line_numbers(detector: Detector) -> None:
    bad, results = run(detector, ["", "   ", "oops"])
    assert bad == 1
    assert results == [{"error": results[0]["error"]}]
    assert str(results[0]["error"]).startswith("line 3: ")
