"""Instructions the detector spends per real-length entry, counted by cachegrind.

Run: .venv/bin/python bench/detect_instructions.py [--rules DIR] [--entries 300] [--passes 2]

Timing on a shared, loaded host swings by 30 % between runs of the same code, so a
change of a few per cent cannot be timed there; an instruction count can be taken
whatever else runs. This script runs itself twice under valgrind's cachegrind: once
loading the rules and warming the per-word caches on the entries, once doing the
same and then classifying the entries `--passes` more times. The difference of the
two counts, divided by the entries classified in the timed passes, is the cost of
one warm entry, free of start-up and of the dictionary look-ups a running bot has
long cached. The entries are the bench's real-length ones (bench/detect.py).
Both runs hash strings with the same seed (PYTHONHASHSEED, `--seed`): with a
random seed each, loading alone differs by up to 4 % between runs, which the
difference would carry into the per-entry figure. Run it twice or more (another
seed) to see how much the figure itself moves.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from detect import _items, add_source_arguments, real_length  # noqa: E402

from bot.detect import Detector  # noqa: E402

_TOTAL = re.compile(r"I\s+refs:\s+([\d,]+)")


def _classify(rules: Path | None, data: Path, entries: int, passes: int) -> None:
    """The measured workload: load, warm once, then `passes` more passes."""
    detector = Detector.load(rules)
    sample = real_length(_items(data))[:entries]
    for _ in range(1 + passes):
        for title, summary, _lang in sample:
            detector.classify(title, summary)


def _count(args: argparse.Namespace, passes: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            f"--cachegrind-out-file={tmp}/out",
            sys.executable,
            __file__,
            "--workload",
            "--data",
            str(args.data),
            "--entries",
            str(args.entries),
            "--passes",
            str(passes),
        ]
        if args.rules is not None:
            command += ["--rules", str(args.rules)]
        env = {**os.environ, "PYTHONHASHSEED": str(args.seed)}
        done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    found = _TOTAL.search(done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_source_arguments(parser)
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--passes", type=int, default=2, help="passes counted after warming")
    parser.add_argument("--seed", type=int, default=0, help="PYTHONHASHSEED of both runs")
    parser.add_argument("--workload", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.workload:
        _classify(args.rules, args.data, args.entries, args.passes)
        return
    base = _count(args, 0)
    full = _count(args, args.passes)
    per_entry = (full - base) / (args.passes * args.entries)
    print(f"hash seed {args.seed}; loading and warming: {base:,} instructions")
    print(
        f"{args.passes} passes over {args.entries} real-length entries: "
        f"{full - base:,} instructions, {per_entry / 1000:,.0f} thousand an entry"
    )


if __name__ == "__main__":
    main()
