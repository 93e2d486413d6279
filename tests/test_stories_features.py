"""What grouping reads from a report: places, entities, names, counts, days, times, words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.detect import Detector
from bot.stories import ReportBuilder, parse_published
from bot.stories.records import Report
from bot.stories.similarity import (
    DocumentFrequencies,
    dot,
    minhash,
    minhash_similarity,
    shingle_hashes,
)
from bot.stories.translit import name_key


@pytest.fixture(scope="module")
def builder() -> ReportBuilder:
    return ReportBuilder(Detector.load())


def read(
    builder: ReportBuilder, summary: str, lang: str, title: str = "", published: str = "2026-06-10"
) -> Report:
    return builder.build(
        "r",
        title=title,
        summary=summary,
        published=parse_published(published),
        outlet="outlet",
        lang=lang,
    )


@pytest.mark.parametrize(
    ("lang", "text", "place"),
    [
        ("ru", "Акция прошла в Москве.", "ru/moscow"),
        ("en", "The rally was held in Moscow.", "ru/moscow"),
        ("ru", "Задержания в Санкт-Петербурге.", "ru/saint-petersburg"),
        ("en", "Detentions in St. Petersburg.", "ru/saint-petersburg"),
        ("ru", "Пикет в Нижнем Новгороде.", "ru/nizhny-novgorod"),
        ("en", "A picket in Nizhny Novgorod.", "ru/nizhny-novgorod"),
        ("ru", "Протест в Хабаровском крае.", "ru/khabarovsk-krai"),
        ("en", "A protest in Yekaterinburg.", "ru/yekaterinburg"),
        ("ru", "Власти Турции ограничили доступ.", "tr"),
        ("en", "Turkish authorities restricted access.", "tr"),
        ("ru", "Митинг в Ростове-на-Дону.", "ru/rostov-on-don"),
        ("en", "Police in Almaty detained dozens.", "kz/almaty"),
    ],
)
def test_places_in_any_form_are_one_id(
    builder: ReportBuilder, lang: str, text: str, place: str
) -> None:
    assert place in read(builder, text, lang).places


def test_a_first_name_is_not_a_city_and_us_is_not_the_us(builder: ReportBuilder) -> None:
    assert read(builder, "Владимир Путин подписал закон.", "ru").places == ()
    assert "ru/vladimir" in read(builder, "Акция прошла во Владимире.", "ru").places
    assert read(builder, "They told us nothing.", "en").places == ()
    assert "us" in read(builder, "The US embassy said nothing.", "en").places


def test_where_a_platform_comes_from_is_not_where_it_was_blocked(builder: ReportBuilder) -> None:
    report = read(builder, "Роскомнадзор ограничил работу американского мессенджера.", "ru")
    assert "us" not in report.countries
    assert "ru" in report.countries  # Roskomnadzor acts in Russia


def test_entities_are_shared_by_russian_and_english(builder: ReportBuilder) -> None:
    ru = read(builder, "Роскомнадзор заблокировал ТикТок.", "ru")
    en = read(builder, "Roskomnadzor blocked TikTok.", "en")
    assert "roskomnadzor" in ru.actors and "roskomnadzor" in en.actors
    assert "tiktok" in ru.targets and "tiktok" in en.targets


def test_a_platform_the_rules_do_not_know_is_still_a_target(builder: ReportBuilder) -> None:
    ru = read(builder, "", "ru", title="Роскомнадзор заблокировал сервис FaceTime")
    en = read(builder, "", "en", title="Russia restricts the video service FaceTime")
    assert "~facetime" in ru.main_targets
    assert "~facetime" in en.main_targets


def test_person_names_meet_across_alphabets() -> None:
    assert name_key("Навального") == name_key("Navalny") == name_key("Navalnyy")
    assert name_key("İmamoğlu") == name_key("Имамоглу")
    assert name_key("Пашиняна") == name_key("Pashinyan")
    assert name_key("Putin") != name_key("Navalny")


def test_names_skip_first_names_and_sentence_starts(builder: ReportBuilder) -> None:
    ru = read(builder, "Полиция задержала соратников Алексея Навального у суда.", "ru")
    assert ru.names == (name_key("Navalny"),)
    en = read(builder, "Police detained supporters of Alexei Navalny outside the court.", "en")
    assert name_key("Navalny") in en.names
    assert name_key("Police") not in en.names


@pytest.mark.parametrize(
    ("lang", "text", "count", "at_least"),
    [
        ("ru", "На акции задержали более 1000 человек.", 1000, True),
        ("ru", "Число задержанных превысило 1,5 тысячи.", 1500, False),
        ("ru", "Полиция задержала 45 участников пикета.", 45, False),
        ("en", "More than 3,000 people were detained across the country.", 3000, True),
        ("en", "Police detained over 40 people at the rally.", 40, True),
        ("en", "At least 25 protesters were arrested.", 25, True),
    ],
)
def test_head_counts(
    builder: ReportBuilder, lang: str, text: str, count: int, at_least: bool
) -> None:
    found = read(builder, text, lang).detained
    assert found is not None
    assert (found.count, found.at_least) == (count, at_least)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ru", "Активиста задержали и арестовали на 15 суток."),
        ("ru", "Задержания продолжались весь 2025 год."),
        ("en", "He was detained and fined 500 dollars."),
        ("en", "Police detained protesters."),
    ],
)
def test_times_sums_and_years_are_not_head_counts(
    builder: ReportBuilder, lang: str, text: str
) -> None:
    assert read(builder, text, lang).detained is None


@pytest.mark.parametrize(
    ("lang", "text", "published", "days"),
    [
        ("ru", "Акция прошла 9 июня.", "2026-06-10", ("2026-06-09",)),
        ("en", "The rally took place on June 9.", "2026-06-10", ("2026-06-09",)),
        # Wednesday 10 June 2026: "on Sunday" is the 7th.
        ("en", "Police detained dozens on Sunday.", "2026-06-10", ("2026-06-07",)),
        ("ru", "Вчера полиция задержала активистов.", "2026-06-10T08:00:00Z", ("2026-06-09",)),
        # A weekday means nothing when only the month is known.
        ("en", "Police detained dozens on Sunday.", "2026-06", ()),
        # A date after publication is a plan, one long before it background.
        ("en", "Elections are due on June 28.", "2026-06-10", ()),
        ("en", "The ban imposed on March 3 is still in force.", "2026-06-10", ()),
        # Without a year, a date later in the year than publication is last year's.
        ("ru", "Блокировку ввели 30 декабря.", "2026-01-05", ("2025-12-30",)),
    ],
)
def test_event_days(
    builder: ReportBuilder, lang: str, text: str, published: str, days: tuple[str, ...]
) -> None:
    assert read(builder, text, lang, published=published).days == days


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2026-03", datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC), "month"),
        ("2026-12", datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), "month"),
        ("2026-03-14", datetime(2026, 3, 14, tzinfo=UTC), datetime(2026, 3, 15, tzinfo=UTC), "day"),
        (
            "2026-03-14T10:20:00Z",
            datetime(2026, 3, 14, 10, 20, tzinfo=UTC),
            datetime(2026, 3, 14, 10, 20, tzinfo=UTC),
            "moment",
        ),
        (
            "2026-03-14T13:20:00+03:00",
            datetime(2026, 3, 14, 10, 20, tzinfo=UTC),
            datetime(2026, 3, 14, 10, 20, tzinfo=UTC),
            "moment",
        ),
        # No offset: taken as UTC.
        (
            "2026-03-14T10:20:00",
            datetime(2026, 3, 14, 10, 20, tzinfo=UTC),
            datetime(2026, 3, 14, 10, 20, tzinfo=UTC),
            "moment",
        ),
    ],
)
def test_publication_times(text: str, start: datetime, end: datetime, precision: str) -> None:
    span = parse_published(text)
    assert (span.start, span.end, span.precision) == (start, end, precision)
    assert span.start.tzinfo is UTC


@pytest.mark.parametrize("text", ["2026-13", "yesterday", "14.03.2026", ""])
def test_bad_publication_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_published(text)


def test_tfidf_ranks_a_report_of_the_same_event_above_another(builder: ReportBuilder) -> None:
    reports = [
        read(builder, "Roskomnadzor blocked the Signal messenger for breaking Russian law.", "en"),
        read(builder, "Signal messenger blocked by Russian regulator over law breaches.", "en"),
        read(builder, "Police detained 40 protesters in Kazan at a hospital picket.", "en"),
    ]
    df = DocumentFrequencies()
    for r in reports:
        df.add("en", (t for t, _ in r.terms))
    a, b, c = (df.vector("en", r.terms) for r in reports)
    assert dot(a, b) > 0.3 > dot(a, c)


def test_minhash_estimates_shared_word_pairs() -> None:
    first = shingle_hashes(["russia", "block", "signal", "messenger", "law"])
    same = shingle_hashes(["russia", "block", "signal", "messenger", "law"])
    other = shingle_hashes(["police", "detain", "protester", "kazan"])
    assert minhash_similarity(minhash(first), minhash(same)) == 1.0
    assert minhash_similarity(minhash(first), minhash(other)) < 0.2
