"""Named actors and targets as language-neutral ids: Роскомнадзор and Roskomnadzor
are both ``roskomnadzor``.

The names come from the detector's rules (the ``[groups.*.names]`` tables: a
canonical name and its aliases per language). A Russian and an English canonical
name are one entity when they share an alias, directly or through
transliteration ("радио свобода" / "radio svoboda"), or are spelled alike.

:func:`entity_ids` is the one place a report's entities are worked out. The
detector is due to report language-neutral ids itself (``Detection.entities``);
when it does, that function reads them and the rest of the package stays as is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from bot.detect.model import EXACT, KEY, PREFIX, Ruleset, Term, word_matches
from bot.detect.text import WORD
from bot.domain.detection import Detection
from bot.stories.textview import TextView
from bot.stories.translit import fold_diacritics, latin_slug, to_latin

_ROLES = ("actor", "object")


@dataclass(frozen=True, slots=True)
class NameHit:
    entity: str
    role: str  # "actor" or "object"
    start: int  # token index, inclusive
    end: int  # token index, exclusive


@dataclass(frozen=True, slots=True)
class Entities:
    actors: tuple[str, ...]
    targets: tuple[str, ...]  # the detector's target field first, when it has a name
    target: str | None  # the detector's target field, when it has a name
    tokens: frozenset[int]  # where the names stand, so other features leave them be


class NameIndex:
    """Named actors and objects of every language, by their language-neutral ids."""

    def __init__(
        self,
        ids: Mapping[tuple[str, str], str],
        roles: Mapping[str, str],
        rulesets: Mapping[str, Ruleset],
    ) -> None:
        self._ids = dict(ids)  # (lang, display name) -> id
        self._roles = dict(roles)  # group -> role, for named groups of every language
        self._rulesets = dict(rulesets)

    @classmethod
    def from_rulesets(cls, rulesets: Mapping[str, Ruleset]) -> NameIndex:
        """The rules' own language-neutral entity ids: Роскомнадзор and Roskomnadzor
        are one id because both rules files say so; display names map back to it."""
        ids: dict[tuple[str, str], str] = {}
        roles: dict[str, str] = {}
        for lang, ruleset in rulesets.items():
            for entity, name in ruleset.entities.items():
                ids[(lang, name)] = entity
            for term in _named_terms(ruleset):
                roles[term.group] = ruleset.roles[term.group]
        return cls(ids, roles, rulesets)

    def id_for(self, lang: str, canonical: str) -> str | None:
        return self._ids.get((lang, canonical))

    def find(self, text: TextView) -> tuple[NameHit, ...]:
        """Every named actor or object the text mentions, in order."""
        ruleset = self._rulesets.get(text.lang)
        if ruleset is None:
            return ()
        found: list[NameHit] = []
        tokens = text.tokens
        numbers = ruleset.language.numbers
        for i, tok in enumerate(tokens):
            if tok.kind != WORD:
                continue
            for term in ruleset.word(tok.lower)[1]:
                if term.entity is None or self._roles.get(term.group) not in _ROLES:
                    continue
                if not _matches(term, text, i, numbers):
                    continue
                role = self._roles[term.group]
                found.append(NameHit(term.entity, role, i, i + len(term.words)))
        return tuple(dict.fromkeys(found))


def entity_ids(
    detection: Detection, text: TextView, names: NameIndex, proper: Callable[[str], bool]
) -> Entities:
    """The entities a report is about: the detector's actor and target fields
    first, then every other known name in the text, by role.

    A target the rules have no name for but the text writes as a proper name
    ("заблокировал FaceTime", "blocks StartMail") becomes an entity too, with an
    id made from its spelling; ``proper`` says whether a word stands as a name
    in this text.
    """
    actors: list[str] = []
    targets: list[str] = []
    target: str | None = None
    for field_name, bucket in (("actor", actors), ("target", targets)):
        value = detection.fields.get(field_name)
        if not value:
            continue
        entity = names.id_for(detection.lang or text.lang, value)
        if entity is None and field_name == "target" and proper(value):
            entity = unnamed_id(value)
        if entity is not None:
            bucket.append(entity)
            if field_name == "target":
                target = entity
    hits = names.find(text)
    for hit in hits:
        (actors if hit.role == "actor" else targets).append(hit.entity)
    tokens = frozenset(i for hit in hits for i in range(hit.start, hit.end))
    return Entities(_unique(actors), _unique(targets), target, tokens)


def unnamed_id(name: str) -> str:
    """An id for a name the rules do not know, the same in either alphabet."""
    return "~" + latin_slug(name)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _norm(text: str) -> str:
    return fold_diacritics(to_latin(text.strip("=*"))).strip()


def _named_terms(ruleset: Ruleset) -> list[Term]:
    terms: list[Term] = []
    seen: set[int] = set()
    for term in [t for ts in ruleset.by_key.values() for t in ts] + [
        *ruleset.by_prefix,
        *ruleset.by_shape,
    ]:
        if term.entity is None or id(term) in seen:
            continue
        if ruleset.roles.get(term.group) not in _ROLES:
            continue
        seen.add(id(term))
        terms.append(term)
    terms.sort(key=lambda t: (t.group, t.entity or "", [w.text for w in t.words]))
    return terms


def _matches(term: Term, text: TextView, i: int, numbers: Mapping[str, int]) -> bool:
    tokens = text.tokens
    words = term.words
    if i + len(words) > len(tokens):
        return False
    for k, pattern in enumerate(words):
        if pattern.kind not in (KEY, PREFIX, EXACT):
            return False
        tok = tokens[i + k]
        if tok.sentence != tokens[i].sentence:
            return False
        if not word_matches(pattern, tok, text.infos[i + k], numbers):
            return False
    return True
