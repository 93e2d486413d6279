"""Precision, recall and F1 of the detector on labelled sets.

Two formats: the written sets (JSON lines: ``id``, ``lang``, ``title``,
``summary``, ``labels`` as a list) and real published text (tab-separated with a
header: ``id``, ``lang``, ``label`` as ``censorship``, ``arrest``,
``censorship,arrest`` or ``none``, ``title``, ``summary``; other columns are
ignored). The format follows the file name's suffix.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.detect.detector import Detector
from bot.domain.vocabulary import CATEGORIES, Category

MAX_LISTED = 30


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        found = self.tp + self.fp
        return self.tp / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.support if self.support else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Miss:
    id: str
    lang: str
    expected: tuple[str, ...]
    got: tuple[str, ...]
    explanation: str


@dataclass
class EvalReport:
    path: Path
    items: int = 0
    more_paths: tuple[Path, ...] = ()  # further files pooled into the same counts
    cells: dict[tuple[str, str], Counts] = field(default_factory=dict)  # (category, lang)
    misses: list[Miss] = field(default_factory=list)

    def category(self, category: str) -> Counts:
        total = Counts()
        for (cat, _), c in self.cells.items():
            if cat == category:
                total.tp += c.tp
                total.fp += c.fp
                total.fn += c.fn
        return total

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({lang for _, lang in self.cells}))


def evaluate(detector: Detector, path: Path, *more: Path) -> EvalReport:
    """Classify every item of the file(s) and compare categories with the labels.

    Several files are pooled into one report (the development set is the
    first set plus the items added later). Raises ValueError naming the file
    and line when a record is malformed: a broken evaluation set must not
    quietly report better figures.
    """
    report = EvalReport(path, more_paths=more)
    for one in (path, *more):
        _evaluate_file(detector, one, report)
    return report


@dataclass(frozen=True, slots=True)
class LabelledItem:
    id: str
    lang: str | None
    title: str
    summary: str
    labels: tuple[Category, ...]  # in CATEGORIES order


def is_tsv(path: Path) -> bool:
    """Whether a labelled set is tab-separated real text rather than JSON lines."""
    return path.suffix.lower() == ".tsv"


def read_items(path: Path) -> Iterator[LabelledItem]:
    """The labelled items of one file; ValueError names the file and line of a bad one."""
    yield from (_read_tsv(path) if is_tsv(path) else _read_jsonl(path))


def _read_jsonl(path: Path) -> Iterator[LabelledItem]:
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                labels = tuple(c for c in CATEGORIES if c in item["labels"])
                yield LabelledItem(
                    str(item.get("id", number)),
                    item.get("lang"),
                    item["title"],
                    item.get("summary") or "",
                    labels,
                )
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
                raise ValueError(f"{path}:{number}: bad record: {exc}") from None


_TSV_COLUMNS = ("id", "lang", "label", "title", "summary")


def _read_tsv(path: Path) -> Iterator[LabelledItem]:
    with path.open(encoding="utf-8", newline="") as fh:
        # Fields never hold tabs or newlines; quotes are text ("«…»", '"…"'), not syntax.
        rows = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows, None)
        if header is None:
            raise ValueError(f"{path}:1: bad record: no header line")
        missing = [c for c in _TSV_COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{path}:1: bad record: missing column(s) {', '.join(missing)}")
        at = {c: header.index(c) for c in _TSV_COLUMNS}
        for number, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ValueError(
                    f"{path}:{number}: bad record: {len(row)} fields, the header has {len(header)}"
                )
            yield LabelledItem(
                row[at["id"]],
                row[at["lang"]] or None,
                row[at["title"]],
                row[at["summary"]],
                _tsv_labels(path, number, row[at["label"]]),
            )


def _tsv_labels(path: Path, number: int, text: str) -> tuple[Category, ...]:
    words = {w.strip() for w in text.split(",")}
    if words == {"none"}:
        return ()
    unknown = sorted(w for w in words if w not in CATEGORIES)
    if unknown:
        raise ValueError(f"{path}:{number}: bad record: unknown label(s) {', '.join(unknown)}")
    return tuple(c for c in CATEGORIES if c in words)


def _evaluate_file(detector: Detector, path: Path, report: EvalReport) -> None:
    for item in read_items(path):
        detection = detector.classify(item.title, item.summary, item.lang)
        lang = item.lang or detection.lang
        report.items += 1
        for category in CATEGORIES:
            cell = report.cells.setdefault((category, lang), Counts())
            expected = category in item.labels
            got = category in detection.categories
            if expected and got:
                cell.tp += 1
            elif got:
                cell.fp += 1
            elif expected:
                cell.fn += 1
        if item.labels != detection.categories:
            report.misses.append(
                Miss(item.id, lang, item.labels, detection.categories, detection.explanation)
            )


def format_report(report: EvalReport, heading: str = "evaluation") -> str:
    """A plain-text table: each category by language, each category overall, misses."""
    names = " + ".join(p.name for p in (report.path, *report.more_paths))
    lines = [
        f"{heading} of {names}: {report.items} items",
        f"{'category':<12} {'lang':<8} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}",
    ]

    def row(category: str, lang: str, c: Counts) -> str:
        return (
            f"{category:<12} {lang:<8} {c.precision:>9.3f} {c.recall:>7.3f} "
            f"{c.f1:>6.3f} {c.support:>8}"
        )

    for category in CATEGORIES:
        for lang in report.languages:
            cell = report.cells.get((category, lang))
            if cell is not None:
                lines.append(row(category, lang, cell))
        lines.append(row(category, "all", report.category(category)))
    overall = Counts()
    for category in CATEGORIES:
        c = report.category(category)
        overall.tp += c.tp
        overall.fp += c.fp
        overall.fn += c.fn
    lines.append(row("overall", "all", overall))
    lines.append(f"misclassified: {len(report.misses)}")
    for miss in report.misses[:MAX_LISTED]:
        expected = ",".join(miss.expected) or "-"
        got = ",".join(miss.got) or "-"
        lines.append(
            f"  {miss.id} [{miss.lang}] expected {expected}, got {got}: {miss.explanation}"
        )
    if len(report.misses) > MAX_LISTED:
        lines.append(f"  ... and {len(report.misses) - MAX_LISTED} more")
    return "\n".join(lines)
