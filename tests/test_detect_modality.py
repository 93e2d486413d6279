"""Threats, plans, warnings, lifted bans, denials and releases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.detect import Detector, RulesError


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector.load()


@pytest.mark.parametrize(
    ("title", "modality", "category"),
    [
        ("РКН пригрозил заблокировать YouTube", "threat", "censorship"),
        ("Roskomnadzor threatens to block WhatsApp", "threat", "censorship"),
        ("Сайт может быть заблокирован уже в марте", "threat", "censorship"),
        ("Минцифры планирует ограничить доступ к VPN", "plan", "censorship"),
        ("Russia plans to ban VPN services", "plan", "censorship"),
        ("МВД предупредило о задержаниях участников несогласованных акций", "warning", "arrest"),
        ("Суд отменил блокировку сайта «Медузы»", "lifted", "censorship"),
        ("Court lifts ban on opposition website", "lifted", "censorship"),
        ("Минюст исключил журналиста из реестра иноагентов", "lifted", "censorship"),
    ],
)
def test_non_event_modality_is_weak(
    detector: Detector, title: str, modality: str, category: str
) -> None:
    d = detector.classify(title)
    assert d.categories == ()
    assert d.weak_categories == (category,)
    assert d.modality == modality
    assert d.severity == "low"
    assert 0 < d.score < 0.5
    assert f"{category} ({modality})" in d.explanation


@pytest.mark.parametrize(
    "title",
    [
        "В МВД опровергли информацию о задержаниях на акции",
        "Police deny detaining anyone at Sunday rally",
        "Полиция заявила, что на акции никого не задерживали",
    ],
)
def test_official_denial(detector: Detector, title: str) -> None:
    d = detector.classify(title)
    assert d.categories == ()
    assert d.weak_categories == ()
    assert d.modality == "denied"
    assert d.score == 0.0
    assert d.explanation.startswith("arrest denied: ")


@pytest.mark.parametrize(
    "title",
    [
        "Митинг против вырубки сквера прошёл без задержаний",
        "Дальнобойщики провели акцию протеста, задержанных нет",
        "Climate protest ends without arrests",
    ],
)
def test_protest_without_detentions_is_no_event(detector: Detector, title: str) -> None:
    d = detector.classify(title)
    assert d.categories == ()
    assert d.modality == "none"
    assert d.explanation.startswith("no arrest: ")


def test_no_fewer_than_is_not_a_negation(detector: Detector) -> None:
    d = detector.classify("На акции задержали не менее 50 человек")
    assert d.categories == ("arrest",)
    assert d.fields["detained"] == "50"


@pytest.mark.parametrize(
    "title",
    [
        "Задержанную на пикете активистку отпустили",
        "Activist released after being detained at protest",
    ],
)
def test_release_implies_detention(detector: Detector, title: str) -> None:
    d = detector.classify(title)
    assert d.categories == ("arrest",)
    assert d.modality == "event"


def test_event_elsewhere_in_entry_outranks_a_threat(detector: Detector) -> None:
    d = detector.classify(
        "Роскомнадзор замедлил YouTube", "Ранее ведомство грозило сервису полной блокировкой."
    )
    assert d.categories == ("censorship",)
    assert d.modality == "event"


def test_threat_is_less_severe_than_event(detector: Detector) -> None:
    event = detector.classify("Роскомнадзор заблокировал YouTube")
    threat = detector.classify("Роскомнадзор пригрозил заблокировать YouTube")
    assert event.severity in ("high", "medium")
    assert threat.severity == "low"
    assert threat.score < event.score


@pytest.mark.parametrize(
    ("title", "modality"),
    [
        # a cue inside the match counts even when far from the head word
        ("Pakistan restores access to X after a year-long block", "lifted"),
        # a threat before the verb of a gapped head ("доступ … ограничить")
        ("В противном случае доступ к сервису может быть ограничен", "threat"),
        # a cue spanning two terms of the match
        ("The High Court suspended its directive to block the broadcaster's site", "lifted"),
        ("Суд приостановил блокировку сайта издания", "lifted"),
        # a law is not yet a block
        ("Госдума приняла закон о блокировке VPN", "plan"),
        ("Parliament passes law on blocking VPNs", "plan"),
    ],
)
def test_modality_inside_the_match(detector: Detector, title: str, modality: str) -> None:
    d = detector.classify(title)
    assert d.categories == ()
    assert d.weak_categories == ("censorship",), d.explanation
    assert d.modality == modality


@pytest.mark.parametrize(
    "title",
    [
        # "faces charges" reports a charge; "faces" inside the term is no threat
        "Khabarovsk protest veteran faces criminal charges for rally violations",
        # "without charge" after a detention still reports the detention
        "Samara picketer freed without charge after three hours at police station",
        # "угрозой" as a reason, not a threat
        "Агентство признало материалы угрозой и поручило провайдерам закрыть доступ к сайту",
    ],
)
def test_words_that_look_like_cues_but_are_not(detector: Detector, title: str) -> None:
    d = detector.classify(title)
    assert d.categories, d.explanation
    assert d.modality == "event"


def test_a_condition_of_belief_keeps_the_event(detector: Detector) -> None:
    # "если верить" is no condition on the detention, and "будут" no plan for it.
    d = detector.classify("Задержаны 50 участников акции, если верить данным правозащитников")
    assert d.categories == ("arrest",), d.explanation


def test_future_forms_make_a_plan(detector: Detector) -> None:
    assert detector.classify("РКН заблокирует YouTube").modality == "plan"
    assert detector.classify("РКН заблокировал YouTube").modality == "event"


@pytest.mark.parametrize(
    ("title", "summary", "categories", "weak"),
    [
        # A headline that lifts or denies makes what the summary recalls background.
        (
            "В Казахстане разблокировали Telegram",
            "Ограничения, введенные по распоряжению властей, сняты.",
            (),
            ("censorship",),
        ),
        (
            "Regulator unblocks the news site",
            "The site was blocked last month on the orders of the ministry.",
            (),
            ("censorship",),
        ),
        (
            "МВД опровергло задержания на акции",
            "Правозащитники сообщали, что задержаны пять участников пикета.",
            (),
            (),
        ),
        # A headline in the future tense reports an order already given.
        (
            "Регулятор заблокирует 40 сайтов",
            "Ведомство направило провайдерам предписание о блокировке.",
            ("censorship",),
            (),
        ),
        # A headline with no match of the category leaves the summary alone.
        (
            "Новости недели",
            "Роскомнадзор заблокировал сайт правозащитников.",
            ("censorship",),
            (),
        ),
        # A headline with an event keeps a summary's lifted ban from hiding it.
        (
            "Роскомнадзор заблокировал сайт издания",
            "Ранее суд снял запрет с другого сайта.",
            ("censorship",),
            (),
        ),
    ],
)
def test_the_lead_governs_the_entry(
    detector: Detector,
    title: str,
    summary: str,
    categories: tuple[str, ...],
    weak: tuple[str, ...],
) -> None:
    d = detector.classify(title, summary)
    assert (d.categories, d.weak_categories) == (categories, weak), d.explanation


@pytest.mark.parametrize(
    ("title", "modality"),
    [
        ("В Таджикистане разблокировали соцсети", "lifted"),
        ("Turkey unblocks Wikipedia", "lifted"),
        ("В Госдуму внесли законопроект о блокировке VPN-сервисов", "plan"),
    ],
)
def test_a_rule_may_say_what_it_reports(detector: Detector, title: str, modality: str) -> None:
    # Unblocking and bills are matched as such: weak, whatever cue is missing.
    d = detector.classify(title)
    assert (d.categories, d.weak_categories, d.modality) == ((), ("censorship",), modality)


CLAUSE_RULES = """\
[language]
code = "en"
script = "latin"
default = true
analyser = "suffix"

[language.stemmer]

[modality]
plan = ["plan"]

[modality.clause]
plan = ["would let"]

[groups.state]
role = "actor"
terms = ["ministry"]

[groups.block]
role = "action"
terms = ["block", "blocks"]

[groups.thing]
role = "object"
terms = ["site", "sites"]

[[rules]]
id = "block"
category = "censorship"
need = ["state", "block", "thing"]
head = "block"
window = 30
"""


def test_a_clause_cue_governs_a_head_however_far(tmp_path: Path) -> None:
    (tmp_path / "en.toml").write_text(CLAUSE_RULES, encoding="utf-8")
    detector = Detector.load(tmp_path)
    far = "A bill would let the ministry of one small country in the north block sites"
    d = detector.classify(far)
    assert (d.categories, d.weak_categories, d.modality) == ((), ("censorship",), "plan")
    # An ordinary plan cue reaches only its window; a cue after the head governs nothing.
    assert detector.classify(
        "A plan was made in the spring, and now the ministry of one country block sites"
    ).categories == ("censorship",)
    assert detector.classify("The ministry blocks sites, which would let it rest").categories == (
        "censorship",
    )


def test_clause_cues_name_only_forward_modalities(tmp_path: Path) -> None:
    path = tmp_path / "en.toml"
    path.write_text(CLAUSE_RULES.replace('plan = ["would let"]', 'lifted = ["restore"]'))
    with pytest.raises(RulesError, match=rf"^{re.escape(str(path))}:\d+: .*modality\.clause"):
        Detector.load(tmp_path)


@pytest.mark.parametrize(
    "summary",
    [
        "Глава регулятора заявил в интервью, что блокировка YouTube никогда не обсуждалась.",
        "The regulator's head said in an interview that blocking YouTube was never on the agenda.",
    ],
)
def test_a_block_never_on_the_agenda_is_denied(detector: Detector, summary: str) -> None:
    d = detector.classify("", summary)
    assert d.categories == ()
    assert d.weak_categories == ()
    assert d.explanation.startswith("censorship denied: "), d.explanation
