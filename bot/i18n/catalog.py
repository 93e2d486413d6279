"""Loading the catalogs and looking words up in them."""

from __future__ import annotations

import functools
import logging
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any

logger = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@functools.cache
def _catalogs() -> dict[str, dict[str, str]]:
    """Read once, on first use: package data, not configuration."""
    folder = resources.files("bot.i18n") / "locales"
    found: dict[str, dict[str, str]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            found[entry.name.removesuffix(".toml")] = _flatten(
                tomllib.loads(entry.read_text("utf-8"))
            )
    return found


def languages() -> tuple[str, ...]:
    """The interface languages, the default first."""
    codes = sorted(_catalogs())
    return (DEFAULT_LANGUAGE, *(c for c in codes if c != DEFAULT_LANGUAGE))


def catalog_keys(lang: str) -> frozenset[str]:
    return frozenset(_catalogs().get(lang, {}))


def normalize_language(code: str | None) -> str | None:
    """'ru', 'ru-RU', 'RU' -> 'ru'; anything Tocsin does not speak -> None."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in _catalogs() else None


def has_text(key: str) -> bool:
    return key in _catalogs()[DEFAULT_LANGUAGE]


def text(lang: str, key: str, **params: object) -> str:
    """The string `key` in `lang`, filled with `params`.

    A key missing from a language is a bug the catalog test catches; should one slip
    through, the default language's words are shown and the gap is logged, rather
    than a person getting nothing.
    """
    catalogs = _catalogs()
    table = catalogs.get(lang) or catalogs[DEFAULT_LANGUAGE]
    template = table.get(key)
    if template is None:
        logger.error("no %r text for %r; showing the %s one", lang, key, DEFAULT_LANGUAGE)
        template = catalogs[DEFAULT_LANGUAGE][key]
    return template.format(**params) if params else template
