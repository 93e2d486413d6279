"""Every word a person reads, by key, in each interface language.

One TOML file per language in `bot/i18n/locales/` (`en.toml`, `ru.toml`); adding an
interface language is adding one file with every key (tests/test_i18n.py checks).
`text(lang, key, **params)` fills `str.format` placeholders; values from feeds or
users are passed as parameters, never pasted into templates, and each platform
escapes the result for its own markup.
"""

from bot.i18n.catalog import (
    DEFAULT_LANGUAGE,
    catalog_keys,
    has_text,
    languages,
    normalize_language,
    text,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "catalog_keys",
    "has_text",
    "languages",
    "normalize_language",
    "text",
]
