"""The compiled rules model: what a rules file turns into, as the matcher reads it.

Nothing here parses or validates (schema.py does, compiler.py builds these
records); everything here is shaped for matching speed: plain frozen records,
term indexes keyed by lemma, and per-word and per-sentence-plan caches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from bot.detect.lemmatize import Analyser, WordInfo
from bot.detect.text import NUMBER, ScriptProfile, Token
from bot.domain.vocabulary import CATEGORIES, Category, WeakModality

Role = Literal["actor", "action", "object", "context", "designation", "count"]
ROLES: tuple[Role, ...] = get_args(Role)
# The modalities a cue word can carry (vocabulary.Modality adds "event",
# "negated" and "none", which no cue states).
CueModality = Literal["threat", "plan", "warning", "lifted", "denied", "released"]
MODALITIES: tuple[CueModality, ...] = get_args(CueModality)
# Modalities a clause cue may carry: those that govern what follows them
# ("рассматривает возможность …", "called claims that …").
ClauseModality = Literal["threat", "plan", "warning", "denied"]
CLAUSE_MODALITIES: tuple[ClauseModality, ...] = get_args(ClauseModality)
Scope = Literal["tokens", "head", "sentence", "entry"]
Script = Literal["cyrillic", "latin"]
SCRIPTS: tuple[Script, ...] = get_args(Script)
NameMode = Literal["latin", "capitalised"]
NAME_MODES: tuple[NameMode, ...] = get_args(NameMode)

MAX_GAP = 4  # tokens a "…" in a term may skip

# Word pattern kinds.
KEY = 0  # matches a lemma / stem key
PREFIX = 1  # matches the start of the lower-cased form ("иноагент*")
EXACT = 2  # matches the form as written, case included ("=X")
GAP = 3  # skips up to MAX_GAP tokens ("…")
NUMBER_ANY = 4  # any number, in digits or as a word from [language.numbers] ("#")
NUMBER_SHAPE = 5  # a number written with exactly these digits, x for any ("19xx")

# Internal group names cannot collide with user groups: TOML bare keys have no "@".
NEGATOR = "@neg"
NEGATION_EXCEPTION = "@negexc"
PEOPLE = "@people"
STATEMENT = "@statement"
# The built-in group of words that look like names no rule knows ("FaceTime",
# "Speedtest"); rules may use it when the language declares `names`.
NAME = "name"


class RulesError(Exception):
    """A rules file that cannot be used; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class WordPattern:
    kind: int
    keys: frozenset[str]
    text: str


@dataclass(frozen=True, slots=True)
class Term:
    group: str
    words: tuple[WordPattern, ...]
    entity: str | None  # the language-neutral id of a named actor or object ("roskomnadzor")
    single: bool  # one word that the index lookup alone proves matched
    gapped: bool  # has a "…"
    # Positions, among the term's non-gap words, written in [brackets]: only
    # these count as taken ("[hold] … placard" takes "held", leaves "placard").
    marked: tuple[int, ...] = ()
    # Keys of the lemma words after the first: a sentence lacking any of them
    # cannot hold the term, which is cheaper to see than to try matching. The
    # words with one key (most) are pooled, so one subset test checks them all;
    # only words with several keys (several lemmas) are checked one by one.
    later_keys: tuple[frozenset[str], ...] = ()
    # Lemma keys of words that may not stand right before the term: a country
    # after "в"/"in" is a place, not a government acting.
    not_after: frozenset[str] = frozenset()
    # Clause marks (text.CLAUSE_MARKS) that may not stand right after the term:
    # "Nigeria: Instagram removed …" names a dateline, not a government.
    not_followed_by: frozenset[str] = frozenset()
    later_all: frozenset[str] = frozenset()  # the one-key later words' keys, pooled
    # One word with no entity and no condition on its neighbours: found by the
    # index lookup alone and recorded without further checks (worked out once).
    plain: bool = field(init=False)

    def __post_init__(self) -> None:
        plain = (
            self.single and self.entity is None and not self.not_after and not self.not_followed_by
        )
        object.__setattr__(self, "plain", plain)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: Category
    need: tuple[str, ...]  # every group must occur
    any: tuple[str, ...]  # at least one of these must occur, when given
    entry_any: tuple[str, ...]  # at least one must occur somewhere in the entry, when given
    also: tuple[str, ...]  # optional evidence: adds to the score and the explanation
    head: str  # the group modality and negation are judged around
    head_forms: frozenset[str]  # grammemes the head must carry (one of), when given
    window: int  # tokens from the first to the last matched token
    weight: float
    # A weak modality the rule always reports when nothing says otherwise: a
    # rule about unblocking reports a lifted ban, one about a bill a plan.
    modality: WeakModality | None = None
    # Groups that must stand as the head's agent (Language.agent_words): in
    # "Facebook removed posts criticising the government" the government acts
    # on nothing.
    agent: frozenset[str] = frozenset()
    # Groups whose term right before a finite head verb is its subject, which
    # leaves the agent groups no part: "министерство сообщило, что редакция
    # удалила материал", "Meta removed accounts run out of Nigeria".
    subjects: frozenset[str] = frozenset()


# Compared and hashed by identity: each is made once per compiled file, and the
# matcher keys caches by sets of them.
@dataclass(frozen=True, slots=True, eq=False)
class NullRule:
    id: str
    category: Category | Literal["*"]
    explain: str
    # "tokens": its words serve no rule; "head": a rule's head standing so serves
    # none; "sentence"/"entry": veto the category there.
    scope: Scope
    group: str | None  # internal group holding its phrases
    need: tuple[str, ...]
    unless: tuple[str, ...]
    window: int
    # Scope "head" only: how a head must stand for the null to take it (every
    # condition given must hold). Its first word, or the last of a gapped head,
    # carries one of `forms` and none of `not_forms` ("заблокированный", not
    # "признан запрещённой"); it `opens` a clause that more of the sentence
    # follows ("Instagram, blocked in Russia, launched …"); the word before it is
    # one of `after` ("the banned app"), the word after it one of `next`; one of
    # the phrases ends at most `window` words before it, with no clause mark
    # between ("which was blocked", "который заблокирован").
    forms: frozenset[str] = frozenset()
    not_forms: frozenset[str] = frozenset()
    opens: bool = False
    after: frozenset[str] = frozenset()
    next: frozenset[str] = frozenset()
    # Scope "head" only: the rules whose heads it takes; empty for every rule of
    # its category.
    rules: frozenset[str] = frozenset()
    # Scope "sentence" only: instead of vetoing the category, report its events
    # in the sentence as this weak modality.
    modality: WeakModality | None = None


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    profile: ScriptProfile
    analyser: Analyser
    abbreviations: frozenset[str]
    place_prepositions: frozenset[str]
    place_geo: bool  # a place must be a dictionary place name, not just capitalised
    place_stopwords: frozenset[str]
    # Words that may stand between the preposition and the name: "в г. Томске",
    # "в городе Нижний Новгород".
    place_titles: frozenset[str]
    numbers: Mapping[str, int]
    negation_window: int  # words before the head a negator may stand
    negation_after: int  # words after it ("задержанных нет")
    # An agent standing after its head follows one of these words within
    # agent_window words ("blocked by the government"); before it, anywhere.
    agent_words: frozenset[str] = frozenset()
    agent_window: int = 3
    # The forms of a verb that has a subject acting on an object, each a set of
    # grammemes or stemmer tags that must all be there ({"VERB", "tran"}):
    # a rule's subjects stand before one.
    verb_forms: tuple[frozenset[str], ...] = ()
    # Words that, between a noun and such a verb, make the noun no subject of it:
    # coordinators ("fines Halk TV and suspends …") and passive auxiliaries
    # ("the app was removed").
    subject_breaks: frozenset[str] = frozenset()
    # How an unknown name shows: "latin" (a Latin-script word in Cyrillic text)
    # or "capitalised" (a capital letter inside a sentence that is not in Title
    # Case); "" when rules cannot ask for names.
    names: NameMode | Literal[""] = ""


@dataclass(frozen=True, slots=True)
class SentencePlan:
    """What a sentence holding exactly these groups can lead to, worked out once.

    The matcher asks the same questions of every sentence (which rules could
    fire, which nulls could apply, which cue and named groups are there), and the
    answers depend only on the set of groups found. Sets of groups repeat far
    more than sentences do, so the answers are cached per set (Ruleset.plan)
    instead of scanning every rule, null and cue group for each sentence.
    Every tuple keeps the file's order, which the matcher's results depend on.
    """

    rules: tuple[Rule, ...]  # rules whose every `need` group is present
    # Whether one of them needs nothing from the rest of the entry, and the
    # entry_any groups the others need: without one of those anywhere in the
    # entry, the sentence cannot fire a rule.
    free: bool
    entry_any: frozenset[str]
    # Tokens and sentence nulls whose phrases and need groups are present (or
    # that have none) and whose unless groups are absent.
    nulls: tuple[NullRule, ...]
    # Head nulls that can apply, per category (those of "*" under each).
    head_nulls: Mapping[str, tuple[NullRule, ...]]
    # present modality groups: (group, modality, clause)
    cues: tuple[tuple[str, CueModality, bool], ...]
    named: tuple[tuple[str, Role], ...]  # present named_groups: (group, role)


_PLAN_CACHE_LIMIT = 50_000


@dataclass
class Ruleset:
    """Compiled rules for one language, plus its hot per-word lookup cache."""

    language: Language
    path: Path
    roles: dict[str, Role]  # group name -> role
    rules: tuple[Rule, ...]
    nulls: tuple[NullRule, ...]
    modality_groups: dict[str, CueModality]  # internal group -> modality
    modality_before: int
    modality_after: int
    before_only: frozenset[CueModality]  # modalities whose cue must precede the head
    by_key: dict[str, list[Term]]
    by_prefix: list[Term]
    by_shape: list[Term]
    words_cache: dict[str, tuple[WordInfo, tuple[Term, ...], frozenset[str]]] = field(
        default_factory=dict
    )
    rule_needs: tuple[frozenset[str], ...] = ()
    rules_with_needs: tuple[tuple[Rule, frozenset[str]], ...] = ()
    entry_nulls: tuple[NullRule, ...] = ()
    entry_groups: frozenset[str] = frozenset()  # groups looked for in every sentence
    name_term: Term | None = None  # set when the language declares `names`
    # Named entities: language-neutral id -> display name in this language.
    entities: dict[str, str] = field(default_factory=dict)
    # Actor and object groups that have named entities, with their role: the
    # only groups fields can take a name from.
    named_groups: tuple[tuple[str, Role], ...] = ()
    # Every group holding a named entity, whatever its role: entities are
    # reported wherever they stand in the entry.
    entity_groups: frozenset[str] = frozenset()
    # Cue groups that govern every head after them in the sentence, however far
    # ("рассматривает возможность … отключать", "a draft bill would let … order").
    clause_groups: frozenset[str] = frozenset()
    # Grammemes that make a head a plan by themselves ("заблокирует": futr).
    future_forms: frozenset[str] = frozenset()
    plans_cache: dict[frozenset[str], SentencePlan] = field(
        default_factory=dict, repr=False, compare=False
    )
    # Rules some head null names: their heads are judged apart from their
    # category's other rules.
    head_null_rules: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.rule_needs = tuple({frozenset(r.need) for r in self.rules})
        self.rules_with_needs = tuple((r, frozenset(r.need)) for r in self.rules)
        self.entry_nulls = tuple(n for n in self.nulls if n.scope == "entry")
        self.head_null_rules = frozenset(r for n in self.nulls for r in n.rules)
        self.entry_groups = frozenset(
            g
            for n in self.entry_nulls
            for g in (*n.need, *n.unless, *((n.group,) if n.group else ()))
        ) | frozenset(g for r in self.rules for g in r.entry_any)
        with_names = {t.group for terms in self.by_key.values() for t in terms if t.entity}
        with_names |= {t.group for t in (*self.by_prefix, *self.by_shape) if t.entity}
        self.entity_groups = frozenset(with_names)
        self.named_groups = tuple(
            (g, role)
            for g, role in sorted(self.roles.items())
            if role in ("actor", "object") and g in with_names
        )

    def word(self, lower: str) -> tuple[WordInfo, tuple[Term, ...], frozenset[str]]:
        """The word's analysis, the terms that may start at it and their groups (cached)."""
        hit = self.words_cache.get(lower)
        if hit is not None:
            return hit
        info = self.language.analyser.analyse(lower)
        found: list[Term] = []
        seen: set[int] = set()
        for key in info.keys:
            for term in self.by_key.get(key, ()):
                if id(term) not in seen:
                    seen.add(id(term))
                    found.append(term)
        for term in self.by_prefix:
            if lower.startswith(term.words[0].text):
                found.append(term)
        if lower in self.language.numbers or info.lemma in self.language.numbers:
            found.extend(self.by_key.get("#", ()))
        hit = (info, tuple(found), frozenset(t.group for t in found))
        if len(self.words_cache) >= 200_000:
            self.words_cache.clear()
        self.words_cache[lower] = hit
        return hit

    def plan(self, groups: frozenset[str]) -> SentencePlan:
        """The SentencePlan for a sentence whose groups are exactly ``groups`` (cached)."""
        found = self.plans_cache.get(groups)
        if found is not None:
            return found
        rules = tuple(r for r, need in self.rules_with_needs if need <= groups)
        # Nulls whose phrases or need groups are absent, or unless groups
        # present, cannot apply.
        nulls = [
            n
            for n in self.nulls
            if n.scope != "entry"
            and (n.group is None or n.group in groups)
            and groups.issuperset(n.need)
            and groups.isdisjoint(n.unless)
        ]
        found = SentencePlan(
            rules=rules,
            free=any(not r.entry_any for r in rules),
            entry_any=frozenset(g for r in rules for g in r.entry_any),
            nulls=tuple(n for n in nulls if n.scope != "head"),
            head_nulls={
                cat: heads
                for cat in CATEGORIES
                if (
                    heads := tuple(
                        n for n in nulls if n.scope == "head" and n.category in (cat, "*")
                    )
                )
            },
            cues=tuple(
                (g, modality, g in self.clause_groups)
                for g, modality in self.modality_groups.items()
                if g in groups
            ),
            named=tuple((g, role) for g, role in self.named_groups if g in groups),
        )
        if len(self.plans_cache) >= _PLAN_CACHE_LIMIT:
            self.plans_cache.clear()
        self.plans_cache[groups] = found
        return found

    def number_terms(self, token: Token) -> tuple[Term, ...]:
        """Terms that may start at a number written in digits."""
        found = list(self.by_key.get("#", ()))
        for term in self.by_shape:
            if word_matches(term.words[0], token, None, self.language.numbers):
                found.append(term)
        return tuple(found)


def word_matches(
    pattern: WordPattern, token: Token, info: WordInfo | None, numbers: Mapping[str, int]
) -> bool:
    """Whether one word of a term matches one token."""
    kind = pattern.kind
    if kind == KEY:
        if info is None:
            return token.lower in pattern.keys
        return not pattern.keys.isdisjoint(info.keys)
    if kind == PREFIX:
        return token.lower.startswith(pattern.text)
    if kind == EXACT:
        return token.text == pattern.text
    if kind == NUMBER_ANY:
        return (
            token.kind == NUMBER
            or token.lower in numbers
            or (info is not None and info.lemma in numbers)
        )
    if kind == NUMBER_SHAPE:
        text = token.text
        return (
            token.kind == NUMBER
            and len(text) == len(pattern.text)
            and all(p in ("x", c) for p, c in zip(pattern.text, text, strict=True))
        )
    return False
