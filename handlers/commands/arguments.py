"""The `/subscribe` argument grammar: categories, languages, +words and -words."""

from __future__ import annotations

import logging
import shlex
from dataclasses import dataclass, field

from bot.domain.vocabulary import CATEGORIES, Category
from bot.i18n import DEFAULT_LANGUAGE, languages, normalize_language, text
from handlers.rendering import one_line

logger = logging.getLogger(__name__)


# Limits on /subscribe words: enough for a newsroom's beat, small enough to match fast.
MAX_WORDS = 20
MAX_WORD_LENGTH = 64

# ISO 639-1 codes: a source-language filter must name a real language.
_ISO_639_1_TEXT = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu"
    " cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he"
    " hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko"
    " kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd"
    " ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se"
    " sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty"
    " ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
)
_ISO_639_1 = frozenset(_ISO_639_1_TEXT.split())
_CATEGORY_WORDS: dict[str, tuple[Category, ...]] = {
    "censorship": ("censorship",),
    "цензура": ("censorship",),
    "arrest": ("arrest",),
    "arrests": ("arrest",),
    "задержания": ("arrest",),
    "задержание": ("arrest",),
    "аресты": ("arrest",),
    "all": CATEGORIES,
    "both": CATEGORIES,
    "все": CATEGORIES,
    "всё": CATEGORIES,
}
# Words asking for weak events too (threats, plans, bills, lifted bans) as notes.
_WEAK_WORDS = frozenset({"weak", "notes", "слабые", "заметки"})
# Optional markers before language codes ("/subscribe arrest lang ru en").
_LANGUAGE_MARKERS = frozenset({"lang", "langs", "language", "languages", "язык", "языки"})
_LANGUAGE_NAMES = {
    "en": "en",
    "english": "en",
    "английский": "en",
    "ru": "ru",
    "russian": "ru",
    "русский": "ru",
}


@dataclass(frozen=True)
class SubscribeRequest:
    """Parsed `/subscribe` arguments. Empty lists mean "any"."""

    categories: tuple[Category, ...] = CATEGORIES
    languages: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    # Also threats, plans, bills and lifted bans, as low-severity notes.
    weak: bool = False


@dataclass
class ArgumentError(ValueError):
    """A `/subscribe` argument is wrong; `message(lang)` explains it to the user."""

    key: str
    params: dict[str, object] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        return text(lang, self.key, **self.params)

    def __str__(self) -> str:
        return self.message(DEFAULT_LANGUAGE)


def parse_subscribe_args(argument_text: str) -> SubscribeRequest | None:
    """Parse `[censorship|arrest|all] [lang ...] [weak] [+word ...] [-word ...]` in any order.

    Returns None when there are no arguments (the adapter offers buttons then);
    raises `ArgumentError` on anything it does not understand. Words may be quoted
    to hold spaces (+"Red Square"); they are kept lowercased.
    """
    try:
        tokens = shlex.split(argument_text)
    except ValueError:
        raise ArgumentError("args.unclosed_quote") from None
    if not tokens:
        return None
    categories: list[Category] = []
    languages: list[str] = []
    include: list[str] = []
    exclude: list[str] = []
    weak = False
    for token in tokens:
        lowered = token.strip().lower()
        if not lowered:
            continue
        if lowered[0] in "+-":
            word = one_line(lowered[1:])
            if not word:
                raise ArgumentError("args.empty_word", {"token": token})
            if len(word) > MAX_WORD_LENGTH:
                raise ArgumentError("args.word_too_long", {"word": word, "limit": MAX_WORD_LENGTH})
            target = include if lowered[0] == "+" else exclude
            if word not in target:
                target.append(word)
        elif lowered in _CATEGORY_WORDS:
            categories.extend(c for c in _CATEGORY_WORDS[lowered] if c not in categories)
        elif lowered in _LANGUAGE_MARKERS:
            continue
        elif lowered in _WEAK_WORDS:
            weak = True
        elif lowered in _ISO_639_1:
            if lowered not in languages:
                languages.append(lowered)
        else:
            raise ArgumentError("args.unknown", {"token": token})
    if len(include) > MAX_WORDS or len(exclude) > MAX_WORDS:
        raise ArgumentError("args.too_many_words", {"limit": MAX_WORDS})
    for word in include:
        if word in exclude:
            raise ArgumentError("args.both_ways", {"word": word})
    ordered = tuple(c for c in CATEGORIES if c in categories) or CATEGORIES
    return SubscribeRequest(ordered, tuple(languages), tuple(include), tuple(exclude), weak)


def language_code(argument: str) -> str | None:
    """'en', 'Russian', 'ru-RU' -> a language Tocsin speaks; anything else -> None."""
    wanted = argument.strip().lower()
    code = _LANGUAGE_NAMES.get(wanted) or normalize_language(wanted)
    return code if code in languages() else None
