"""Words only the Discord side needs (slash-command help, option hints).

They live in the catalogs under `discord.`; a key without a Discord wording is the
command service's own (the category names, `choice.*`).
"""

from __future__ import annotations

from bot.i18n import has_text, normalize_language, text


def wording(lang: str | None, key: str, **params: object) -> str:
    code = normalize_language(lang) or "en"
    own = f"discord.{key}"
    return text(code, own if has_text(own) else key, **params)


def has_wording(key: str) -> bool:
    return has_text(f"discord.{key}") or has_text(key)
