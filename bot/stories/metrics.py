"""How well predicted stories match labelled ones: B-cubed and pairwise scores.

B-cubed looks at each report: of the reports in its predicted story, how many
belong to its true story (precision), and of its true story, how many did it end
up with (recall). Pairwise counts pairs of reports put together. Both are the
usual measures for grouping news into events; B-cubed weighs every report the
same, pairwise weighs big stories more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Evaluation:
    items: int
    true_stories: int
    predicted_stories: int
    bcubed: Scores
    pairwise: Scores


def evaluate(truth: Mapping[str, str], predicted: Mapping[str, str]) -> Evaluation:
    """Compare two assignments of the same report ids to story labels."""
    if set(truth) != set(predicted):
        raise ValueError("truth and prediction must label the same reports")
    if not truth:
        raise ValueError("nothing to evaluate")
    both = Counter((truth[i], predicted[i]) for i in truth)
    true_sizes = Counter(truth.values())
    predicted_sizes = Counter(predicted.values())
    precision = recall = 0.0
    for (t, p), n in both.items():
        # Each of the n reports in cell (t, p) shares it with n reports.
        precision += n * n / predicted_sizes[p]
        recall += n * n / true_sizes[t]
    items = len(truth)
    bcubed = Scores(precision / items, recall / items)

    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    together = sum(pairs(n) for n in both.values())
    predicted_pairs = sum(pairs(n) for n in predicted_sizes.values())
    true_pairs = sum(pairs(n) for n in true_sizes.values())
    pairwise = Scores(
        together / predicted_pairs if predicted_pairs else 1.0,
        together / true_pairs if true_pairs else 1.0,
    )
    return Evaluation(items, len(true_sizes), len(predicted_sizes), bcubed, pairwise)


def singletons(ids: Sequence[str]) -> dict[str, str]:
    """The one-alert-per-report baseline: every report its own story."""
    return {i: i for i in ids}


def by_day(published: Mapping[str, str]) -> dict[str, str]:
    """The publication-day baseline: reports published the same day are one story.

    ``published`` holds the dates as written; a month-only date is its own group.
    """
    return {i: text[:10] for i, text in published.items()}
