"""Each positive pattern and each trap of issue 4, in Russian and English.

The examples are written for these tests, not taken from the evaluation sets,
so they check that the rules generalise beyond the data they were tuned on.
"""

from __future__ import annotations

import pytest

from bot.detect import Detector


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector.load()


CENSORSHIP_RU = [
    # demand to delete, phrased without the verb "потребовал"
    "Роскомнадзор направил требование об удалении ролика о митинге",
    "РКН потребовал от Google удалить видео с призывами к протестам",
    "Генпрокуратура потребовала ограничить доступ к сайту правозащитников",
    "Роскомнадзор заблокировал сайт издания «Вёрстка»",
    # no named actor: impersonal and passive forms
    "В России заблокировали мессенджер Signal",
    "Сайт «Медиазоны» заблокирован по решению суда",
    "Замедление YouTube в России продолжается",
    "Роскомнадзор ограничил работу Viber",
    # a user deleting under a court order is censorship, unlike doing it on their own
    "Суд обязал блогера удалить видео о губернаторе",
    "Apple удалила из российского App Store приложение по требованию Роскомнадзора",
    # designations
    "Минюст внёс журналиста в реестр иноагентов",
    "Издание признано нежелательной организацией",
    # shutdowns and fines for not removing
    "Власти отключили мобильный интернет в Ингушетии",
    "Суд оштрафовал Telegram на 7 млн рублей за неудаление запрещённых материалов",
    "Мировой суд оштрафовал Google за отказ удалить фейки об армии",
]

CENSORSHIP_EN = [
    "Roskomnadzor orders Google to remove YouTube videos about protests",
    "Russia blocks access to Signal messenger",
    "Russian court orders Meduza website blocked",
    "Apple removes VPN apps from Russian App Store at regulator's request",
    "Justice Ministry designates independent outlet a 'foreign agent'",
    "Prosecutor General declares German NGO 'undesirable'",
    "Authorities shut down mobile internet in Dagestan",
    "Moscow court fines Telegram for failing to delete banned content",
    "YouTube throttled in Russia, users report",
    "Turkey blocks access to Wikipedia",
]

ARREST_RU = [
    "На антивоенной акции в Петербурге задержали 30 человек",
    "Полиция задержала пикетчицу у здания мэрии",
    "Активиста арестовали на 10 суток за одиночный пикет",
    "Участницу митинга оштрафовали на 15 тысяч рублей",
    "Журналиста задержали во время освещения протеста в Минске",
    "Суд отправил под арест организатора шествия",
    "Студента приговорили к двум годам за участие в протестах",
    # a head count next to a detention word, no protest word needed
    "ОВД-Инфо: в 20 городах задержаны более 300 человек",
    # released after detention implies the detention happened
    "Задержанных на митинге в Хабаровске отпустили из ОВД",
    "Жителей Баймака, вышедших на сход в поддержку активиста, задерживают силовики",
    "Полиция разогнала акцию у здания суда, есть задержанные",
    "Суд дал 15 суток участнику пикета",
    "Мужчину задержали за сине-жёлтую ленту на рюкзаке",
]

ARREST_EN = [
    "Police detain dozens at anti-war protest in Moscow",
    "Activist jailed for 10 days over single-person picket",
    "Protester fined for holding placard in Red Square",
    "Journalist detained while covering rally in Minsk",
    "Belarus sentences protester to three years in prison",
    "More than 200 arrested at rallies across Russia, OVD-Info says",
    "Detained demonstrators released after several hours",
    "Police disperse crowd outside parliament, detaining dozens",
    "Hunger striker detained outside ministry",
]

TRAPS = [
    # company acting on its own, user deleting their own post
    ("Telegram удалил тысячи каналов со спамом", "company_spam"),
    ("Facebook removes thousands of spam accounts", "company_spam"),
    ("Блогер удалил пост после критики подписчиков", "self_delete"),
    ("User deletes tweet after backlash", "self_delete"),
    # bank cards, sports, imports
    ("Банк заблокировал карту пенсионерки", "bank_card"),
    ("Bank blocks customer's card over suspicious activity", "bank_card"),
    ("WADA отстранила российских спортсменов от соревнований", "sports_ban"),
    ("FIFA bans Russian clubs from international tournaments", "sports_ban"),
    ("Россельхознадзор запретил ввоз яблок из Молдавии", "import_ban"),
    ("Russia bans imports of Polish apples", "import_ban"),
    ("Историки обсудили советскую цензуру", "debate"),
    ("Historians debate censorship in the Soviet Union", "debate"),
    # words that look like arrests
    ("Рейс Москва — Сочи задержан на три часа", "flight"),
    ("Flight to Istanbul delayed by four hours", "flight"),
    ("Суд арестовал имущество бывшего министра", "property"),
    ("Court orders arrest of businessman's assets", "property"),
    ("Runner suffers cardiac arrest at marathon", "cardiac"),
    ("Задержан подозреваемый в убийстве таксиста", "crime"),
    ("Man arrested on suspicion of murder in Leeds", "crime"),
    ("В Подмосковье задержали 40 мигрантов-нелегалов", "migrants"),
    ("Dozens of migrants detained in border raid", "migrants"),
    ("Выплаты зарплаты задержали на месяц, рабочие вышли на акцию протеста", "wage_delay"),
    ("Protesters held a rally outside parliament", "held_rally"),
    ("Protesters held placards outside the embassy", "held_placards"),
    ("Polish authorities seize bank cards of suspects", "bank_card"),
    ("Twitter suspends accounts linked to a troll farm", "company_acts_alone"),
    # protests without detentions and official denials
    ("Митинг против вырубки сквера прошёл без задержаний", "no_detentions"),
    ("Climate protest ends without arrests", "no_detentions"),
    ("В МВД опровергли информацию о задержаниях на акции", "denial"),
    ("Police deny detaining anyone at Sunday rally", "denial"),
    # historical events
    ("Как задерживали участников демонстрации в 1968 году", "historical"),
    ("Новочеркасск, 1962: список арестованных участников забастовки", "historical"),
    ("Полиция задержала водителя, сбившего пешехода", "ordinary"),
    ("Акции Сбербанка выросли на 3%", "shares"),
]


@pytest.mark.parametrize("title", CENSORSHIP_RU + CENSORSHIP_EN)
def test_censorship_patterns(detector: Detector, title: str) -> None:
    d = detector.classify(title)
    assert d.categories == ("censorship",), d.explanation
    assert d.modality == "event"


@pytest.mark.parametrize("title", ARREST_RU + ARREST_EN)
def test_arrest_patterns(detector: Detector, title: str) -> None:
    d = detector.classify(title)
    assert d.categories == ("arrest",), d.explanation
    assert d.modality == "event"


@pytest.mark.parametrize(("title", "trap"), TRAPS)
def test_traps_are_not_events(detector: Detector, title: str, trap: str) -> None:
    d = detector.classify(title)
    assert d.categories == (), f"{trap}: {d.explanation}"
    assert d.severity == "none"


def test_a_trap_word_does_not_hide_the_protest_context(detector: Detector) -> None:
    # "holding" is taken away from the detention words, "blank sign" stays context.
    d = detector.classify("Moscow police detain man holding blank sign")
    assert d.categories == ("arrest",)


def test_gapped_term_leaves_the_skipped_words_to_other_roles(detector: Detector) -> None:
    d = detector.classify("Доступ к сайту «Новой газеты» ограничен")
    assert d.categories == ("censorship",)
    assert d.fields["target"] == "Новая газета"


@pytest.mark.parametrize(
    ("title", "summary", "expected"),
    [
        # a head count, and the entry is about a vigil reported by OVD-Info
        ("Задержания у Соловецкого камня", "По данным ОВД-Инфо, задержаны 15 человек.", "arrest"),
        (
            "Detentions outside the courthouse",
            "At least 20 people were detained, OVD-Info says.",
            "arrest",
        ),
        # a head count with nothing political around it
        ("В Москве задержали 30 человек", "", ""),
        ("Полиция задержала 15 человек после драки в ночном клубе", "", ""),
        ("Police arrested 12 people after a brawl at a football match", "", ""),
    ],
)
def test_head_count_needs_a_political_entry(
    detector: Detector, title: str, summary: str, expected: str
) -> None:
    d = detector.classify(title, summary)
    assert ",".join(d.categories) == expected, d.explanation


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Meta отчиталась о росте выручки", "Instagram заблокирован в России с 2022 года."),
        ("Meta reports revenue growth", "Instagram has been blocked in Russia since 2022."),
    ],
)
def test_background_mention_is_not_news(detector: Detector, title: str, summary: str) -> None:
    d = detector.classify(title, summary)
    assert d.categories == ()
    assert "background" in d.explanation


def test_both_categories_in_one_entry(detector: Detector) -> None:
    d = detector.classify(
        "Протесты в Екатеринбурге",
        "Полиция задержала 27 человек на акции в сквере. Вечером РКН ограничил доступ "
        "к паблику, который вёл трансляцию.",
    )
    assert d.categories == ("censorship", "arrest")
    assert d.explanation.startswith("censorship: ")
    assert "; arrest: " in d.explanation


def test_pattern_must_sit_in_one_sentence(detector: Detector) -> None:
    # An actor in one sentence and a removal word in another do not make an event.
    d = detector.classify(
        "Роскомнадзор подвёл итоги года",
        "Ведомство провело 40 проверок. Пользователи удалили свои посты сами.",
    )
    assert d.categories == ()


def test_morphology_matches_inflected_forms(detector: Detector) -> None:
    # One rule term "задержать" covers participles, plurals and cases.
    for text in (
        "Задержанных на пикете доставили в отдел",
        "Пикетчиков задерживают у Гостиного двора",
        "На митинге задержан студент",
    ):
        assert detector.classify(text).categories == ("arrest",), text


def test_language_is_detected_from_the_alphabet(detector: Detector) -> None:
    assert detector.classify("Police detain protesters at rally").lang == "en"
    assert detector.classify("РКН заблокировал VPN-сервисы").lang == "ru"
    # a given language wins over detection
    assert detector.classify("Police detain protesters", lang="en").lang == "en"
    # an unknown code falls back to detection instead of failing
    assert detector.classify("На митинге задержали активистов", lang="xx").lang == "ru"
