"""The bundled catalog of real feeds for this field (feeds/catalog.toml)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

KINDS: tuple[str, ...] = ("regulator", "monitor", "news")
WORLDWIDE = "INT"


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class CatalogFeed:
    slug: str
    title: str
    url: str
    lang: str
    country: str
    kind: str
    note: str = ""


def _entry(raw: dict[str, Any], index: int) -> CatalogFeed:
    where = f"catalog entry {index + 1} ({raw.get('slug', '?')})"
    try:
        feed = CatalogFeed(
            slug=str(raw["slug"]),
            title=str(raw["title"]),
            url=str(raw["url"]),
            lang=str(raw["lang"]),
            country=str(raw["country"]),
            kind=str(raw["kind"]),
            note=str(raw.get("note", "")),
        )
    except KeyError as exc:
        raise CatalogError(f"{where} has no {exc.args[0]}") from None
    if not feed.url.startswith(("http://", "https://")):
        raise CatalogError(f"{where}: url must be http or https")
    if feed.kind not in KINDS:
        raise CatalogError(f"{where}: kind must be one of {', '.join(KINDS)}")
    if not (len(feed.lang) == 2 and feed.lang.islower()):
        raise CatalogError(f"{where}: lang must be a two-letter lower-case code")
    if feed.country != WORLDWIDE and not (len(feed.country) == 2 and feed.country.isupper()):
        raise CatalogError(f"{where}: country must be a two-letter code or {WORLDWIDE}")
    return feed


def parse_catalog(text: str) -> list[CatalogFeed]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"catalog is not valid TOML: {exc}") from None
    feeds = [_entry(item, index) for index, item in enumerate(raw.get("feed", []))]
    for attribute in ("slug", "url"):
        values = [getattr(feed, attribute) for feed in feeds]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise CatalogError(f"catalog repeats {attribute}: {', '.join(duplicates)}")
    return feeds


def load_catalog() -> list[CatalogFeed]:
    return parse_catalog(
        resources.files("feeds").joinpath("catalog.toml").read_text(encoding="utf-8")
    )


def select(
    catalog: Iterable[CatalogFeed],
    *,
    langs: Sequence[str] = (),
    countries: Sequence[str] = (),
    kinds: Sequence[str] = (),
) -> list[CatalogFeed]:
    """Feeds matching every given filter; an empty filter matches all (case-insensitive)."""
    wanted_langs = {value.lower() for value in langs}
    wanted_countries = {value.upper() for value in countries}
    wanted_kinds = {value.lower() for value in kinds}
    return [
        feed
        for feed in catalog
        if (not wanted_langs or feed.lang in wanted_langs)
        and (not wanted_countries or feed.country in wanted_countries)
        and (not wanted_kinds or feed.kind in wanted_kinds)
    ]
