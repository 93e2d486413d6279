"""Threats, plans, warnings, lifted bans, denials and releases."""

from __future__ import annotations

import pytest

from bot.detect import Detector


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
