"""Tokenising, sentence splitting and script-based language guessing.

Everything here works on plain strings and returns plain data, so the matcher
never has to look at raw text again except to cut spans out of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

# A word is a run of letters with inner apostrophes ("Russia's", "didn't").
# Hyphens split words on purpose: "VPN-сервисы" must expose "VPN" and
# "сервисы" to the rules, and rule terms are tokenised the same way.
# Numbers allow thousands separators ("1,200", "1 200") because counts of
# detainees are written both ways.
_TOKEN_RE = re.compile(
    r"(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)"
    r"|(?P<num>\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?!\d)|\d+)"
    r"|(?P<stop>[.!?…]+|\n)"
)

WORD = 0
NUMBER = 1
STOP = 2

# Marks inside a sentence that bound a clause or a label, as Marks.before
# gives them: dashes of every kind (and a hyphen between spaces) become "—".
_MARK_RE = re.compile(r"[,:;()\u2013\u2014]|(?<=\s)-(?=\s)")
_DASHES = {"\u2013": "—", "-": "—"}

# Language guessing counts Latin (A-Z, a-z) and Cyrillic (U+0400..U+04FF)
# letters in the text's UTF-8 bytes, which bytes.translate deletes in C at a
# fraction of what a regular expression costs per character: an ASCII letter is
# one byte, and every character of U+0400..U+04FF (and no other) starts with a
# byte from 0xD0 to 0xD3. Each table deletes every byte but the ones counted.
_NOT_LATIN_BYTES = bytes(b for b in range(256) if not chr(b).isascii() or not chr(b).isalpha())
_NOT_CYRILLIC_LEAD = bytes(b for b in range(256) if not 0xD0 <= b <= 0xD3)


class Token(NamedTuple):
    """One word or number with its character offsets in the analysed text."""

    # A NamedTuple rather than a dataclass: tokens are made by the ten thousand
    # per second and tuple construction is the cheapest Python offers.
    start: int
    end: int
    text: str
    lower: str
    kind: int
    sentence: int


class Marks:
    """The clause marks of one analysed text, read from it only when asked.

    Few decisions need punctuation, and reading it for every token would cost
    the tokenizer more than those decisions ever do.
    """

    __slots__ = ("_text", "tokens")

    def __init__(self, text: str, tokens: Sequence[Token]) -> None:
        self._text = text
        self.tokens = tokens

    def before(self, i: int) -> str:
        """The first clause mark ("," ";" ":" "(" ")" "—") between token i and
        the token before it in its sentence, or "": "Instagram, blocked in
        Russia" has "," before "blocked", "Nigeria: Instagram" ":" before
        "Instagram"."""
        tokens = self.tokens
        if i <= 0 or tokens[i - 1].sentence != tokens[i].sentence:
            return ""
        found = _MARK_RE.search(self._text, tokens[i - 1].end, tokens[i].start)
        if found is None:
            return ""
        mark = found.group()
        return _DASHES.get(mark, mark)

    def within(self, first: int, last: int) -> bool:
        """Whether a clause mark stands before any token from first to last."""
        return any(self.before(k) for k in range(first, last + 1))


def normalise(word: str) -> str:
    """Lower-case and fold the letters that spelling varies on (ё, curly apostrophe)."""
    lowered = word.lower()
    if "ё" in lowered:
        lowered = lowered.replace("ё", "е")
    if "’" in lowered:
        lowered = lowered.replace("’", "'")
    return lowered


def tokenize(text: str, abbreviations: frozenset[str] = frozenset()) -> list[Token]:
    """Split text into word and number tokens, each tagged with its sentence index.

    A sentence ends at a newline (title and summary are never one sentence) or at
    terminal punctuation followed by a space and something that can start a
    sentence. A full stop right after a known abbreviation ("г.", "St.") or a
    single letter (an initial), or glued to the next word ("20.2", "Idel.Реалии"),
    does not end a sentence.
    """
    tokens: list[Token] = []
    append = tokens.append
    new = tuple.__new__  # skips NamedTuple's Python-level __new__: this loop is hot
    sentence = 0
    pending = False  # terminal punctuation seen; the next token decides
    stop_end = -1  # where that punctuation ended
    prev_end = -1
    prev_lower = ""
    for m in _TOKEN_RE.finditer(text):
        surface = m.group()
        start, end = m.span()
        group = m.lastindex  # 1 word, 2 number, 3 stop: cheaper than lastgroup
        if group == 3:
            if surface == "\n":
                sentence += 1
                pending = False
            elif (
                surface == "."
                and prev_end == start
                and ((len(prev_lower) == 1 and prev_lower.isalpha()) or prev_lower in abbreviations)
            ):
                pending = False
            else:
                pending = True
                stop_end = end
            prev_end = -1
            continue
        if pending:
            first = surface[0]
            # A stop glued to the next word is not a sentence end: article
            # numbers ("статье 20.2") and domains ("Idel.Реалии").
            if start != stop_end and (first.isupper() or first.isdigit()):
                sentence += 1
            pending = False
        lower = surface.lower()  # normalise(), inlined
        if "ё" in lower:
            lower = lower.replace("ё", "е")
        if "’" in lower:
            lower = lower.replace("’", "'")
        append(new(Token, (start, end, surface, lower, WORD if group == 1 else NUMBER, sentence)))
        prev_end = end
        prev_lower = lower
    return tokens


def tokenize_words(text: str) -> list[str]:
    """The normalised words and numbers of a short phrase (rule terms, filter words)."""
    return [normalise(m.group()) for m in _TOKEN_RE.finditer(text) if m.lastgroup != "stop"]


@dataclass(frozen=True, slots=True)
class ScriptProfile:
    """What language detection needs to know about one language."""

    code: str
    script: str
    letters: str
    default: bool


def detect_language(text: str, profiles: Sequence[ScriptProfile]) -> str | None:
    """Guess the language from the alphabet; None when no profile fits.

    The majority script picks the family (Cyrillic or Latin). Inside it, when
    the text shows letters some language declares as its own, the language that
    declares all of them wins (the most occurrences breaks a tie); when it shows
    none, the family's default language wins.
    """
    # "surrogatepass": a feed may send lone surrogates, which count as neither.
    data = text.encode("utf-8", "surrogatepass")
    cyr = len(data.translate(None, _NOT_CYRILLIC_LEAD))
    lat = len(data.translate(None, _NOT_LATIN_BYTES))
    if cyr == 0 and lat == 0:
        return _default_for(profiles, None)
    script = "cyrillic" if cyr >= lat else "latin"
    candidates = [p for p in profiles if p.script == script]
    if not candidates:
        return _default_for(profiles, None)
    lowered = text.lower()
    declared = {letter for p in candidates for letter in p.letters}
    present = {letter for letter in declared if letter in lowered}
    if not present:
        return _default_for(candidates, script)
    # A language stays in the running only if it uses every special letter the
    # text shows: "і" alone fits Ukrainian and Belarusian, "ў" only Belarusian.
    best: tuple[bool, int] | None = None
    best_code: str | None = None
    for profile in candidates:
        if not profile.letters:
            continue
        key = (
            present <= set(profile.letters),
            sum(lowered.count(letter) for letter in profile.letters),
        )
        if best is None or key > best:  # ties keep the earlier file
            best, best_code = key, profile.code
    return best_code


def _default_for(profiles: Iterable[ScriptProfile], script: str | None) -> str | None:
    fallback: str | None = None
    for profile in profiles:
        if script is not None and profile.script != script:
            continue
        if profile.default:
            return profile.code
        if fallback is None:
            fallback = profile.code
    return fallback
