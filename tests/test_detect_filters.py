"""Per-subscription keyword filters, matched on lemmas."""

from __future__ import annotations

import pytest

from bot.detect import KeywordFilter


def test_include_matches_inflected_forms() -> None:
    moscow = KeywordFilter(["+Москва"], [])
    assert moscow.accepts("На акции в Москве задержали 20 человек")
    # an adjective is another lemma, not a form of Москва
    assert not moscow.accepts("Московские власти заблокировали сайт")
    assert not moscow.accepts("На акции в Петербурге задержали 20 человек")


def test_include_written_in_an_inflected_form() -> None:
    # Users type what they see; "Москве" still means the city.
    assert KeywordFilter(["Москве"], []).accepts("Москва: задержания у Кремля")


def test_english_words_match_through_the_stemmer() -> None:
    f = KeywordFilter(["detention"], [])
    assert f.accepts("Mass detentions in Minsk")
    assert not f.accepts("Police detain protesters")  # another family, listed apart in rules


def test_exclude_wins_over_include() -> None:
    f = KeywordFilter(["+Москва"], ["-Telegram"])
    assert f.accepts("В Москве заблокировали сайт")
    assert not f.accepts("В Москве заблокировали Telegram")


def test_exclude_only_filter() -> None:
    f = KeywordFilter([], ["футбол"])
    assert f.accepts("Задержания на акции")
    assert not f.accepts("Футбол: матч перенесли")
    assert not f.accepts("После футбола задержали фанатов")


def test_multiword_include() -> None:
    f = KeywordFilter(["Нижний Новгород"], [])
    assert f.accepts("В Нижнем Новгороде задержали пикетчика")
    assert not f.accepts("В Новгороде задержали пикетчика")


def test_platform_name_in_either_alphabet_context() -> None:
    # A Latin filter word matches inside Russian text.
    assert KeywordFilter(["YouTube"], []).accepts("Роскомнадзор замедлил YouTube")


def test_empty_filter_accepts_everything() -> None:
    f = KeywordFilter([], ["", "  "])
    assert f.is_empty
    assert f.accepts("что угодно")


@pytest.mark.parametrize("lang", ["ru", None, "xx"])
def test_language_hint_is_optional(lang: str | None) -> None:
    assert KeywordFilter(["Минск"], []).accepts("Задержания в Минске", lang=lang)
