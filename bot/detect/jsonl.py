"""Classify a stream of JSON lines (``python -m bot classify``)."""

from __future__ import annotations

import json
import logging
from typing import TextIO

from bot.detect.detector import Detector

logger = logging.getLogger(__name__)


class _BadLine(ValueError):
    pass


def _parse(line: str) -> tuple[str, str, str | None, str | None]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _BadLine(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise _BadLine("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # an integer of thousands of digits, say
        raise _BadLine(f"invalid JSON: {exc}") from None
    if not isinstance(item, dict):
        raise _BadLine("expected a JSON object")
    title = item.get("title")
    if not isinstance(title, str):
        raise _BadLine("'title' is missing or not a string")
    summary = item.get("summary", "")
    if summary is None:
        summary = ""
    if not isinstance(summary, str):
        raise _BadLine("'summary' must be a string")
    lang = item.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise _BadLine("'lang' must be a string")
    link = item.get("link")
    if link is not None and not isinstance(link, str):
        raise _BadLine("'link' must be a string")
    return title, summary, lang or None, link


def classify_stream(detector: Detector, inp: TextIO, out: TextIO) -> int:
    """Write one JSON line per non-blank input line; return the number of bad lines.

    A bad line yields {"error": "line N: reason"} and processing goes on, so one
    broken record in a large export does not cost the rest. Blank lines are
    skipped without output: they carry no record to answer for.
    """
    bad = 0
    for number, line in enumerate(inp, start=1):
        if not line.strip():
            continue
        try:
            title, summary, lang, link = _parse(line)
        except _BadLine as exc:
            bad += 1
            logger.warning("classify: line %d: %s", number, exc)
            out.write(json.dumps({"error": f"line {number}: {exc}"}, ensure_ascii=False) + "\n")
            continue
        result = detector.classify(title, summary, lang).to_json()
        if link is not None:
            result["link"] = link
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    return bad
