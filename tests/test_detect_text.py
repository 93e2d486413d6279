"""Tokenising, sentences, language guessing and the English stemmer."""

from __future__ import annotations

import pytest

from bot.detect import Detector
from bot.detect.text import Marks, ScriptProfile, detect_language, tokenize


def sentences(text: str, abbreviations: frozenset[str] = frozenset()) -> list[str]:
    out: dict[int, list[str]] = {}
    for tok in tokenize(text, abbreviations):
        out.setdefault(tok.sentence, []).append(tok.text)
    return [" ".join(words) for words in out.values()]


def test_sentences_split_on_stops_and_newlines() -> None:
    assert sentences("Первое. Второе!\nТретье") == ["Первое", "Второе", "Третье"]


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    text = "Акция прошла в г. Томске. Задержан И. Петров."
    assert sentences(text, frozenset({"г"})) == ["Акция прошла в г Томске", "Задержан И Петров"]


def test_a_stop_glued_to_the_next_word_does_not_end_a_sentence() -> None:
    # article numbers and domains; a stop followed by a space still splits
    assert sentences("Штраф по статье 20.2 за пикет. Сайт Idel.Реалии закрыт") == [
        "Штраф по статье 20 2 за пикет",
        "Сайт Idel Реалии закрыт",
    ]
    # a one-digit number before a stop is not an initial
    assert sentences("Charged under Article 20.2. Police said") == [
        "Charged under Article 20 2",
        "Police said",
    ]


def test_hyphens_split_words_and_numbers_keep_separators() -> None:
    tokens = tokenize("VPN-сервисы: задержаны 1 200 и 1,500 человек")
    assert [t.text for t in tokens] == [
        "VPN",
        "сервисы",
        "задержаны",
        "1 200",
        "и",
        "1,500",
        "человек",
    ]
    assert tokens[0].lower == "vpn"


def test_clause_marks_are_read_between_words() -> None:
    text = "Nigeria: Instagram, blocked in Russia — since 2022 (again) - said 1,500"
    tokens = tokenize(text)
    marks = Marks(text, tokens)
    before = {t.text: marks.before(i) for i, t in enumerate(tokens)}
    assert before["Instagram"] == ":"
    assert before["blocked"] == ","
    assert before["since"] == "—"  # an em dash
    assert before["again"] == "("
    assert before["said"] == ")"  # the first mark between two words
    assert before["in"] == before["Nigeria"] == ""
    assert before["1,500"] == ""  # a thousands separator is no mark
    assert marks.within(1, 2) and not marks.within(3, 4)
    # a sentence starts with no mark, whatever ended the last one
    text = "Blocked, again. Then"
    assert Marks(text, tokenize(text)).before(2) == ""


def test_yo_is_folded() -> None:
    assert tokenize("Внесён")[0].lower == "внесен"


PROFILES = [
    ScriptProfile("ru", "cyrillic", "", True),
    ScriptProfile("uk", "cyrillic", "іїєґ", False),
    ScriptProfile("be", "cyrillic", "іў", False),
    ScriptProfile("en", "latin", "", True),
]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Полиция задержала участников акции", "ru"),
        ("Поліція затримала учасників акції", "uk"),
        ("Міліцыя затрымала ўдзельнікаў акцыі", "be"),
        ("Police detained protesters", "en"),
        ("РКН заблокировал VPN и Proton", "ru"),  # the majority alphabet wins
        ("12345", "ru"),  # no letters: a default language
        # Accented Latin and Greek letters count for neither alphabet.
        ("Café déjà vu: Роскомнадзор", "ru"),
        ("Ελλάδα: police detain two", "en"),
        ("ПОЛИЦИЯ задержала Ivan Ivanov", "ru"),
        ("Police detained Иван Иванов and others", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text, PROFILES) == lang


def test_a_broken_feed_text_still_gets_a_language() -> None:
    # A feed may send a lone surrogate: the entry is still read, not an error.
    assert detect_language("Полиция \ud800задержала", PROFILES) == "ru"
    assert Detector.load().classify("Police detain 30 at rally \udfff").categories == ("arrest",)


@pytest.fixture(scope="module")
def stem() -> object:
    return Detector.load().rulesets["en"].language.analyser.rule_keys


@pytest.mark.parametrize(
    "family",
    [
        ["detain", "detained", "detaining", "detains"],
        ["ban", "bans", "banned", "banning"],
        ["block", "blocked", "blocking", "blocks"],
        ["delete", "deleted", "deletes", "deletion"],
        ["remove", "removed", "removal"],
        ["deny", "denied", "denies", "denying"],
        ["label", "labelled", "labelling", "labels"],
        ["hold", "held"],
        ["add", "adds", "added"],
        ["app", "apps"],
    ],
)
def test_english_stemmer_joins_word_families(stem: object, family: list[str]) -> None:
    assert callable(stem)
    assert len({frozenset(stem(w)) for w in family}) == 1, [stem(w) for w in family]


def test_english_stemmer_keeps_different_words_apart(stem: object) -> None:
    assert callable(stem)
    assert stem("press") != stem("pres")
    assert stem("status") == frozenset({"status"})


def test_language_is_detected_from_the_alphabet() -> None:
    detector = Detector.load()
    assert detector.classify("Police detain protesters at rally").lang == "en"
    assert detector.classify("РКН заблокировал VPN-сервисы").lang == "ru"
    # a given language wins over detection
    assert detector.classify("Police detain protesters", lang="en").lang == "en"
    # an unknown code falls back to detection instead of failing
    assert detector.classify("На митинге задержали активистов", lang="xx").lang == "ru"
