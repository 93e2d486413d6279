"""Throughput of the event detector on headline-plus-summary entries.

Run: .venv/bin/python bench/detect.py [--data tests/data/detect_dev.jsonl] [--entries 20000]

Cycles the dev set's titles and summaries to the requested number of entries,
classifies them once to warm the per-word caches (a running bot sees the same
vocabulary again and again), then times several full passes pinned to one CPU. The cold
pass is printed too, so the cost of an unseen vocabulary is visible.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.detect import Detector  # noqa: E402
from bot.detect.evaluate import evaluate, format_report  # noqa: E402


def _entries(path: Path, count: int) -> list[tuple[str, str, str | None]]:
    items = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                item = json.loads(line)
                items.append((item["title"], item.get("summary") or "", item.get("lang")))
    if not items:
        raise SystemExit(f"{path} holds no entries")
    return [items[i % len(items)] for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "tests/data/detect_dev.jsonl")
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the entries")
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    started = time.perf_counter()
    detector = Detector.load()
    print(f"rules loaded in {time.perf_counter() - started:.3f} s")

    entries = _entries(args.data, args.entries)
    chars = sum(len(t) + len(s) + 1 for t, s, _ in entries) / len(entries)
    print(f"{len(entries)} entries, {chars:.0f} characters on average (title + summary)")

    cold = time.perf_counter()
    for title, summary, _ in entries[: min(len(entries), 2_000)]:
        detector.classify(title, summary)
    cold_elapsed = time.perf_counter() - cold
    print(
        f"cold pass (first {min(len(entries), 2_000)}, caches filling): "
        f"{min(len(entries), 2_000) / cold_elapsed:,.0f} entries/s"
    )

    for title, summary, _ in entries:  # warm-up
        detector.classify(title, summary)

    # Best and median of several passes: the best is the machine's capacity, the
    # median shows how much other load on the host disturbed the measurement.
    for label, with_lang in (("language detected", False), ("language given", True)):
        rates = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            for title, summary, lang in entries:
                detector.classify(title, summary, lang if with_lang else None)
            rates.append(len(entries) / (time.perf_counter() - start))
        print(
            f"warm, {label}: best {max(rates):,.0f} entries/s, "
            f"median {statistics.median(rates):,.0f} entries/s on one core "
            f"({args.repeat} passes)"
        )

    print()
    print(format_report(evaluate(detector, args.data)))


if __name__ == "__main__":
    main()
