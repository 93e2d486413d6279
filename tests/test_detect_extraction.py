"""Fields, spans, explanations and the JSON form of a detection."""

from __future__ import annotations

import json

import pytest

from bot.detect import Clause, Detector, Span


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector.load()


def test_actor_and_target_use_canonical_names(detector: Detector) -> None:
    d = detector.classify("РКН потребовал от ютуба удалить ролики о протестах")
    assert d.fields["actor"] == "Роскомнадзор"
    # a named platform is a better target than "ролики"
    assert d.fields["target"] == "YouTube"


def test_explanation_lists_the_matched_words(detector: Detector) -> None:
    d = detector.classify("Роскомнадзор направил требование об удалении видео в TikTok")
    assert d.explanation == (
        "censorship: actor «Роскомнадзор», action «требование об удалении», object «видео в TikTok»"
    )


def test_neighbouring_action_words_form_one_span(detector: Detector) -> None:
    d = detector.classify("Роскомнадзор потребовал удалить видео из TikTok")
    assert Span("action", "потребовал удалить", 13, 31) in d.spans
    assert "action «потребовал удалить»" in d.explanation


@pytest.mark.parametrize(
    ("title", "summary", "detained"),
    [
        ("На акции в Москве задержали 50 человек", "", "50"),
        ("Итоги дня", "Полиция задержала 1 200 человек на акциях.", "1200"),
        ("Police detained 1,200 protesters at rallies", "", "1200"),
        ("На пикете задержали двоих", "", "2"),
        ("Троих участников пикета задержали в Томске", "", "3"),
        ("ОВД-Инфо: более 100 задержанных на акциях", "", "100"),
    ],
)
def test_number_detained(detector: Detector, title: str, summary: str, detained: str) -> None:
    assert detector.classify(title, summary).fields["detained"] == detained


@pytest.mark.parametrize(
    "title",
    [
        "Активиста арестовали на 15 суток за пикет",  # a term, not a head count
        "Protester jailed for 10 days over rally",
        "Участницу митинга оштрафовали на 20 000 рублей",  # a fine
    ],
)
def test_terms_and_fines_are_not_head_counts(detector: Detector, title: str) -> None:
    d = detector.classify(title)
    assert d.categories == ("arrest",)
    assert "detained" not in d.fields


@pytest.mark.parametrize(
    ("title", "place"),
    [
        ("В Москве на акции задержали 20 человек", "Москва"),
        ("В Санкт-Петербурге на пикете задержали активистку", "Санкт-Петербург"),
        ("В Нижнем Новгороде задержаны участники пикета", "Нижний Новгород"),
        ("Police detained protesters in St Petersburg", "St Petersburg"),
    ],
)
def test_place(detector: Detector, title: str, place: str) -> None:
    assert detector.classify(title).fields["place"] == place


def test_platform_after_preposition_is_not_a_place(detector: Detector) -> None:
    d = detector.classify("Роскомнадзор потребовал удалить ролики в YouTube")
    assert "place" not in d.fields


def test_spans_point_into_title_newline_summary(detector: Detector) -> None:
    title = "Итоги недели"
    summary = "В Минске задержали участников акции солидарности."
    d = detector.classify(title, summary)
    text = f"{title}\n{summary}"
    assert d.spans
    for span in d.spans:
        assert text[span.start : span.end] == span.text
    roles = {s.role for s in d.spans}
    assert {"action", "context", "place"} <= roles


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("Protester suffers cardiac arrest at rally in Moscow", "a medical arrest"),
        ("Рейс задержан из-за акции протеста в аэропорту", "a delayed flight"),
    ],
)
def test_trap_that_blocked_a_rule_explains_itself(
    detector: Detector, title: str, reason: str
) -> None:
    # Without the null pattern both would read as protest arrests.
    d = detector.classify(title)
    assert d.categories == ()
    assert d.explanation.startswith("not arrest: ")
    assert reason in d.explanation
    assert any(s.role == "null" for s in d.spans)


def test_nothing_matched(detector: Detector) -> None:
    d = detector.classify("Погода на выходные: дожди и туман")
    assert d.categories == ()
    assert d.modality == "none"
    assert d.severity == "none"
    assert d.score == 0.0
    assert d.spans == ()
    assert d.fields == {}
    assert d.explanation == "no censorship or arrest pattern matched"


def test_to_json_round_trips(detector: Detector) -> None:
    d = detector.classify("Роскомнадзор заблокировал сайт «Медузы»")
    data = json.loads(json.dumps(d.to_json(), ensure_ascii=False))
    assert set(data) == {
        "categories",
        "weak_categories",
        "modality",
        "score",
        "severity",
        "explanation",
        "fields",
        "lang",
        "spans",
        "entities",
        "clauses",
    }
    assert data["categories"] == ["censorship"]
    assert data["entities"] == ["meduza", "roskomnadzor"]
    assert data["clauses"] == [
        {
            "category": "censorship",
            "modality": "event",
            "parts": [
                {"role": "actor", "text": "Роскомнадзор"},
                {"role": "action", "text": "заблокировал"},
                {"role": "object", "text": "сайт"},
            ],
            "null": "",
        }
    ]
    assert data["lang"] == "ru"
    assert data["fields"]["actor"] == "Роскомнадзор"
    assert {"role": "actor", "text": "Роскомнадзор", "start": 0, "end": 12} in data["spans"]


@pytest.mark.parametrize(
    ("title", "summary", "entities"),
    [
        # The same actor and platform in either language share one id.
        ("Роскомнадзор потребовал от ТикТока удалить ролики", "", ("roskomnadzor", "tiktok")),
        ("Roskomnadzor orders TikTok to delete clips", "", ("roskomnadzor", "tiktok")),
        # Aliases fold into the id: "РКН", "ютуба".
        ("РКН замедлил работу ютуба", "", ("roskomnadzor", "youtube")),
        # Names outside the matched clause and in entries with no event count too.
        (
            "Суд оштрафовал Google на 3 млн рублей",
            "Ранее «Медиазона» писала о штрафах для Telegram.",
            ("google", "mediazona", "telegram"),
        ),
        ("Discord снова работает в России", "", ("discord",)),
        ("Spotify launches a new podcast feature", "", ("spotify",)),
        ("Погода на выходные: дожди и туман", "", ()),
    ],
)
def test_entities_are_language_neutral_ids_from_the_whole_entry(
    detector: Detector, title: str, summary: str, entities: tuple[str, ...]
) -> None:
    assert detector.classify(title, summary).entities == entities


@pytest.mark.parametrize(
    ("entity", "lang", "name"),
    [
        ("roskomnadzor", "ru", "Роскомнадзор"),
        ("roskomnadzor", "en", "Roskomnadzor"),
        ("tiktok", "ru", "TikTok"),
        ("justice_ministry", "en", "Justice Ministry"),
        ("justice_ministry", "ru", "Минюст"),
        # A language with no rules file: the first file (by name) that names it.
        ("justice_ministry", "de", "Justice Ministry"),
        ("no_such_entity", "en", "no_such_entity"),
    ],
)
def test_entity_display_names(detector: Detector, entity: str, lang: str, name: str) -> None:
    assert detector.entity_name(entity, lang) == name


def test_every_language_names_the_same_entities(detector: Detector) -> None:
    # Story grouping compares ids across languages: an id one file lacks would
    # show as a raw id in that language's alerts.
    names = [set(r.entities) for r in detector.rulesets.values()]
    assert all(n == names[0] for n in names)


def test_gapped_term_leaves_the_skipped_words_to_other_roles(detector: Detector) -> None:
    d = detector.classify("Доступ к сайту «Новой газеты» ограничен")
    assert d.categories == ("censorship",)
    assert d.fields["target"] == "Новая газета"


def test_provider_is_not_the_target(detector: Detector) -> None:
    d = detector.classify("Venezuela's CONATEL orders providers to block Efecto Cocuyo")
    assert d.categories == ("censorship",)
    assert d.fields["actor"] == "CONATEL"
    assert "target" not in d.fields
    assert "context «providers»" in d.explanation


def test_country_actor_and_named_police_unit_fill_fields(detector: Detector) -> None:
    d = detector.classify("Нигерия приостановила работу Twitter")
    assert d.fields == {"actor": "Нигерия", "target": "Twitter"}
    d = detector.classify("Сотрудники центра «Э» забрали с акции в Сыктывкаре двух активистов")
    assert d.fields["actor"] == "Центр «Э»"
    assert d.fields["detained"] == "2"
    assert d.fields["place"] == "Сыктывкар"


def test_unknown_name_is_the_target(detector: Detector) -> None:
    assert detector.classify("Роскомнадзор заблокировал Speedtest").fields["target"] == "Speedtest"
    assert detector.classify("Russia restricts access to FaceTime").fields["target"] == "FaceTime"


@pytest.mark.parametrize(
    ("title", "place"),
    [
        ("Police detain dozens at anti-war rally in St. Petersburg", "St. Petersburg"),
        ("Police detain dozens at rally in St. Petersburg. Others fled", "St. Petersburg"),
        ("Protesters detained at rally in Mt. Kenya region", "Mt. Kenya"),
        ("Police detain dozens at anti-war rally in Nizhny Novgorod", "Nizhny Novgorod"),
        ("Police detain dozens at protest in New Delhi", "New Delhi"),
        ("Protesters detained in central Minsk", "Minsk"),
        ("В г. Нижний Новгород задержали участников пикета", "Нижний Новгород"),
        ("В городе Нижний Новгород задержали участников пикета", "Нижний Новгород"),
        ("В Санкт-Петербурге задержали участников антивоенного пикета", "Санкт-Петербург"),
        ("В Ст. Осколе задержали участников пикета", "Ст. Оскол"),
    ],
)
def test_place_keeps_abbreviations_and_titles(detector: Detector, title: str, place: str) -> None:
    assert detector.classify(title).fields["place"] == place


@pytest.mark.parametrize(
    ("title", "summary", "clauses"),
    [
        (
            "РКН пригрозил заблокировать YouTube",
            "",
            [
                Clause(
                    "censorship",
                    "threat",
                    (
                        ("actor", "РКН"),
                        ("cue", "пригрозил"),
                        ("action", "заблокировать"),
                        ("object", "YouTube"),
                    ),
                )
            ],
        ),
        (
            "Police deny detaining anyone at Sunday rally",
            "",
            [
                Clause(
                    "arrest",
                    "denied",
                    (
                        ("actor", "Police"),
                        ("cue", "deny"),
                        ("action", "detaining"),
                        ("context", "rally"),
                    ),
                )
            ],
        ),
        (
            "Протесты в Екатеринбурге",
            "Полиция задержала 27 человек на акции. Вечером РКН ограничил доступ к паблику.",
            [
                Clause(
                    "censorship",
                    "event",
                    (
                        ("actor", "РКН"),
                        ("action", "ограничил"),
                        ("object", "паблику"),
                    ),
                ),
                Clause(
                    "arrest",
                    "event",
                    (
                        ("actor", "Полиция"),
                        ("action", "задержала"),
                        ("context", "акции"),
                        ("detained", "27"),
                    ),
                ),
            ],
        ),
        # A null that blocked a rule is a clause too, named by its id.
        (
            "Рейс задержан из-за акции протеста в аэропорту",
            "",
            [Clause("arrest", "none", (("null", "Рейс задержан"),), "flight-delay")],
        ),
    ],
)
def test_clauses_record_the_explanation(
    detector: Detector, title: str, summary: str, clauses: list[Clause]
) -> None:
    # The renderer words these in the chat's language; the English explanation
    # says the same in the same order.
    d = detector.classify(title, summary)
    assert list(d.clauses) == clauses
    for clause in d.clauses:
        for role, text in clause.parts:
            assert f"«{text}»" in d.explanation
            assert role == "null" or f"{role} «{text}»" in d.explanation
