"""Cyrillic to Latin letters, and a spelling-blind key for names.

Reports spell one name many ways: Навальный, Navalny, Navalnyy; İmamoğlu,
Imamoglu, Имамоглу; Pashinyan, Pashinian, Пашиняна. ``name_key`` reduces each to
the same short key: the transliterated word's leading vowel (if any) and its first
consonants, with doubled letters and the usual spelling variants folded.
"""

from __future__ import annotations

import re
import unicodedata

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip
_VOWELS = frozenset("aeiouy")
# Spelling variants folded before consonants are kept: kh/h, zh/j, ts/c, w/v.
_FOLDS = (("shch", "s"), ("kh", "h"), ("zh", "j"), ("ts", "c"), ("ch", "c"), ("sh", "s"),
          ("ph", "f"), ("ck", "k"), ("q", "k"), ("x", "ks"), ("w", "v"), ("dj", "j"))  # fmt: skip
NAME_KEY_CONSONANTS = 4


def fold_diacritics(text: str) -> str:
    """ "İmamoğlu" -> "imamoglu", "Türkiye" -> "turkiye" (lower case)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def to_latin(text: str) -> str:
    """Cyrillic letters transliterated (a plain scheme), everything else kept, lower case."""
    lowered = text.lower()
    return "".join(_CYRILLIC.get(ch, ch) for ch in lowered)


def latin_variants(text: str) -> tuple[str, ...]:
    """Common English spellings of a Russian name: Екатеринбург gives
    "ekaterinburg" and "yekaterinburg"; Нижний gives "nizhniy", "nizhny", "nizhnii"."""
    base = to_latin(text)
    variants = {base}
    words = base.split(" ")
    # -ий/-ый endings: "nizhniy" is written "nizhny" and "nizhnii" too.
    for i, word in enumerate(words):
        for ending, others in (("iy", ("y", "ii")), ("yy", ("y",))):
            if word.endswith(ending):
                for other in others:
                    changed = [*words]
                    changed[i] = word[: -len(ending)] + other
                    variants.add(" ".join(changed))
    # A word-initial е is often written "ye".
    for variant in list(variants):
        if variant.startswith("e"):
            variants.add("y" + variant)
    return tuple(sorted(variants))


def latin_slug(text: str) -> str:
    """A lower-case Latin slug spelled alike from either alphabet: «Северный ветер»
    and "Severny Veter" both give "severny-veter" (the -ый/-ий endings fold to -y)."""
    words = re.findall(r"[a-z0-9]+", fold_diacritics(to_latin(text)))
    return "-".join(re.sub(r"(yy|iy|ii|ij|yj)$", "y", w) for w in words)


def name_key(word: str) -> str:
    """A key equal for spellings of one name, in either alphabet ("" if too short)."""
    latin = fold_diacritics(to_latin(word))
    latin = "".join(ch for ch in latin if "a" <= ch <= "z")
    if len(latin) < 3:
        return ""
    for old, new in _FOLDS:
        latin = latin.replace(old, new)
    head = latin[0] if latin[0] in _VOWELS else ""
    consonants: list[str] = []
    for ch in latin:
        if ch in _VOWELS:
            continue
        if consonants and consonants[-1] == ch:
            continue
        consonants.append(ch)
        if len(consonants) == NAME_KEY_CONSONANTS:
            break
    if len(consonants) < 2:
        return ""
    return ("v" if head else "") + "".join(consonants)
