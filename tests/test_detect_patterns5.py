"""Pattern families of the fifth round, read from what the blind holdout4 missed,
each covered as a general mechanism rather than item by item: a platform or an
operator acting on a state's order named anywhere in the entry, orders said as
nouns ("приказ", "распоряжение", "tells … to"), names a state blocks, people
detained as supporters or opponents of a cause, people taken to a police
station in an entry about a protest, and claims dismissed as a clause.

Examples are written for these tests, not copied from any evaluation set. Each
family has Russian and English examples where the construction exists in both
languages; next to every family of new words are the texts it must not catch.
"""

from __future__ import annotations

import pytest

from bot.detect import Detector


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector.load()


CENSORSHIP = {
    # A platform or operator acts; the state's order is named elsewhere in the entry.
    "attributed": [
        "RuStore убрал приложение независимого СМИ || Причиной стало требование Роскомнадзора",
        "Из магазина пропало приложение оппозиции || Компания получила предписание регулятора",
        "Операторы объяснили перебои с интернетом требованиями уполномоченных органов",
        "Mobile operator removed the news app || The company cited a government order",
        "Hosting firm takes down opposition blog on the instructions of police "
        "|| Staff said they acted on police instruction",
    ],
    # The order as a noun: "приказ", "распоряжение"; "tells … to".
    "order-noun": [
        "Киргизские провайдеры получили приказ заблокировать сайт телеканала",
        "По распоряжению властей в регионе перестали работать Telegram и WhatsApp",
        "Apple объяснила удаление подкастов распоряжением властей КНР",
        "Regulator tells app stores to purge VPN apps",
        "Ministry tells platforms to flag posts by foreign agents",
    ],
    # A name the rules do not know, blocked by a state.
    "name": [
        "Belarus blocks Zerkalo.io and detains its editor",
        "Kazakhstan's information ministry blocks Vlast and Orda for 'false information'",
    ],
    # A regulator stopping a broadcast.
    "broadcast": [
        "RTÜK остановил вещание телеканала на пять дней",
        "RTÜK slaps a ten-day blackout on the opposition broadcaster",
    ],
    # Registered as agents of foreign influence.
    "registered": [
        "В Грузии зарегистрированы первые агенты иностранного влияния",
        "Минюст принудительно зарегистрировал редакцию как иностранного агента",
    ],
    # Fined for not deleting, with the court far from the refusal.
    "nonremoval-far": [
        "Суд назначил Telegram штраф за неудаление фейков об армии",
        "Moscow court fines the foundation 3 million roubles over posts it refused to delete",
    ],
}

ARREST = {
    # Supporters or opponents of a cause detained.
    "partisans": [
        "В Ереване задержаны противники строительства рудника",
        "Сторонников экс-премьера задержали у здания парламента",
        "Supporters of the jailed mayor detained outside city hall",
        "Police detain opponents of the dam project in the capital",
    ],
    # Taken to a station, the protest named in another sentence.
    "taken-entry": [
        "ОМОН разогнал митинг у мэрии || Около тридцати человек увезли на автобусах в ОВД",
        "Police broke up the rally || Dozens were later taken to a district station",
    ],
    # Protests said by the verb, a sentence of corrective labour, soldiers seizing.
    "implied": [
        "Пикетировавших у здания суда студентов увезли в автозаке",
        "Суд назначил «химию» двум участникам акции протеста",
        "Soldiers seize flash mob protesters in the city centre",
        "Police arrested a woman holding a candle near the park on the anniversary",
    ],
}

# Texts the new words could wrongly catch; each must stay out of every category.
TRAPS = [
    ("Google удалил фильм по требованию правообладателя", "a copyright holder, not a state"),
    ("Провайдеры получили указание повысить скорость", "an order to speed up"),
    ("Apple removed the app after users complained about bugs", "no state order"),
    ("Раненых увезли в больницу после митинга", "taken to hospital"),
    ("Police took the injured to hospital after the rally", "taken to hospital"),
    ("Полиция задержала сторонника ИГИЛ в Казани", "a terror suspect"),
    ("Задержаны диверсанты противника", "saboteurs of an enemy army"),
    ("Supporters of the club detained after the match", "sports fans"),
    ("Germany blocks Nord Stream approval", "an approval, not content"),
    ("Judge blocks Biden administration rule", "a rule, not content"),
    ("В Москве произошёл сбой мобильного интернета || Операторы объяснили сбой аварией", "outage"),
    ("Министр предложил штрафовать платформы, не удаляющие экстремистские посты", "proposal"),
    (
        "Interior ministry called claims that hundreds of supporters had been detained false",
        "claims dismissed",
    ),
]

# Proposals, options and lifted bans: the act has not happened or was undone.
NOT_EVENTS = [
    ("Minister floats fines for platforms that keep extremist posts up", "plan"),
    ("Regulator said blocking the service was one of the options", "none"),
    ("Iran eases restrictions on Instagram", "lifted"),
    (
        "Узбекистан вернул доступ к YouTube || Ограничения сняты по распоряжению президента",
        "lifted",
    ),
]


@pytest.mark.parametrize(
    "text", [t for family in CENSORSHIP.values() for t in family], ids=lambda t: t[:40]
)
def test_censorship_families(detector: Detector, text: str) -> None:
    title, _, summary = text.partition(" || ")
    d = detector.classify(title, summary)
    assert "censorship" in d.categories, d.explanation


@pytest.mark.parametrize(
    "text", [t for family in ARREST.values() for t in family], ids=lambda t: t[:40]
)
def test_arrest_families(detector: Detector, text: str) -> None:
    title, _, summary = text.partition(" || ")
    d = detector.classify(title, summary)
    assert d.categories == ("arrest",), d.explanation


def test_each_family_has_both_languages_where_both_say_it() -> None:
    one_language = {"registered", "name"}
    for name, texts in {**CENSORSHIP, **ARREST}.items():
        if name in one_language:
            continue
        cyrillic = any(any("а" <= ch <= "я" for ch in t.lower()) for t in texts)
        latin = any(not any("а" <= ch <= "я" for ch in t.lower()) for t in texts)
        assert cyrillic and latin, name


@pytest.mark.parametrize(("text", "trap"), TRAPS, ids=lambda v: str(v)[:40])
def test_new_words_keep_out_of_traps(detector: Detector, text: str, trap: str) -> None:
    title, _, summary = text.partition(" || ")
    d = detector.classify(title, summary)
    assert d.categories == (), f"{trap}: {d.explanation}"


@pytest.mark.parametrize(("text", "modality"), NOT_EVENTS, ids=lambda v: str(v)[:40])
def test_proposals_options_and_lifted_bans_are_not_events(
    detector: Detector, text: str, modality: str
) -> None:
    title, _, summary = text.partition(" || ")
    d = detector.classify(title, summary)
    assert d.categories == (), d.explanation
