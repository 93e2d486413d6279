"""Near misses through the whole path: written text -> detector -> evidence -> decision.

Each case holds a story's first reports, another outlet's report of the same
event (it must join) and a report of a neighbouring event (it must not): the
same city another day, another platform the same day, protests in two cities
the same day, a second fine weeks later, a block and its lifting; in Russian and
in English.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.detect import Detector
from bot.stories import Grouper, Report, ReportBuilder, parse_published


@pytest.fixture(scope="module")
def builder() -> ReportBuilder:
    return ReportBuilder(Detector.load())


Text = tuple[str, str, str]  # published, title, summary


@dataclass(frozen=True)
class Case:
    name: str
    lang: str
    story: tuple[Text, ...]
    same: Text
    other: Text


CASES = [
    Case(
        "same city, another day (ru)",
        "ru",
        (
            (
                "2026-10-03T12:00:00Z",
                "В Екатеринбурге задержали участников акции",
                "Полиция задержала в Екатеринбурге 18 человек, вышедших на акцию против "
                "застройки сквера.",
            ),
        ),
        (
            "2026-10-03T17:00:00Z",
            "",
            "В субботу в Екатеринбурге на акции в защиту сквера задержаны 25 человек, "
            "сообщают правозащитники.",
        ),
        (
            "2026-10-10T12:00:00Z",
            "В Екатеринбурге снова задерживают защитников сквера",
            "В субботу 10 октября полиция Екатеринбурга задержала 12 участников новой акции в "
            "защиту сквера.",
        ),
    ),
    Case(
        "same city, another day (en)",
        "en",
        (
            (
                "2026-10-03T12:00:00Z",
                "Police detain park protesters in Yekaterinburg",
                "Police in Yekaterinburg detained 18 people on Saturday at a protest against "
                "building on a city park.",
            ),
        ),
        (
            "2026-10-03T18:00:00Z",
            "",
            "At least 25 people were detained in Yekaterinburg on Saturday at a rally to save "
            "a park, monitors said.",
        ),
        (
            "2026-10-10T13:00:00Z",
            "Yekaterinburg police detain park protesters again",
            "Police in Yekaterinburg detained 12 people on Saturday, October 10, at a new "
            "protest to save the park.",
        ),
    ),
    Case(
        "another platform the same day (ru)",
        "ru",
        (
            (
                "2026-11-05T09:00:00Z",
                "Роскомнадзор заблокировал WhatsApp",
                "Роскомнадзор ограничил доступ к мессенджеру WhatsApp, сообщили в ведомстве.",
            ),
        ),
        (
            "2026-11-05T12:00:00Z",
            "",
            "Пользователи в России сообщают о сбоях WhatsApp после того, как Роскомнадзор "
            "заблокировал мессенджер.",
        ),
        (
            "2026-11-05T14:00:00Z",
            "Роскомнадзор заблокировал Twitch",
            "Роскомнадзор ограничил доступ к стриминговому сервису Twitch, сообщили в ведомстве.",
        ),
    ),
    Case(
        "another platform the same day (en)",
        "en",
        (
            (
                "2026-11-05T09:00:00Z",
                "Russia blocks WhatsApp",
                "Russia's regulator Roskomnadzor said it had restricted access to WhatsApp.",
            ),
        ),
        (
            "2026-11-05T12:00:00Z",
            "",
            "WhatsApp stopped working for users across Russia after Roskomnadzor blocked the "
            "messenger.",
        ),
        (
            "2026-11-05T15:00:00Z",
            "Russia blocks Twitch",
            "Russia's regulator Roskomnadzor said it had restricted access to the streaming "
            "service Twitch.",
        ),
    ),
    Case(
        "two cities the same day (ru)",
        "ru",
        (
            (
                "2026-04-18T11:00:00Z",
                "В Казани задержали участников пикета",
                "В Казани полиция задержала 9 участников пикета против закрытия больницы.",
            ),
        ),
        (
            "2026-04-18T15:00:00Z",
            "",
            "В Казани на пикете против закрытия больницы задержаны 9 человек, сообщили активисты.",
        ),
        (
            "2026-04-18T13:00:00Z",
            "В Уфе задержали участников пикета",
            "В Уфе полиция задержала 14 участников пикета против закрытия больницы.",
        ),
    ),
    Case(
        "two cities the same day (en)",
        "en",
        (
            (
                "2026-04-18T11:00:00Z",
                "Police detain hospital protesters in Kazan",
                "Police in Kazan detained 9 people picketing against the closure of a "
                "hospital on Saturday.",
            ),
        ),
        (
            "2026-04-18T16:00:00Z",
            "",
            "Nine people were detained in Kazan on Saturday at a picket against a hospital "
            "closure, activists said.",
        ),
        (
            "2026-04-18T13:00:00Z",
            "Police detain hospital protesters in Ufa",
            "Police in Ufa detained 14 people picketing against the closure of a hospital on "
            "Saturday.",
        ),
    ),
    Case(
        "a second fine weeks later (ru)",
        "ru",
        (
            (
                "2026-05-12T09:00:00Z",
                "Суд оштрафовал Telegram на 7 млн рублей",
                "Мировой суд Москвы оштрафовал Telegram на 7 млн рублей за неудаление "
                "запрещенных материалов.",
            ),
        ),
        (
            "2026-05-12T13:00:00Z",
            "",
            "Telegram оштрафовали на 7 млн рублей за то, что не удалил запрещенные материалы, "
            "решил суд в Москве.",
        ),
        (
            "2026-06-02T09:00:00Z",
            "Telegram снова оштрафовали",
            "Мировой суд Москвы оштрафовал Telegram еще на 9 млн рублей за неудаление "
            "запрещенных материалов.",
        ),
    ),
    Case(
        "a second fine weeks later (en)",
        "en",
        (
            (
                "2026-05-12T09:00:00Z",
                "Moscow court fines Telegram",
                "A Moscow court fined Telegram 7 million roubles for failing to delete banned "
                "material.",
            ),
        ),
        (
            "2026-05-12T14:00:00Z",
            "",
            "Telegram was fined 7 million roubles by a Moscow court for not removing "
            "prohibited content.",
        ),
        (
            "2026-06-02T09:00:00Z",
            "Telegram fined again in Russia",
            "A Moscow court fined Telegram another 9 million roubles for failing to delete "
            "banned material.",
        ),
    ),
    Case(
        "a block and its lifting (ru)",
        "ru",
        (
            (
                "2026-07-01T08:00:00Z",
                "Роскомнадзор заблокировал Spotify",
                "Роскомнадзор закрыл доступ к сервису Spotify, сообщили в ведомстве.",
            ),
        ),
        (
            "2026-07-01T12:00:00Z",
            "",
            "Сервис Spotify перестал работать в России после блокировки Роскомнадзором, "
            "жалуются пользователи.",
        ),
        (
            "2026-07-04T08:00:00Z",
            "Роскомнадзор снял ограничения со Spotify",
            "Роскомнадзор разблокировал сервис Spotify, сообщили в ведомстве.",
        ),
    ),
    Case(
        "a block and its lifting (en)",
        "en",
        (
            (
                "2026-07-01T08:00:00Z",
                "Russia blocks Spotify",
                "Russia's regulator Roskomnadzor said it had restricted access to Spotify.",
            ),
        ),
        (
            "2026-07-01T13:00:00Z",
            "",
            "Spotify stopped working in Russia after Roskomnadzor blocked the service, users said.",
        ),
        (
            "2026-07-04T08:00:00Z",
            "Russia lifts block on Spotify",
            "Roskomnadzor lifted the block on Spotify three days after restricting access to "
            "the service.",
        ),
    ),
]


def _build(builder: ReportBuilder, report_id: str, lang: str, text: Text) -> Report:
    published, title, summary = text
    return builder.build(
        report_id,
        title=title,
        summary=summary,
        published=parse_published(published),
        outlet=f"outlet {report_id}",
        lang=lang,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_same_event_joins_and_the_near_miss_stays_apart(builder: ReportBuilder, case: Case) -> None:
    grouper = Grouper(places=builder.gazetteer)
    first = None
    for n, text in enumerate(case.story):
        outcome = grouper.assign(_build(builder, f"s{n}", case.lang, text))
        first = first or outcome.story.id
    other = grouper.decide(_build(builder, "other", case.lang, case.other))
    assert other.action == "new", other.why
    same = grouper.decide(_build(builder, "same", case.lang, case.same))
    assert (same.action, same.story_id) == ("join", first), same.why


def test_a_russian_and_an_english_report_of_one_block_meet(builder: ReportBuilder) -> None:
    grouper = Grouper(places=builder.gazetteer)
    ru = grouper.assign(_build(builder, "ru", "ru", CASES[2].story[0]))
    en = grouper.assign(_build(builder, "en", "en", CASES[3].story[0]))
    assert en.decision.action == "join", en.decision.why
    assert en.story.id == ru.story.id
    assert en.story.facts.categories == ("censorship",)
    assert en.story.facts.target == "whatsapp"
