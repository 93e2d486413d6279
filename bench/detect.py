"""Throughput of the event detector on headline-plus-summary entries.

Run: .venv/bin/python bench/detect.py [--data tests/data/detect_dev.jsonl] [--entries 20000]

Two kinds of entries are timed:

- short: the dev set's titles and summaries as written (about 80 characters);
- real length: a headline plus a summary of about 230 characters, the size a news
  feed's item usually has. They are assembled from the same labelled set: each
  item's title, then the summaries and titles of the following items of the same
  language as sentences of the summary, until it reaches the target length.

Each kind is cycled to the requested number of entries, classified once to warm
the per-word caches (a running bot sees the same vocabulary again and again), then
timed over several full passes pinned to one CPU. The MEDIAN pass is the figure to
compare (the host is shared: the best pass says only how quiet the machine was for
a moment); the best pass and the cold pass are printed too.
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

Entry = tuple[str, str, str | None]
REAL_LENGTH = 230


def _items(path: Path) -> list[Entry]:
    items = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                item = json.loads(line)
                items.append((item["title"], item.get("summary") or "", item.get("lang")))
    if not items:
        raise SystemExit(f"{path} holds no entries")
    return items


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in '.!?…»"' else text + "."


def real_length(items: list[Entry], target: int = REAL_LENGTH) -> list[Entry]:
    """One entry per item: its title and a summary grown from its neighbours' text."""
    out: list[Entry] = []
    for i, (title, summary, lang) in enumerate(items):
        parts = [_sentence(summary)] if summary else []
        j = i + 1
        while len(title) + 1 + len(" ".join(parts)) < target and j < i + len(items):
            other_title, other_summary, other_lang = items[j % len(items)]
            if other_lang == lang:
                parts.append(_sentence(other_summary or other_title))
            j += 1
        out.append((title, " ".join(parts), lang))
    return out


def _cycle(items: list[Entry], count: int) -> list[Entry]:
    return [items[i % len(items)] for i in range(count)]


def _passes(detector: Detector, entries: list[Entry], repeat: int, with_lang: bool) -> list[float]:
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        for title, summary, lang in entries:
            detector.classify(title, summary, lang if with_lang else None)
        rates.append(len(entries) / (time.perf_counter() - start))
    return rates


def _measure(detector: Detector, label: str, entries: list[Entry], repeat: int) -> None:
    chars = sum(len(t) + len(s) + 1 for t, s, _ in entries) / len(entries)
    print(f"{label}: {len(entries)} entries, {chars:.0f} characters on average")
    sample = entries[: min(len(entries), 2_000)]
    cold = time.perf_counter()
    for title, summary, _ in sample:
        detector.classify(title, summary)
    print(f"  cold pass (first {len(sample)}): {len(sample) / (time.perf_counter() - cold):,.0f}/s")
    for title, summary, _ in entries:  # warm-up
        detector.classify(title, summary)
    for mode, with_lang in (("language detected", False), ("language given", True)):
        rates = _passes(detector, entries, repeat, with_lang)
        print(
            f"  warm, {mode}: MEDIAN {statistics.median(rates):,.0f} entries/s "
            f"(best {max(rates):,.0f}, {repeat} passes, one core)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "tests/data/detect_dev.jsonl")
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the entries")
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average at start: {load:.2f}")

    started = time.perf_counter()
    detector = Detector.load()
    print(f"rules loaded in {time.perf_counter() - started:.3f} s")

    items = _items(args.data)
    # Fresh detectors for each kind, so the second does not inherit the first's caches.
    _measure(detector, "short", _cycle(items, args.entries), args.repeat)
    _measure(Detector.load(), "real length", _cycle(real_length(items), args.entries), args.repeat)


if __name__ == "__main__":
    main()
