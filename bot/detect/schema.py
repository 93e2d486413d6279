"""The rules file format as pydantic models, and errors that name the file and line.

A rules file is pure data: the language's analyser settings, named entities,
term groups (actors, actions, objects, protest contexts...), rules that combine
groups inside a sentence window, null patterns for the known traps, and
modality cues. This module checks its shape (types, allowed keys, ranges,
closed word lists); compiler.py checks what refers to what and builds the
matcher's model. Every mistake becomes a :class:`RulesError` naming the file and
the line, because the person editing the data is usually not the person who
wrote the engine. docs/detection.md describes the format.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from bot.detect.model import (
    ClauseModality,
    CueModality,
    NameMode,
    Role,
    RulesError,
    Scope,
    Script,
)
from bot.domain.vocabulary import Category, WeakModality

Loc = tuple[str | int, ...]


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _bounded(low: int, high: int) -> Callable[[int], int]:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"must be an integer from {low} to {high}")
        return value

    return check


def _matching(pattern: str, what: str) -> Callable[[str], str]:
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"{what} {value!r} must be {_PATTERN_WORDS[pattern]}")
        return value

    return check


_PATTERN_WORDS = {
    r"[a-z][a-z0-9_]*": "lower-case letters, digits, _",
    r"[a-z]{2,3}": "2-3 letters",
}

Text = Annotated[str, AfterValidator(_non_blank)]
Words = list[Text]
SomeWords = Annotated[list[Text], Field(min_length=1)]
GroupName = Annotated[str, AfterValidator(_matching(r"[a-z][a-z0-9_]*", "group name"))]
# A named entity's language-neutral id: "roskomnadzor", "app_store".
EntityId = Annotated[str, AfterValidator(_matching(r"[a-z][a-z0-9_]*", "entity id"))]
Window = Annotated[int, AfterValidator(_bounded(1, 60))]
# The clause marks text.tokenize records (dashes of every kind as "—").
ClauseMark = Literal[",", ";", ":", "(", ")", "—"]


class _Table(BaseModel):
    # Strict: TOML already has types, so "3" is not a number and true is not 1.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class StemmerRuleTable(_Table):
    suffix: str
    replace: str = ""
    min_stem: Annotated[int, AfterValidator(_bounded(1, 20))] = 3
    undouble: bool = False
    tag: str = ""


class StemmerTable(_Table):
    rules: list[StemmerRuleTable] = []
    irregular: dict[str, str] = {}
    tags: dict[str, str] = {}
    keep: Words = []
    undouble: str = ""
    drop_final: str = ""


class LanguageTable(_Table):
    code: Annotated[str, AfterValidator(_matching(r"[a-z]{2,3}", "language code"))]
    name: str = ""
    script: Script
    letters: str = ""
    default: bool = False
    analyser: Literal["pymorphy3", "suffix"]
    morph_lang: Text | None = None
    stemmer: StemmerTable | None = None
    abbreviations: Words = []
    place_prepositions: Words = []
    place_geo: bool = False  # a place must be a dictionary place name
    place_stopwords: Words = []
    place_titles: Words = []
    names: Literal[NameMode, ""] = ""
    negators: Words = []
    negation_exceptions: Words = []
    negation_window: Annotated[int, AfterValidator(_bounded(0, 10))] = 2
    negation_after: Annotated[int, AfterValidator(_bounded(0, 10))] = 0
    people: Words = []
    numbers: dict[str, Annotated[int, Field(ge=0)]] = {}
    # Words an agent standing after its head follows ("blocked by the regulator").
    agent_words: Words = []
    agent_window: Annotated[int, AfterValidator(_bounded(0, 10))] = 3
    # Forms of a verb acting on an object, each "a,b" for grammemes all there:
    # ["VERB,tran"], ["ed", "s"].
    verb_forms: Words = []
    subject_breaks: Words = []  # between a noun and that verb: "and", "was"

    @model_validator(mode="after")
    def _analyser_settings(self) -> LanguageTable:
        if self.analyser == "pymorphy3" and self.morph_lang is None:
            raise ValueError("analyser 'pymorphy3' needs morph_lang")
        if self.analyser == "suffix" and self.stemmer is None:
            raise ValueError("analyser 'suffix' needs a [language.stemmer] table")
        return self


class ClauseTable(_Table):
    threat: Words = []
    plan: Words = []
    warning: Words = []
    denied: Words = []

    def cues(self) -> tuple[tuple[ClauseModality, list[str]], ...]:
        return (
            ("threat", self.threat),
            ("plan", self.plan),
            ("warning", self.warning),
            ("denied", self.denied),
        )


class ModalityTable(_Table):
    threat: Words = []
    plan: Words = []
    warning: Words = []
    lifted: Words = []
    denied: Words = []
    released: Words = []
    # Words of reporting ("заявили", "say"): a negation inside a statement is a
    # denial, a bare one ("прошла без задержаний") just reports nothing happened.
    statements: Words = []
    before: Annotated[int, AfterValidator(_bounded(0, 30))] = 6
    after: Annotated[int, AfterValidator(_bounded(0, 30))] = 3
    before_only: list[CueModality] = []
    clause: ClauseTable = ClauseTable()
    future: Words = []

    def cues(self) -> tuple[tuple[CueModality, list[str]], ...]:
        return (
            ("threat", self.threat),
            ("plan", self.plan),
            ("warning", self.warning),
            ("lifted", self.lifted),
            ("denied", self.denied),
            ("released", self.released),
        )


class GroupTable(_Table):
    role: Role
    terms: Words = []
    names: dict[EntityId, SomeWords] = {}  # entity id -> aliases
    # Other groups whose terms (and names) this group has too, under its own
    # not_after: one list of countries serves as actors and as places.
    include: list[GroupName] = []
    # Words that may not stand right before a term of this group.
    not_after: Words = []
    # Clause marks that may not stand right after one ("Nigeria: …" is a dateline).
    not_followed_by: list[ClauseMark] = []

    @model_validator(mode="after")
    def _has_words(self) -> GroupTable:
        if not self.terms and not self.names and not self.include:
            raise ValueError("has neither terms nor names nor include")
        return self


class RuleTable(_Table):
    id: Text
    category: Category
    need: SomeWords
    any: Words = []
    entry_any: Words = []
    also: Words = []
    head: str | None = None  # default: the first of need
    head_forms: Words = []
    window: Window = 12
    weight: Annotated[float, Field(gt=0, le=1)] = 0.7
    modality: WeakModality | None = None
    agent: Words = []  # groups that must stand as the head's agent
    subjects: Words = []  # groups whose term right before a head verb is its subject


class NullTable(_Table):
    id: Text
    category: Literal[Category, "*"] = "*"
    explain: str | None = None
    scope: Scope = "tokens"
    phrases: SomeWords | None = None
    need: SomeWords | None = None
    unless: Words = []
    # Words the need groups span; for scope "head", words at most between a
    # phrase and the head (0: right before it).
    window: Annotated[int, AfterValidator(_bounded(0, 60))] = 60
    # Scope "head" only: how a rule's head stands (docs/detection.md).
    forms: Words = []
    not_forms: Words = []
    opens: bool = False
    after: Words = []
    next: Words = []
    rules: Words = []  # scope "head": the rules whose heads it takes (default: all)
    # Scope "sentence" only: recast the category's events there as this weak one.
    modality: WeakModality | None = None

    @model_validator(mode="after")
    def _has_something_to_find(self) -> NullTable:
        stance = bool(self.forms or self.not_forms or self.opens or self.after or self.next)
        if self.rules and self.scope != "head":
            raise ValueError(f"null {self.id!r}: 'rules' needs scope 'head'")
        if self.modality is not None and self.scope != "sentence":
            raise ValueError(f"null {self.id!r}: 'modality' needs scope 'sentence'")
        if self.scope == "head":
            if self.need is not None:
                raise ValueError(f"null {self.id!r}: scope 'head' takes no 'need'")
            if not stance and self.phrases is None:
                raise ValueError(
                    f"null {self.id!r}: scope 'head' needs 'phrases', 'forms', 'opens', "
                    "'after' or 'next'"
                )
            return self
        if stance:
            raise ValueError(
                f"null {self.id!r}: 'forms', 'not_forms', 'opens', 'after' and 'next' "
                "need scope 'head'"
            )
        if self.phrases is None and self.need is None:
            raise ValueError(f"null {self.id!r} needs 'phrases' or 'need'")
        if self.scope == "tokens" and self.phrases is not None and self.need is not None:
            raise ValueError(
                f"null {self.id!r}: scope 'tokens' takes 'phrases' or 'need', not both"
            )
        return self


class RulesFile(_Table):
    language: LanguageTable
    entities: dict[EntityId, Text] = {}  # id -> display name in this language
    modality: ModalityTable = ModalityTable()
    groups: dict[GroupName, GroupTable] = {}
    rules: list[RuleTable] = []
    nulls: list[NullTable] = []


# ---------------------------------------------------------------------------
# Reading a file, and finding lines for messages


class Locator:
    """Finds the line of a table or key in the raw TOML text, for messages."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self._lines = text.splitlines()

    def fail(self, loc: Loc, message: str) -> RulesError:
        return RulesError(f"{self.path}:{self.line_of(loc)}: {message}")

    def line_of(self, loc: Loc) -> int:
        """The line of the table or key at a pydantic location such as
        ("rules", 3, "window") or ("groups", "platform", "names", "tiktok")."""
        path: list[str] = []
        line = 1
        parts = [p for p in loc if p != "[key]"]
        for i, part in enumerate(parts):
            if isinstance(part, int):
                found = self._header(path, part, array=True)
                if found:
                    line = found
                continue
            path.append(part)
            found = self._header(path)
            if found:
                line = found
                continue
            following = parts[i + 1] if i + 1 < len(parts) else None
            if isinstance(following, int) and self._header(path, 0, array=True):
                continue
            if following is not None and self._opens_tables(path):
                continue  # "groups": only [groups.NAME] headers stand in the file
            return self._key(line, part)
        return line

    def _header(self, path: Sequence[str], index: int = 0, array: bool = False) -> int:
        names = r"\s*\.\s*".join(r"\"?" + re.escape(p) + r"\"?" for p in path)
        opening, closing = (r"\[\[", r"\]\]") if array else (r"\[", r"\]")
        regex = re.compile(r"^\s*" + opening + r"\s*" + names + r"\s*" + closing + r"\s*(#.*)?$")
        seen = 0
        for number, line in enumerate(self._lines, start=1):
            if regex.match(line):
                if seen == index:
                    return number
                seen += 1
        return 0

    def _opens_tables(self, path: Sequence[str]) -> bool:
        names = r"\s*\.\s*".join(r"\"?" + re.escape(p) + r"\"?" for p in path)
        regex = re.compile(r"^\s*\[\[?\s*" + names + r"\s*\.")
        return any(regex.match(line) for line in self._lines)

    def _key(self, header_line: int, key: str) -> int:
        regex = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=")
        for number in range(header_line, len(self._lines) + 1):
            line = self._lines[number - 1]
            if number > header_line and line.lstrip().startswith("["):
                break
            if regex.match(line):
                return number
        return header_line


def read_rules_file(path: Path) -> tuple[RulesFile, Locator]:
    """Parse and check the shape of one rules file; raises RulesError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}:1: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(path, text, exc) from None
    where = Locator(path, text)
    try:
        return RulesFile.model_validate(data), where
    except ValidationError as exc:
        # A misspelt key shows as itself and as the key it should have been;
        # the misspelling is the one to name.
        errors = exc.errors()
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        raise where.fail(first["loc"], _message(first)) from None


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


_TYPE_WORDS = {
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "too_short": "must not be empty",
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
}


def dotted(loc: Loc) -> str:
    """A location as the file's author reads it: language.names, rules[3].window."""
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _message(error: ErrorDetails) -> str:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r} in {dotted(loc[:-1]) or 'the file'}"
    if kind == "missing":
        if len(loc) == 1:
            return f"missing [{loc[0]}] table"
        return f"{dotted(loc)} is required"
    if kind == "literal_error":
        return f"{dotted(loc)} must be one of {ctx.get('expected', '')}"
    if kind == "value_error":
        reason = str(ctx.get("error", error["msg"]))
        return f"{dotted(loc)} {reason}" if loc and "[key]" not in loc else reason
    if kind in _TYPE_WORDS:
        return f"{dotted(loc)} {_TYPE_WORDS[kind].format(**ctx)}"
    return f"{dotted(loc)}: {error['msg']}"
