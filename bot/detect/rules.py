"""Loading and validating rule files (one TOML file per language).

A rules file is pure data: the language's analyser settings, named term groups
(actors, actions, objects, protest contexts...), rules that combine groups
inside a sentence window, null patterns for the known traps, and modality cues.
Every structural mistake is reported as a :class:`RulesError` naming the file
and the line, because the person editing the data is usually not the person
who wrote the engine. docs/detection.md describes the format.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.detect.lemmatize import (
    Analyser,
    StemmerConfig,
    WordInfo,
    morph_analyser,
    stemmer_config,
    suffix_stemmer,
)
from bot.detect.text import NUMBER, ScriptProfile, Token, tokenize_words
from bot.domain.vocabulary import CATEGORIES

ROLES = ("actor", "action", "object", "context", "designation", "count")
MODALITIES = ("threat", "plan", "warning", "lifted", "denied", "released")
SCRIPTS = ("cyrillic", "latin")
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
NAME_MODES = ("latin", "capitalised")
# A named entity's language-neutral id: "roskomnadzor", "app_store".
ENTITY_ID = re.compile(r"[a-z][a-z0-9_]*")


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
    # cannot hold the term, which is cheaper to see than to try matching.
    later_keys: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: str
    need: tuple[str, ...]  # every group must occur
    any: tuple[str, ...]  # at least one of these must occur, when given
    entry_any: tuple[str, ...]  # at least one must occur somewhere in the entry, when given
    also: tuple[str, ...]  # optional evidence: adds to the score and the explanation
    head: str  # the group modality and negation are judged around
    head_forms: frozenset[str]  # grammemes the head must carry (one of), when given
    window: int  # tokens from the first to the last matched token
    weight: float


@dataclass(frozen=True, slots=True)
class NullRule:
    id: str
    category: str  # a category or "*"
    explain: str
    scope: str  # "tokens": its words serve no rule; "sentence"/"entry": veto the category there
    group: str | None  # internal group holding its phrases
    need: tuple[str, ...]
    unless: tuple[str, ...]
    window: int


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
    # How an unknown name shows: "latin" (a Latin-script word in Cyrillic text)
    # or "capitalised" (a capital letter inside a sentence that is not in Title
    # Case); "" when rules cannot ask for names.
    names: str = ""


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
    nulls: tuple[NullRule, ...]  # non-entry nulls whose phrase group is present, or that have none
    cues: tuple[tuple[str, str, bool], ...]  # present modality groups: (group, modality, clause)
    named: tuple[tuple[str, str], ...]  # present named_groups: (group, role)


_PLAN_CACHE_LIMIT = 50_000


@dataclass
class Ruleset:
    """Compiled rules for one language, plus its hot per-word lookup cache."""

    language: Language
    path: Path
    roles: dict[str, str]  # group name -> role
    rules: tuple[Rule, ...]
    nulls: tuple[NullRule, ...]
    modality_groups: dict[str, str]  # internal group -> modality
    modality_before: int
    modality_after: int
    before_only: frozenset[str]  # modalities whose cue must precede the head
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
    named_groups: tuple[tuple[str, str], ...] = ()
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

    def __post_init__(self) -> None:
        self.rule_needs = tuple({frozenset(r.need) for r in self.rules})
        self.rules_with_needs = tuple((r, frozenset(r.need)) for r in self.rules)
        self.entry_nulls = tuple(n for n in self.nulls if n.scope == "entry")
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
        found = SentencePlan(
            rules=tuple(r for r, need in self.rules_with_needs if need <= groups),
            nulls=tuple(
                n
                for n in self.nulls
                if n.scope != "entry" and (n.group is None or n.group in groups)
            ),
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


# ---------------------------------------------------------------------------
# Locating lines for error messages


class _Locator:
    """Finds the line of a table or key in the raw TOML text, for messages."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()

    def header(self, pattern: str, index: int = 0) -> int:
        regex = re.compile(r"^\s*" + pattern + r"\s*(#.*)?$")
        seen = 0
        for number, line in enumerate(self._lines, start=1):
            if regex.match(line):
                if seen == index:
                    return number
                seen += 1
        return 1

    def key(self, header_line: int, key: str) -> int:
        regex = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=")
        for number in range(header_line, len(self._lines) + 1):
            line = self._lines[number - 1]
            if number > header_line and line.lstrip().startswith("["):
                break
            if regex.match(line):
                return number
        return header_line


class _Checker:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.where = _Locator(text)

    def fail(self, line: int, message: str) -> RulesError:
        return RulesError(f"{self.path}:{line}: {message}")


def _string_list(
    check: _Checker, value: object, line: int, what: str, allow_empty: bool = False
) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise check.fail(line, f"{what} must be a list of non-empty strings")
    if not value and not allow_empty:
        raise check.fail(line, f"{what} must not be empty")
    return list(value)


def _int(check: _Checker, value: object, line: int, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise check.fail(line, f"{what} must be an integer from {low} to {high}")
    return value


def _unknown_keys(
    check: _Checker, table: Mapping[str, Any], allowed: Sequence[str], line: int, what: str
) -> None:
    for key in table:
        if key not in allowed:
            raise check.fail(
                check.where.key(line, key),
                f"unknown key {key!r} in {what} (allowed: {', '.join(allowed)})",
            )


# ---------------------------------------------------------------------------
# Terms


def compile_term(text: str, analyser: Analyser) -> tuple[WordPattern, ...]:
    """Turn a term as written in a rule ("направить … требование", "иноагент*",
    "=X") into word patterns. Raises ValueError when nothing is left."""
    return tuple(w for w, _ in compile_marked_term(text, analyser))


def compile_marked_term(text: str, analyser: Analyser) -> list[tuple[WordPattern, bool]]:
    """compile_term, also saying which words were written in [brackets]."""
    words: list[WordPattern] = []
    marks: list[bool] = []
    for raw_chunk in text.split():
        marked = raw_chunk.startswith("[") and raw_chunk.endswith("]") and len(raw_chunk) > 2
        chunk = raw_chunk[1:-1] if marked else raw_chunk
        before = len(words)
        _compile_chunk(chunk, analyser, words)
        marks.extend([marked] * (len(words) - before))
    if not words or all(w.kind == GAP for w in words):
        raise ValueError(f"term {text!r} has no words")
    if words[0].kind == GAP or words[-1].kind == GAP:
        raise ValueError(f"term {text!r} cannot start or end with a gap")
    return list(zip(words, marks, strict=True))


def _compile_chunk(chunk: str, analyser: Analyser, words: list[WordPattern]) -> None:
    if chunk in ("…", "..."):
        words.append(WordPattern(GAP, frozenset(), chunk))
        return
    if chunk == "#":
        words.append(WordPattern(NUMBER_ANY, frozenset(), chunk))
        return
    if re.fullmatch(r"[0-9x]*[0-9][0-9x]*", chunk) and "x" in chunk:
        words.append(WordPattern(NUMBER_SHAPE, frozenset(), chunk))
        return
    exact = chunk.startswith("=")
    prefix = chunk.endswith("*")
    core = chunk.strip("=*")
    if exact:
        parts = re.findall(r"[^\W_]+(?:['’][^\W_]+)*", core)
        words.extend(WordPattern(EXACT, frozenset(), p) for p in parts)
        return
    parts = tokenize_words(core)
    for i, part in enumerate(parts):
        if prefix and i == len(parts) - 1:
            words.append(WordPattern(PREFIX, frozenset(), part))
        else:
            words.append(WordPattern(KEY, analyser.rule_keys(part), part))


class _TermIndex:
    def __init__(self, analyser: Analyser) -> None:
        self.analyser = analyser
        self.by_key: dict[str, list[Term]] = {}
        self.by_prefix: list[Term] = []
        self.by_shape: list[Term] = []

    def add(
        self, check: _Checker, line: int, group: str, text: str, entity: str | None = None
    ) -> None:
        try:
            compiled = compile_marked_term(text, self.analyser)
        except ValueError as exc:
            raise check.fail(line, str(exc)) from None
        words = tuple(w for w, _ in compiled)
        non_gap = [m for w, m in compiled if w.kind != GAP]
        marked = tuple(i for i, m in enumerate(non_gap) if m)
        single = len(words) == 1 and words[0].kind in (KEY, PREFIX, NUMBER_ANY, NUMBER_SHAPE)
        gapped = any(w.kind == GAP for w in words)
        later_keys = tuple(w.keys for w in words[1:] if w.kind == KEY)
        term = Term(group, words, entity, single, gapped, marked, later_keys)
        first = words[0]
        if first.kind == KEY:
            for key in first.keys:
                self.by_key.setdefault(key, []).append(term)
        elif first.kind == PREFIX:
            self.by_prefix.append(term)
        elif first.kind == NUMBER_ANY:
            self.by_key.setdefault("#", []).append(term)
        elif first.kind == NUMBER_SHAPE:
            self.by_shape.append(term)
        else:
            self.by_key.setdefault(first.text.lower(), []).append(term)


# ---------------------------------------------------------------------------
# The file


_TOP_KEYS = ("language", "entities", "modality", "groups", "rules", "nulls")
_LANGUAGE_KEYS = (
    "code",
    "name",
    "script",
    "letters",
    "default",
    "analyser",
    "morph_lang",
    "stemmer",
    "abbreviations",
    "place_prepositions",
    "place_geo",
    "place_stopwords",
    "place_titles",
    "names",
    "negators",
    "negation_exceptions",
    "negation_window",
    "negation_after",
    "people",
    "numbers",
)
_RULE_KEYS = (
    "id",
    "category",
    "need",
    "any",
    "entry_any",
    "also",
    "head",
    "head_forms",
    "window",
    "weight",
)
_NULL_KEYS = ("id", "category", "explain", "scope", "phrases", "need", "unless", "window")


def load_file(path: Path) -> Ruleset:
    """Parse, validate and compile one rules file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}:1: cannot read: {exc}") from None
    check = _Checker(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(path, text, exc) from None

    _unknown_keys(check, data, _TOP_KEYS, 1, "the file")
    if "language" not in data:
        raise check.fail(1, "missing [language] table")
    language = _language(check, data["language"])
    index = _TermIndex(language.analyser)
    lang_line = check.where.header(r"\[language\]")

    index_people = _string_list(
        check,
        data["language"].get("people", []),
        check.where.key(lang_line, "people"),
        "language.people",
        allow_empty=True,
    )
    for term in index_people:
        index.add(check, check.where.key(lang_line, "people"), PEOPLE, term)
    for name, key in ((NEGATOR, "negators"), (NEGATION_EXCEPTION, "negation_exceptions")):
        line = check.where.key(lang_line, key)
        for term in _string_list(
            check, data["language"].get(key, []), line, f"language.{key}", allow_empty=True
        ):
            index.add(check, line, name, term)

    entities = _entities(check, data.get("entities", {}))
    roles = _groups(check, data.get("groups", {}), index, entities)
    name_term: Term | None = None
    if language.names:
        if NAME in roles:
            line = check.where.header(r"\[groups\.\"?" + NAME + r"\"?\]")
            raise check.fail(line, f"group name {NAME!r} is built in when language.names is set")
        roles[NAME] = "object"
        name_term = Term(NAME, (WordPattern(KEY, frozenset(), NAME),), None, True, False)
    modality = _modality(check, data.get("modality", {}), index)
    rules = _rules(check, data.get("rules", []), roles)
    nulls = _nulls(check, data.get("nulls", []), roles, index)
    return Ruleset(
        language=language,
        path=path,
        roles=roles,
        rules=rules,
        nulls=nulls,
        modality_groups=modality.groups,
        modality_before=modality.before,
        modality_after=modality.after,
        before_only=modality.before_only,
        by_key=index.by_key,
        by_prefix=index.by_prefix,
        by_shape=index.by_shape,
        name_term=name_term,
        entities=entities,
        clause_groups=modality.clause_groups,
        future_forms=modality.future_forms,
    )


def _toml_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> RulesError:
    message = str(exc)
    m = re.search(r"\(at line (\d+), column \d+\)", message)
    if m:
        line, reason = int(m.group(1)), message[: m.start()].strip()
    else:
        # "(at end of document)": an unclosed array or string runs to the end.
        reason = re.sub(r"\s*\(at end of document\)", "", message)
        line = max(1, len(text.splitlines()))
    return RulesError(f"{path}:{line}: invalid TOML: {reason}")


def _language(check: _Checker, table: object) -> Language:
    line = check.where.header(r"\[language\]")
    if not isinstance(table, dict):
        raise check.fail(line, "[language] must be a table")
    _unknown_keys(check, table, _LANGUAGE_KEYS, line, "[language]")

    def text(key: str, default: str | None = None) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or (default is None and not value):
            raise check.fail(check.where.key(line, key), f"language.{key} must be a string")
        return value

    code = text("code")
    if not re.fullmatch(r"[a-z]{2,3}", code):
        raise check.fail(check.where.key(line, "code"), "language.code must be 2-3 letters")
    if code != check.path.stem:
        raise check.fail(
            check.where.key(line, "code"),
            f"language.code {code!r} does not match the file name {check.path.name!r}",
        )
    script = text("script")
    if script not in SCRIPTS:
        raise check.fail(
            check.where.key(line, "script"), f"language.script must be one of {SCRIPTS}"
        )
    default = table.get("default", False)
    if not isinstance(default, bool):
        raise check.fail(check.where.key(line, "default"), "language.default must be true or false")
    place_geo = table.get("place_geo", False)
    if not isinstance(place_geo, bool):
        raise check.fail(
            check.where.key(line, "place_geo"), "language.place_geo must be true or false"
        )

    analyser_kind = text("analyser")
    analyser: Analyser
    if analyser_kind == "pymorphy3":
        morph_lang = text("morph_lang")
        try:
            analyser = morph_analyser(morph_lang)
        except Exception as exc:  # a missing dictionary package surfaces here
            raise check.fail(
                check.where.key(line, "morph_lang"),
                f"cannot load the pymorphy3 dictionary {morph_lang!r}: {exc}",
            ) from None
    elif analyser_kind == "suffix":
        analyser = suffix_stemmer(_stemmer(check, table.get("stemmer"), line))
    else:
        raise check.fail(
            check.where.key(line, "analyser"), "language.analyser must be 'pymorphy3' or 'suffix'"
        )

    numbers_line = check.where.header(r"\[language\.numbers\]")
    numbers = table.get("numbers", {})
    if not isinstance(numbers, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in numbers.values()
    ):
        raise check.fail(numbers_line, "language.numbers must map words to whole numbers")

    names = table.get("names", "")
    if names not in ("", *NAME_MODES):
        raise check.fail(
            check.where.key(line, "names"), f"language.names must be one of {NAME_MODES}"
        )

    def words(key: str) -> frozenset[str]:
        values = _string_list(
            check, table.get(key, []), check.where.key(line, key), f"language.{key}", True
        )
        return frozenset(v.lower().replace("ё", "е") for v in values)

    return Language(
        code=code,
        name=text("name", ""),
        profile=ScriptProfile(code, script, text("letters", "").lower(), default),
        analyser=analyser,
        abbreviations=words("abbreviations"),
        place_prepositions=words("place_prepositions"),
        place_geo=place_geo,
        place_stopwords=words("place_stopwords"),
        place_titles=words("place_titles"),
        names=str(names),
        numbers={str(k).lower().replace("ё", "е"): int(v) for k, v in numbers.items()},
        negation_window=_int(
            check,
            table.get("negation_window", 2),
            check.where.key(line, "negation_window"),
            "language.negation_window",
            0,
            10,
        ),
        negation_after=_int(
            check,
            table.get("negation_after", 0),
            check.where.key(line, "negation_after"),
            "language.negation_after",
            0,
            10,
        ),
    )


def _stemmer(check: _Checker, table: object, lang_line: int) -> StemmerConfig:
    line = check.where.header(r"\[language\.stemmer\]")
    if line == 1:
        line = lang_line
    if not isinstance(table, dict):
        raise check.fail(line, "analyser 'suffix' needs a [language.stemmer] table")
    _unknown_keys(
        check,
        table,
        ("rules", "irregular", "tags", "keep", "undouble", "drop_final"),
        line,
        "[language.stemmer]",
    )
    for i, rule in enumerate(table.get("rules", [])):
        rule_line = check.where.header(r"\[\[language\.stemmer\.rules\]\]", i)
        if not isinstance(rule, dict) or not isinstance(rule.get("suffix"), str):
            raise check.fail(rule_line, "a stemmer rule needs a string 'suffix'")
        _unknown_keys(
            check,
            rule,
            ("suffix", "replace", "min_stem", "undouble", "tag"),
            rule_line,
            "a stemmer rule",
        )
        if not isinstance(rule.get("replace", ""), str):
            raise check.fail(rule_line, "stemmer rule 'replace' must be a string")
        if not isinstance(rule.get("tag", ""), str):
            raise check.fail(rule_line, "stemmer rule 'tag' must be a string")
        if not isinstance(rule.get("undouble", False), bool):
            raise check.fail(rule_line, "stemmer rule 'undouble' must be true or false")
        _int(check, rule.get("min_stem", 3), rule_line, "stemmer rule 'min_stem'", 1, 20)
    irregular = table.get("irregular", {})
    if not isinstance(irregular, dict) or not all(isinstance(v, str) for v in irregular.values()):
        raise check.fail(line, "stemmer 'irregular' must map words to stems")
    tags = table.get("tags", {})
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise check.fail(line, "stemmer 'tags' must map words to form labels")
    _string_list(check, table.get("keep", []), line, "stemmer 'keep'", allow_empty=True)
    for key in ("undouble", "drop_final"):
        if not isinstance(table.get(key, ""), str):
            raise check.fail(check.where.key(line, key), f"stemmer {key!r} must be a string")
    return stemmer_config(table)


def _entities(check: _Checker, table: object) -> dict[str, str]:
    line = check.where.header(r"\[entities\]")
    if not isinstance(table, dict):
        raise check.fail(line, "[entities] must map ids to display names")
    out: dict[str, str] = {}
    for ident, display in table.items():
        key_line = check.where.key(line, ident)
        if not ENTITY_ID.fullmatch(ident):
            raise check.fail(key_line, f"entity id {ident!r} must be lower-case letters, digits, _")
        if not isinstance(display, str) or not display.strip():
            raise check.fail(key_line, f"entity {ident!r} needs a non-empty display name")
        out[ident] = display
    return out


def _groups(
    check: _Checker, groups: object, index: _TermIndex, entities: Mapping[str, str]
) -> dict[str, str]:
    if not isinstance(groups, dict):
        raise check.fail(1, "'groups' must be a table of tables")
    roles: dict[str, str] = {}
    for name, table in groups.items():
        line = check.where.header(r"\[groups\.\"?" + re.escape(name) + r"\"?\]")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise check.fail(line, f"group name {name!r} must be lower-case letters, digits, _")
        if not isinstance(table, dict):
            raise check.fail(line, f"groups.{name} must be a table")
        _unknown_keys(check, table, ("role", "terms", "names"), line, f"[groups.{name}]")
        role = table.get("role")
        if role not in ROLES:
            raise check.fail(
                check.where.key(line, "role"), f"groups.{name}.role must be one of {ROLES}"
            )
        roles[name] = str(role)
        terms_line = check.where.key(line, "terms")
        terms = _string_list(
            check, table.get("terms", []), terms_line, f"groups.{name}.terms", True
        )
        for term in terms:
            index.add(check, terms_line, name, term)
        names = table.get("names", {})
        names_line = check.where.header(r"\[groups\.\"?" + re.escape(name) + r"\"?\.names\]")
        if names_line == 1:
            names_line = line
        if not isinstance(names, dict):
            raise check.fail(names_line, f"groups.{name}.names must map names to alias lists")
        for ident, aliases in names.items():
            alias_line = check.where.key(names_line, ident)
            if ident not in entities:
                raise check.fail(
                    alias_line, f"groups.{name}.names: {ident!r} is not declared in [entities]"
                )
            for alias in _string_list(check, aliases, alias_line, f"aliases of {ident!r}"):
                index.add(check, alias_line, name, alias, ident)
        if not terms and not names:
            raise check.fail(line, f"groups.{name} has neither terms nor names")
    return roles


@dataclass(frozen=True, slots=True)
class _ModalityConfig:
    groups: dict[str, str]  # internal group -> modality
    before: int
    after: int
    before_only: frozenset[str]
    clause_groups: frozenset[str]
    future_forms: frozenset[str]


# Modalities a clause cue may carry: those that govern what follows them
# ("рассматривает возможность …", "called claims that …").
CLAUSE_MODALITIES = ("threat", "plan", "warning", "denied")


def _modality(check: _Checker, table: object, index: _TermIndex) -> _ModalityConfig:
    line = check.where.header(r"\[modality\]")
    if not isinstance(table, dict):
        raise check.fail(line, "[modality] must be a table")
    _unknown_keys(
        check,
        table,
        (*MODALITIES, "before", "after", "before_only", "statements", "clause", "future"),
        line,
        "[modality]",
    )
    # Words of reporting ("заявили", "say"): a negation inside a statement is a
    # denial, a bare one ("прошла без задержаний") just reports nothing happened.
    statements_line = check.where.key(line, "statements")
    for term in _string_list(
        check, table.get("statements", []), statements_line, "modality.statements", True
    ):
        index.add(check, statements_line, STATEMENT, term)
    groups: dict[str, str] = {}
    for modality in MODALITIES:
        key_line = check.where.key(line, modality)
        for term in _string_list(
            check, table.get(modality, []), key_line, f"modality.{modality}", True
        ):
            index.add(check, key_line, "@" + modality, term)
        groups["@" + modality] = modality
    # [modality.clause]: cues that govern the rest of their sentence.
    clause = table.get("clause", {})
    clause_line = check.where.header(r"\[modality\.clause\]") if "clause" in table else line
    if not isinstance(clause, dict):
        raise check.fail(clause_line, "[modality.clause] must be a table")
    _unknown_keys(check, clause, CLAUSE_MODALITIES, clause_line, "[modality.clause]")
    clause_groups: set[str] = set()
    for modality in CLAUSE_MODALITIES:
        if modality not in clause:
            continue
        key_line = check.where.key(clause_line, modality)
        name = "@clause-" + modality
        for term in _string_list(
            check, clause[modality], key_line, f"modality.clause.{modality}", True
        ):
            index.add(check, key_line, name, term)
        groups[name] = modality
        clause_groups.add(name)
    future = _string_list(
        check, table.get("future", []), check.where.key(line, "future"), "modality.future", True
    )
    before = _int(check, table.get("before", 6), check.where.key(line, "before"), "before", 0, 30)
    after = _int(check, table.get("after", 3), check.where.key(line, "after"), "after", 0, 30)
    before_only = _string_list(
        check,
        table.get("before_only", []),
        check.where.key(line, "before_only"),
        "modality.before_only",
        True,
    )
    for name in before_only:
        if name not in MODALITIES:
            raise check.fail(
                check.where.key(line, "before_only"), f"unknown modality {name!r} in before_only"
            )
    return _ModalityConfig(
        groups,
        before,
        after,
        frozenset(before_only),
        frozenset(clause_groups),
        frozenset(future),
    )


def _group_refs(
    check: _Checker, value: object, line: int, what: str, roles: Mapping[str, str], empty: bool
) -> tuple[str, ...]:
    names = _string_list(check, value, line, what, allow_empty=empty)
    for name in names:
        if name not in roles:
            raise check.fail(line, f"{what} refers to unknown group {name!r}")
    return tuple(names)


def _rules(check: _Checker, rules: object, roles: Mapping[str, str]) -> tuple[Rule, ...]:
    if not isinstance(rules, list):
        raise check.fail(1, "'rules' must be an array of tables ([[rules]])")
    out: list[Rule] = []
    ids: set[str] = set()
    for i, table in enumerate(rules):
        line = check.where.header(r"\[\[rules\]\]", i)
        if not isinstance(table, dict):
            raise check.fail(line, "each [[rules]] entry must be a table")
        _unknown_keys(check, table, _RULE_KEYS, line, "[[rules]]")
        rule_id = table.get("id")
        if not isinstance(rule_id, str) or not rule_id:
            raise check.fail(line, "a rule needs a string 'id'")
        if rule_id in ids:
            raise check.fail(check.where.key(line, "id"), f"duplicate rule id {rule_id!r}")
        ids.add(rule_id)
        category = table.get("category")
        if category not in CATEGORIES:
            raise check.fail(
                check.where.key(line, "category"),
                f"rule {rule_id!r}: category must be one of {CATEGORIES}",
            )
        need = _group_refs(
            check,
            table.get("need"),
            check.where.key(line, "need"),
            f"rule {rule_id!r} need",
            roles,
            False,
        )
        any_of = _group_refs(
            check,
            table.get("any", []),
            check.where.key(line, "any"),
            f"rule {rule_id!r} any",
            roles,
            True,
        )
        entry_any = _group_refs(
            check,
            table.get("entry_any", []),
            check.where.key(line, "entry_any"),
            f"rule {rule_id!r} entry_any",
            roles,
            True,
        )
        also = _group_refs(
            check,
            table.get("also", []),
            check.where.key(line, "also"),
            f"rule {rule_id!r} also",
            roles,
            True,
        )
        head = table.get("head", need[0])
        if head not in need:
            raise check.fail(
                check.where.key(line, "head"), f"rule {rule_id!r}: head must be one of need"
            )
        head_forms = _string_list(
            check,
            table.get("head_forms", []),
            check.where.key(line, "head_forms"),
            f"rule {rule_id!r} head_forms",
            True,
        )
        weight = table.get("weight", 0.7)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
            raise check.fail(
                check.where.key(line, "weight"), f"rule {rule_id!r}: weight must be in (0, 1]"
            )
        window = _int(
            check, table.get("window", 12), check.where.key(line, "window"), "window", 1, 60
        )
        out.append(
            Rule(
                id=rule_id,
                category=str(category),
                need=need,
                any=any_of,
                entry_any=entry_any,
                also=also,
                head=str(head),
                head_forms=frozenset(head_forms),
                window=window,
                weight=float(weight),
            )
        )
    return tuple(out)


def _nulls(
    check: _Checker, nulls: object, roles: Mapping[str, str], index: _TermIndex
) -> tuple[NullRule, ...]:
    if not isinstance(nulls, list):
        raise check.fail(1, "'nulls' must be an array of tables ([[nulls]])")
    out: list[NullRule] = []
    ids: set[str] = set()
    for i, table in enumerate(nulls):
        line = check.where.header(r"\[\[nulls\]\]", i)
        if not isinstance(table, dict):
            raise check.fail(line, "each [[nulls]] entry must be a table")
        _unknown_keys(check, table, _NULL_KEYS, line, "[[nulls]]")
        null_id = table.get("id")
        if not isinstance(null_id, str) or not null_id:
            raise check.fail(line, "a null pattern needs a string 'id'")
        if null_id in ids:
            raise check.fail(check.where.key(line, "id"), f"duplicate null id {null_id!r}")
        ids.add(null_id)
        category = table.get("category", "*")
        if category not in (*CATEGORIES, "*"):
            raise check.fail(
                check.where.key(line, "category"),
                f"null {null_id!r}: category must be one of {CATEGORIES} or '*'",
            )
        scope = table.get("scope", "tokens")
        if scope not in ("tokens", "sentence", "entry"):
            raise check.fail(
                check.where.key(line, "scope"),
                f"null {null_id!r}: scope must be tokens, sentence or entry",
            )
        explain = table.get("explain", null_id)
        if not isinstance(explain, str):
            raise check.fail(check.where.key(line, "explain"), "'explain' must be a string")
        group: str | None = None
        need: tuple[str, ...] = ()
        if "phrases" in table:
            phrases_line = check.where.key(line, "phrases")
            group = "@null:" + null_id
            for phrase in _string_list(check, table["phrases"], phrases_line, "phrases"):
                index.add(check, phrases_line, group, phrase)
        if "need" in table:
            need = _group_refs(
                check,
                table["need"],
                check.where.key(line, "need"),
                f"null {null_id!r} need",
                roles,
                False,
            )
        if group is None and not need:
            raise check.fail(line, f"null {null_id!r} needs 'phrases' or 'need'")
        if scope == "tokens" and group is None:
            raise check.fail(line, f"null {null_id!r}: scope 'tokens' needs 'phrases'")
        unless = _group_refs(
            check,
            table.get("unless", []),
            check.where.key(line, "unless"),
            f"null {null_id!r} unless",
            roles,
            True,
        )
        window = _int(
            check, table.get("window", 60), check.where.key(line, "window"), "window", 1, 60
        )
        out.append(
            NullRule(null_id, str(category), explain, str(scope), group, need, unless, window)
        )
    return tuple(out)


def load_dir(rules_dir: Path) -> dict[str, Ruleset]:
    """Load every ``*.toml`` in a directory; the first bad file raises RulesError."""
    files = sorted(rules_dir.glob("*.toml"))
    if not files:
        raise RulesError(f"{rules_dir}:0: no *.toml rules files found")
    out: dict[str, Ruleset] = {}
    for path in files:
        ruleset = load_file(path)
        out[ruleset.language.code] = ruleset
    defaults: dict[str, str] = {}
    for code, ruleset in out.items():
        profile = ruleset.language.profile
        if profile.default:
            if profile.script in defaults:
                raise RulesError(
                    f"{ruleset.path}:1: both {defaults[profile.script]!r} and {code!r} "
                    f"declare default = true for the {profile.script} script"
                )
            defaults[profile.script] = code
    return out
