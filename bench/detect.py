"""Throughput of the event detector on headline-plus-summary entries.

Run: .venv/bin/python bench/detect.py [--data tests/data/detect_dev.jsonl] [--entries 20000]
     [--rules DIR]  (another rules directory, e.g. an earlier round's, to compare against)

Two kinds of entries are timed:

- short: the dev set's titles and summaries as written (about 80 characters);
- real length: a headline plus a summary of about 230 characters, the size a news
  feed's item usually has. They are assembled from the same labelled set: each
  item's title, then the summaries and titles of the following items of the same
  language as sentences of the summary, until it reaches the target length.

Each kind is cycled to the requested number of entries, classified once to warm
the per-word caches (a running bot sees the same vocabulary again and again), then
timed over several full passes pinned to one CPU. Passes are timed in CPU time of
this process (entries per CPU-second), which other work on a shared host disturbs
far less than wall-clock time; `--clock wall` times them by the wall clock. The
MEDIAN pass is the figure to compare (the best pass says only how quiet the
machine was for a moment); the best pass and the cold pass are printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
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
    return text if not text or text[-1] in ".!?…" else text + "."


def real_length(items: list[Entry], target: int = REAL_LENGTH) -> list[Entry]:
    """One entry per item: its title and a summary grown from its neighbours' text,
    one sentence at a time, stopping at the sentence that comes closest to the
    target length."""
    out: list[Entry] = []
    for i, (title, summary, lang) in enumerate(items):
        parts = [_sentence(summary)] if summary else []
        length = len(title) + 1 + len(" ".join(parts))
        for j in range(i + 1, i + len(items)):
            if length >= target:
                break
            other_title, other_summary, other_lang = items[j % len(items)]
            if other_lang != lang:
                continue
            sentence = _sentence(other_summary or other_title)
            longer = length + 1 + len(sentence)
            if longer - target > target - length:
                break  # this sentence would overshoot further than stopping short
            parts.append(sentence)
            length = longer
        out.append((title, " ".join(parts), lang))
    return out


def _cycle(items: list[Entry], count: int) -> list[Entry]:
    return [items[i % len(items)] for i in range(count)]


Clock = Callable[[], float]


def _passes(
    detector: Detector, entries: list[Entry], repeat: int, with_lang: bool, clock: Clock
) -> list[float]:
    rates = []
    for _ in range(repeat):
        start = clock()
        for title, summary, lang in entries:
            detector.classify(title, summary, lang if with_lang else None)
        rates.append(len(entries) / (clock() - start))
    return rates


def _measure(
    detector: Detector, label: str, entries: list[Entry], repeat: int, clock: Clock
) -> None:
    chars = sum(len(t) + len(s) + 1 for t, s, _ in entries) / len(entries)
    print(f"{label}: {len(entries)} entries, {chars:.0f} characters on average")
    sample = entries[: min(len(entries), 2_000)]
    cold = clock()
    for title, summary, _ in sample:
        detector.classify(title, summary)
    print(f"  cold pass (first {len(sample)}): {len(sample) / (clock() - cold):,.0f}/s")
    for title, summary, _ in entries:  # warm-up
        detector.classify(title, summary)
    for mode, with_lang in (("language detected", False), ("language given", True)):
        rates = _passes(detector, entries, repeat, with_lang, clock)
        print(
            f"  warm, {mode}: MEDIAN {statistics.median(rates):,.0f} entries/s "
            f"(best {max(rates):,.0f}, {repeat} passes, one core)"
        )


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """--data and --rules: what is classified, and by which rules."""
    parser.add_argument("--data", type=Path, default=ROOT / "tests/data/detect_dev.jsonl")
    parser.add_argument(
        "--rules", type=Path, default=None, help="rules directory (default: the bundled rules)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_source_arguments(parser)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the entries")
    parser.add_argument(
        "--clock", choices=("cpu", "wall"), default="cpu", help="what a pass is timed by"
    )
    args = parser.parse_args()
    clock: Clock = time.process_time if args.clock == "cpu" else time.perf_counter

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average at start: {load:.2f}")

    started = time.perf_counter()
    detector = Detector.load(args.rules)
    print(f"rules loaded in {time.perf_counter() - started:.3f} s")

    items = _items(args.data)
    # Fresh detectors for each kind, so the second does not inherit the first's caches.
    print(f"passes timed by {'CPU time' if args.clock == 'cpu' else 'the wall clock'}")
    _measure(detector, "short", _cycle(items, args.entries), args.repeat, clock)
    real = _cycle(real_length(items), args.entries)
    _measure(Detector.load(args.rules), "real length", real, args.repeat, clock)


if __name__ == "__main__":
    main()
