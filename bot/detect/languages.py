"""Which source languages the detector reads: one rules file per language."""

from __future__ import annotations

import functools

from bot.detect.detector import bundled_rules_dir


@functools.cache
def detector_languages() -> tuple[str, ...]:
    """The language codes of the bundled rules files, sorted ("en", "ru")."""
    return tuple(sorted(path.stem for path in bundled_rules_dir().glob("*.toml")))


def base_language(code: str | None) -> str | None:
    """'ru-RU', 'RU', 'ru_ru' -> 'ru'; None or blank -> None."""
    if not code or not code.strip():
        return None
    return code.strip().lower().replace("_", "-").split("-")[0] or None


def unread_language(code: str | None) -> str | None:
    """The base code of `code` when the detector does not read it; None when it does
    or when no language is given (the detector then goes by the text)."""
    base = base_language(code)
    return base if base is not None and base not in detector_languages() else None


def unread_note(code: str | None) -> str | None:
    """For the operator's command line: why a feed in `code` will bring no events, or
    None when the detector reads its language (or it declares none)."""
    unread = unread_language(code)
    if unread is None:
        return None
    return (
        f"its language “{unread}” is not one the detector reads"
        f" ({', '.join(detector_languages())}): it will find no events there"
    )
