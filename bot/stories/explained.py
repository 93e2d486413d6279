"""A decision whose explanation is worded when someone reads it.

Scoring keeps each candidate's signals as raw values (sets, numbers); turning
them into words (the best candidate's signals, the runners-up, the ``why``
sentence) costs as much as the scoring itself, and most decisions are never read
by a person. ``ScoredDecision`` is a ``Decision`` that keeps the scored
candidates and words them on the first read of ``why``, ``best`` or
``considered``; the words are those an eager decision would hold, and it equals,
hashes, prints and pickles as that plain ``Decision``.
"""

from __future__ import annotations

from typing import Any

from bot.stories.records import Action, Candidate, Decision
from bot.stories.scoring import Scored

# How many of the scored candidates a decision lists (the best one explained).
CONSIDERED = 2

_Words = tuple[str, Candidate, tuple[Candidate, ...]]


def word_decision(action: Action, scored: list[Scored]) -> _Words:
    """The ``why``, best candidate and candidates considered of a decision made
    from these candidates, best first (at least one)."""
    best, explanation = scored[0].explained()
    considered = (best, *(c.candidate(explain=False) for c in scored[1:CONSIDERED]))
    if action == "join":
        why = (
            f"join {best.story_id}: score {best.score:.2f} >= {best.threshold:.2f} ({explanation})"
        )
    elif best.veto is not None:
        why = f"new story: nearest {best.story_id} ruled out: {best.veto}"
    else:
        why = (
            f"new story: nearest {best.story_id} scored {best.score:.2f} < "
            f"{best.threshold:.2f} ({explanation})"
        )
    return why, best, considered


class ScoredDecision(Decision):
    """A join or a new story decided against scored candidates, worded on demand.

    The candidates' raw values are snapshots (fresh sets, numbers, frozen sets),
    so the words are the same whenever they are made.
    """

    __slots__ = ("_scored", "_words")
    _scored: list[Scored] | None
    _words: _Words | None

    def __new__(
        cls,
        report_id: str,
        action: Action,
        story_id: str,
        why: str = "",
        best: Candidate | None = None,
        considered: tuple[Candidate, ...] = (),
        *,
        scored: list[Scored] | None = None,
    ) -> ScoredDecision:
        if scored is None:
            # Called with words (dataclasses.replace does): a plain decision.
            return Decision(report_id, action, story_id, why, best, considered)  # type: ignore[return-value]
        self = object.__new__(cls)
        # Frozen: the fields are set once, here, past the dataclass's guard.
        set_field = object.__setattr__
        set_field(self, "report_id", report_id)
        set_field(self, "action", action)
        set_field(self, "story_id", story_id)
        set_field(self, "_scored", scored)
        set_field(self, "_words", None)
        return self

    def __init__(self, *args: object, **kwargs: object) -> None:
        """Everything is set by ``__new__``."""

    def _worded(self) -> _Words:
        words: _Words | None = self._words
        if words is None:
            assert self._scored is not None
            words = word_decision(self.action, self._scored)
            object.__setattr__(self, "_words", words)
            object.__setattr__(self, "_scored", None)
        return words

    # Properties in a subclass come before the parent's slots of the same names.
    @property
    def why(self) -> str:
        return self._worded()[0]

    @property
    def best(self) -> Candidate:
        return self._worded()[1]

    @property
    def considered(self) -> tuple[Candidate, ...]:
        return self._worded()[2]

    def _fields(self) -> tuple[Any, ...]:
        return (self.report_id, self.action, self.story_id, self.why, self.best, self.considered)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Decision):
            return self._fields() == _fields_of(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return repr(self.plain())

    def __reduce__(self) -> tuple[type[Decision], tuple[Any, ...]]:
        return Decision, self._fields()

    def plain(self) -> Decision:
        """The same decision as a plain record, worded."""
        return Decision(*self._fields())


def _fields_of(decision: Decision) -> tuple[Any, ...]:
    return (
        decision.report_id,
        decision.action,
        decision.story_id,
        decision.why,
        decision.best,
        decision.considered,
    )
