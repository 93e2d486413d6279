"""Compiling a checked rules file into the matcher's model.

schema.py has checked the file's shape; here terms become word patterns
indexed by their first word's lemma keys, names become entity terms, modality
cues and null phrases become internal groups, and every cross-reference (a rule
naming a group, a names table naming an entity, a head outside `need`) is
checked, with the file and line of a bad one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from bot.detect.lemmatize import Analyser, morph_analyser, stemmer_config, suffix_stemmer
from bot.detect.model import (
    EXACT,
    GAP,
    KEY,
    NAME,
    NEGATION_EXCEPTION,
    NEGATOR,
    NUMBER_ANY,
    NUMBER_SHAPE,
    PEOPLE,
    PREFIX,
    STATEMENT,
    CueModality,
    Language,
    NullRule,
    Role,
    Rule,
    RulesError,
    Ruleset,
    Term,
    WordPattern,
)
from bot.detect.schema import (
    GroupTable,
    LanguageTable,
    Loc,
    Locator,
    ModalityTable,
    NullTable,
    RuleTable,
    read_rules_file,
)
from bot.detect.text import ScriptProfile, normalise, tokenize_words

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
    def __init__(self, analyser: Analyser, where: Locator) -> None:
        self.analyser = analyser
        self.where = where
        self.by_key: dict[str, list[Term]] = {}
        self.by_prefix: list[Term] = []
        self.by_shape: list[Term] = []
        # What each added term matches: a second term that matches the same
        # ("protester" and "protesters" share a stem) would only cost time.
        self._seen: set[tuple[object, ...]] = set()

    def add(
        self,
        loc: Loc,
        group: str,
        text: str,
        entity: str | None = None,
        not_after: frozenset[str] = frozenset(),
        not_followed_by: frozenset[str] = frozenset(),
    ) -> None:
        try:
            compiled = compile_marked_term(text, self.analyser)
        except ValueError as exc:
            raise self.where.fail(loc, str(exc)) from None
        words = tuple(w for w, _ in compiled)
        non_gap = [m for w, m in compiled if w.kind != GAP]
        marked = tuple(i for i, m in enumerate(non_gap) if m)
        single = len(words) == 1 and words[0].kind in (KEY, PREFIX, NUMBER_ANY, NUMBER_SHAPE)
        gapped = any(w.kind == GAP for w in words)
        later = [w.keys for w in words[1:] if w.kind == KEY]
        later_all = frozenset(k for keys in later if len(keys) == 1 for k in keys)
        later_keys = tuple(keys for keys in later if len(keys) != 1)
        matches = tuple((w.kind, w.keys) if w.kind == KEY else (w.kind, w.text) for w in words)
        signature = (group, matches, entity, marked, not_after, not_followed_by)
        if signature in self._seen:
            return
        self._seen.add(signature)
        term = Term(
            group,
            words,
            entity,
            single,
            gapped,
            marked,
            later_keys,
            not_after,
            not_followed_by,
            later_all,
        )
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


def load_file(path: Path) -> Ruleset:
    """Parse, validate and compile one rules file; raises RulesError."""
    data, where = read_rules_file(path)
    language = _language(where, data.language)
    index = _TermIndex(language.analyser, where)
    table = data.language
    for name, key, words in (
        (PEOPLE, "people", table.people),
        (NEGATOR, "negators", table.negators),
        (NEGATION_EXCEPTION, "negation_exceptions", table.negation_exceptions),
    ):
        for term in words:
            index.add(("language", key), name, term)

    # A group that others include and no rule or null names is only a list:
    # its terms are indexed through the groups that include it.
    named: set[str] = set()
    for rule in data.rules:
        named.update(rule.need, rule.any, rule.entry_any, rule.also, rule.subjects)
    for null in data.nulls:
        named.update(null.need or (), null.unless)
    lists = {g for t in data.groups.values() for g in t.include} - named
    roles = _groups(where, data.groups, data.entities, index, lists)
    name_term: Term | None = None
    if language.names:
        if NAME in roles:
            raise where.fail(
                ("groups", NAME), f"group name {NAME!r} is built in when language.names is set"
            )
        roles[NAME] = "object"
        name_term = Term(NAME, (WordPattern(KEY, frozenset(), NAME),), None, True, False)
    cues, clause_groups = _modality(data.modality, index)
    nulls = _nulls(where, data.nulls, roles, index, {r.id for r in data.rules})
    return Ruleset(
        language=language,
        path=path,
        roles=roles,
        rules=_rules(where, data.rules, roles),
        nulls=nulls,
        modality_groups=cues,
        modality_before=data.modality.before,
        modality_after=data.modality.after,
        before_only=frozenset(data.modality.before_only),
        by_key=index.by_key,
        by_prefix=index.by_prefix,
        by_shape=index.by_shape,
        name_term=name_term,
        entities=dict(data.entities),
        clause_groups=clause_groups,
        future_forms=frozenset(data.modality.future),
    )


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


def _language(where: Locator, table: LanguageTable) -> Language:
    if table.code != where.path.stem:
        raise where.fail(
            ("language", "code"),
            f"language.code {table.code!r} does not match the file name {where.path.name!r}",
        )
    analyser: Analyser
    if table.analyser == "pymorphy3":
        assert table.morph_lang is not None  # the schema requires it
        try:
            analyser = morph_analyser(table.morph_lang)
        except Exception as exc:  # a missing dictionary package surfaces here
            raise where.fail(
                ("language", "morph_lang"),
                f"cannot load the pymorphy3 dictionary {table.morph_lang!r}: {exc}",
            ) from None
    else:
        assert table.stemmer is not None  # the schema requires it
        analyser = suffix_stemmer(stemmer_config(table.stemmer.model_dump()))

    def words(values: Sequence[str]) -> frozenset[str]:
        return frozenset(v.lower().replace("ё", "е") for v in values)

    return Language(
        code=table.code,
        name=table.name,
        profile=ScriptProfile(table.code, table.script, table.letters.lower(), table.default),
        analyser=analyser,
        abbreviations=words(table.abbreviations),
        place_prepositions=words(table.place_prepositions),
        place_geo=table.place_geo,
        place_stopwords=words(table.place_stopwords),
        place_titles=words(table.place_titles),
        names=table.names,
        numbers={k.lower().replace("ё", "е"): v for k, v in table.numbers.items()},
        negation_window=table.negation_window,
        negation_after=table.negation_after,
        agent_words=_keys(analyser, table.agent_words),
        agent_window=table.agent_window,
        verb_forms=tuple(
            frozenset(g.strip() for g in form.split(",") if g.strip()) for form in table.verb_forms
        ),
        subject_breaks=words(table.subject_breaks),
    )


def _keys(analyser: Analyser, words: Sequence[str]) -> frozenset[str]:
    """The lemma keys of single words as a rule writes them."""
    return frozenset(k for w in words for k in analyser.rule_keys(normalise(w)))


def _groups(
    where: Locator,
    groups: Mapping[str, GroupTable],
    entities: Mapping[str, str],
    index: _TermIndex,
    lists: Collection[str],
) -> dict[str, Role]:
    roles: dict[str, Role] = {}
    for name, table in groups.items():
        roles[name] = table.role
        if name in lists:
            continue
        for source_name, not_after, marks in _sources(where, groups, name, index.analyser):
            source = groups[source_name]
            for term in source.terms:
                index.add(("groups", source_name, "terms"), name, term, None, not_after, marks)
            for ident, aliases in source.names.items():
                loc: Loc = ("groups", source_name, "names", ident)
                if ident not in entities:
                    message = f"groups.{source_name}.names: {ident!r} is not declared in [entities]"
                    raise where.fail(loc, message)
                for alias in aliases:
                    index.add(loc, name, alias, ident, not_after, marks)
    return roles


def _sources(
    where: Locator, groups: Mapping[str, GroupTable], name: str, analyser: Analyser
) -> list[tuple[str, frozenset[str], frozenset[str]]]:
    """A group and every group it includes (at any depth), each with the not_after
    and not_followed_by its terms carry here: their own group's, and those of
    every group on the way ("в" before a country makes a place, wherever the
    country list is included).
    """
    out: list[tuple[str, frozenset[str], frozenset[str]]] = []

    def visit(
        current: str, inherited: frozenset[str], marks: frozenset[str], path: tuple[str, ...]
    ) -> None:
        table = groups[current]
        own = frozenset(k for w in table.not_after for k in analyser.rule_keys(w))
        own_marks = marks | frozenset(table.not_followed_by)
        out.append((current, inherited | own, own_marks))
        for included in table.include:
            if included not in groups:
                raise where.fail(
                    ("groups", current, "include"),
                    f"groups.{current}.include: {included!r} is not a group",
                )
            if included in path:
                raise where.fail(
                    ("groups", current, "include"),
                    f"groups.{current}.include: {included!r} includes {current!r} in turn",
                )
            visit(included, inherited | own, own_marks, (*path, included))

    visit(name, frozenset(), frozenset(), (name,))
    return out


def _modality(
    table: ModalityTable, index: _TermIndex
) -> tuple[dict[str, CueModality], frozenset[str]]:
    """Cue terms as internal groups ("@threat", "@clause-plan") -> their modality."""
    for term in table.statements:
        index.add(("modality", "statements"), STATEMENT, term)
    groups: dict[str, CueModality] = {}
    for modality, terms in table.cues():
        for term in terms:
            index.add(("modality", modality), "@" + modality, term)
        groups["@" + modality] = modality
    # [modality.clause]: cues that govern the rest of their sentence.
    clause_groups: set[str] = set()
    for clause_modality, terms in table.clause.cues():
        if not terms:
            continue
        name = "@clause-" + clause_modality
        for term in terms:
            index.add(("modality", "clause", clause_modality), name, term)
        groups[name] = clause_modality
        clause_groups.add(name)
    return groups, frozenset(clause_groups)


def _check_refs(
    where: Locator,
    kind: str,
    i: int,
    tables: Sequence[RuleTable] | Sequence[NullTable],
    roles: Mapping[str, str],
    keys: Sequence[str],
) -> None:
    """A rule's or null's id is new and every group it names exists."""
    table = tables[i]
    what = "rule" if kind == "rules" else "null"
    if any(other.id == table.id for other in tables[:i]):
        raise where.fail((kind, i, "id"), f"duplicate {what} id {table.id!r}")
    for key in keys:
        for name in getattr(table, key) or ():
            if name not in roles:
                raise where.fail(
                    (kind, i, key), f"{what} {table.id!r} {key} refers to unknown group {name!r}"
                )


def _rules(
    where: Locator, tables: Sequence[RuleTable], roles: Mapping[str, str]
) -> tuple[Rule, ...]:
    out: list[Rule] = []
    for i, table in enumerate(tables):
        _check_refs(
            where, "rules", i, tables, roles, ("need", "any", "entry_any", "also", "subjects")
        )
        head = table.head if table.head is not None else table.need[0]
        if head not in table.need:
            raise where.fail(("rules", i, "head"), f"rule {table.id!r}: head must be one of need")
        if table.subjects and not table.agent:
            raise where.fail(("rules", i, "subjects"), f"rule {table.id!r}: subjects need an agent")
        for agent in table.agent:
            if agent not in table.need and agent not in table.any:
                raise where.fail(
                    ("rules", i, "agent"),
                    f"rule {table.id!r}: agent {agent!r} must be one of need or any",
                )
        out.append(
            Rule(
                id=table.id,
                category=table.category,
                need=tuple(table.need),
                any=tuple(table.any),
                entry_any=tuple(table.entry_any),
                also=tuple(table.also),
                head=head,
                head_forms=frozenset(table.head_forms),
                window=table.window,
                weight=table.weight,
                modality=table.modality,
                agent=frozenset(table.agent),
                subjects=frozenset(table.subjects),
            )
        )
    return tuple(out)


def _nulls(
    where: Locator,
    tables: Sequence[NullTable],
    roles: Mapping[str, str],
    index: _TermIndex,
    rule_ids: Collection[str],
) -> tuple[NullRule, ...]:
    analyser = index.analyser
    out: list[NullRule] = []
    for i, table in enumerate(tables):
        _check_refs(where, "nulls", i, tables, roles, ("need", "unless"))
        for rule_id in table.rules:
            if rule_id not in rule_ids:
                raise where.fail(
                    ("nulls", i, "rules"), f"null {table.id!r} rules names unknown rule {rule_id!r}"
                )
        group: str | None = None
        if table.phrases is not None:
            group = "@null:" + table.id
            for phrase in table.phrases:
                index.add(("nulls", i, "phrases"), group, phrase)
        out.append(
            NullRule(
                table.id,
                table.category,
                table.explain if table.explain is not None else table.id,
                table.scope,
                group,
                tuple(table.need or ()),
                tuple(table.unless),
                table.window,
                forms=frozenset(table.forms),
                not_forms=frozenset(table.not_forms),
                opens=table.opens,
                after=_keys(analyser, table.after),
                next=_keys(analyser, table.next),
                modality=table.modality,
                rules=frozenset(table.rules),
            )
        )
    return tuple(out)
