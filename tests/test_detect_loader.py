"""Rules files: validation errors with file and line, hot reload, new languages."""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

import pytest

from bot.detect import Detector, RulesError
from bot.detect.detector import bundled_rules_dir
from bot.detect.model import NAME

MINIMAL = """\
[language]
code = "en"
script = "latin"
default = true
analyser = "suffix"

[language.stemmer]
undouble = "bdgmnprt"

[[language.stemmer.rules]]
suffix = "ed"
undouble = true

[[language.stemmer.rules]]
suffix = "s"

[groups.detain]
role = "action"
terms = ["detain", "arrest"]

[groups.protest]
role = "context"
terms = ["protest", "rally"]

[[rules]]
id = "arrest-protest"
category = "arrest"
need = ["detain", "protest"]
window = 8
"""

WITH_ENTITIES = (
    MINIMAL
    + """
[entities]
ovd_info = "OVD-Info"

[groups.monitor]
role = "actor"

[groups.monitor.names]
ovd_info = ["ovd info"]
"""
)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def bump_mtime(path: Path) -> None:
    # Filesystems with coarse timestamps would hide an edit made within the same tick.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def test_minimal_rules_dir_works(tmp_path: Path) -> None:
    write(tmp_path, "en.toml", MINIMAL)
    detector = Detector.load(tmp_path)
    assert detector.classify("Police arrested ten at the rally").categories == ("arrest",)
    assert detector.classify("Police arrested a thief").categories == ()


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        # broken TOML syntax: the parser's own line
        ('role = "context"', 'role = "context', 22, "invalid TOML"),
        # a rule naming a group that does not exist
        ('need = ["detain", "protest"]', 'need = ["detain", "protset"]', 28, "unknown group"),
        # a typo in a key
        ("window = 8", "windw = 8", 29, "unknown key 'windw'"),
        ('role = "action"', 'role = "verb"', 18, "role must be one of"),
        ('category = "arrest"', 'category = "arrests"', 27, "category must be one of"),
        ("window = 8", "window = 0", 29, "window must be an integer"),
        ('terms = ["detain", "arrest"]', 'terms = ["detain", "…"]', 19, "has no words"),
        ('code = "en"', 'code = "de"', 2, "does not match the file name"),
        (
            'analyser = "suffix"',
            'analyser = "pymorphy3"\nmorph_lang = "xx"',
            6,
            "cannot load the pymorphy3 dictionary",
        ),
    ],
)
def test_malformed_rules_name_file_and_line(
    tmp_path: Path, old: str, new: str, line: int, words: str
) -> None:
    assert old in MINIMAL
    path = write(tmp_path, "en.toml", MINIMAL.replace(old, new))
    with pytest.raises(RulesError) as info:
        Detector.load(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ('ovd_info = "OVD-Info"', 'OVD = "OVD-Info"', 32, "entity id 'OVD' must be lower-case"),
        ('ovd_info = "OVD-Info"', 'ovd_info = ""', 32, "entities.ovd_info must not be blank"),
        ('ovd_info = ["ovd info"]', 'ovdinfo = ["ovd info"]', 38, "is not declared in [entities]"),
    ],
)
def test_malformed_entities_name_file_and_line(
    tmp_path: Path, old: str, new: str, line: int, words: str
) -> None:
    assert old in WITH_ENTITIES
    path = write(tmp_path, "en.toml", WITH_ENTITIES.replace(old, new))
    with pytest.raises(RulesError) as info:
        Detector.load(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message


def test_entities_declared_in_a_rules_file(tmp_path: Path) -> None:
    write(tmp_path, "en.toml", WITH_ENTITIES)
    detector = Detector.load(tmp_path)
    assert detector.classify("OVD Info counts the detained").entities == ("ovd_info",)
    assert detector.entity_name("ovd_info", "en") == "OVD-Info"


@pytest.mark.parametrize(
    ("extra", "line", "words"),
    [
        # TOML has types: true is no window, "3" is no number
        (
            "[[rules]]\nid = 'b'\ncategory = 'arrest'\nneed = ['detain']\nwindow = true\n",
            35,
            "rules[1].window must be an integer",
        ),
        (
            "[[rules]]\nid = 'b'\ncategory = 'arrest'\nneed = ['detain']\nweight = 1.5\n",
            35,
            "rules[1].weight must be at most 1",
        ),
        (
            "[[rules]]\nid = 'arrest-protest'\ncategory = 'arrest'\nneed = ['detain']\n",
            32,
            "duplicate rule id 'arrest-protest'",
        ),
        ("[[nulls]]\nid = 'n'\nscope = 'sentence'\n", 31, "null 'n' needs 'phrases' or 'need'"),
        (
            "[[nulls]]\nid = 'n'\nneed = ['detain']\nphrases = ['x']\n",
            31,
            "scope 'tokens' takes 'phrases' or 'need', not both",
        ),
        ("[[nulls]]\nid = 'n'\nphrases = ['x']\nscop = 'entry'\n", 34, "unknown key 'scop'"),
        (
            "[[nulls]]\nid = 'n'\nphrases = ['x']\nunless = ['protset']\n",
            34,
            "null 'n' unless refers to unknown group 'protset'",
        ),
        ("[modality]\nbefore_only = ['maybe']\n", 32, "before_only[0] must be one of"),
        # a head null says how the head stands; the stance words need scope "head"
        ("[[nulls]]\nid = 'n'\nscope = 'head'\n", 31, "scope 'head' needs 'phrases', 'forms'"),
        ("[[nulls]]\nid = 'n'\nphrases = ['x']\nforms = ['ed']\n", 31, "need scope 'head'"),
        (
            "[[nulls]]\nid = 'n'\nscope = 'head'\nneed = ['detain']\n",
            31,
            "scope 'head' takes no 'need'",
        ),
        (
            "[[rules]]\nid = 'b'\ncategory = 'arrest'\nneed = ['detain']\nagent = ['protest']\n",
            35,
            "agent 'protest' must be one of need or any",
        ),
        (
            "[[rules]]\nid = 'b'\ncategory = 'arrest'\nneed = ['detain']\nsubjects = ['protest']\n",
            35,
            "subjects need an agent",
        ),
        (
            "[[nulls]]\nid = 'n'\nscope = 'head'\nforms = ['ed']\nrules = ['arest-protest']\n",
            35,
            "null 'n' rules names unknown rule 'arest-protest'",
        ),
        (
            "[[nulls]]\nid = 'n'\nphrases = ['x']\nrules = ['arrest-protest']\n",
            31,
            "'rules' needs scope 'head'",
        ),
        (
            "[[nulls]]\nid = 'n'\nscope = 'tokens'\nphrases = ['x']\nmodality = 'lifted'\n",
            31,
            "'modality' needs scope 'sentence'",
        ),
        (
            "[groups.x]\nrole = 'actor'\nterms = ['x']\nnot_followed_by = ['!']\n",
            34,
            "not_followed_by[0] must be one of",
        ),
        ("[groups.Bad]\nrole = 'object'\nterms = ['x']\n", 31, "group name 'Bad' must be"),
    ],
)
def test_schema_errors_name_file_and_line(
    tmp_path: Path, extra: str, line: int, words: str
) -> None:
    path = write(tmp_path, "en.toml", MINIMAL + "\n" + extra)
    with pytest.raises(RulesError) as info:
        Detector.load(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message


def test_missing_language_table(tmp_path: Path) -> None:
    path = write(tmp_path, "en.toml", MINIMAL.replace("[language]", "[langage]"))
    with pytest.raises(RulesError, match=rf"^{re.escape(str(path))}:1: unknown key 'langage'"):
        Detector.load(tmp_path)


def test_empty_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"no \*\.toml rules files"):
        Detector.load(tmp_path)


def test_reload_picks_up_an_edit(tmp_path: Path) -> None:
    path = write(tmp_path, "en.toml", MINIMAL)
    detector = Detector.load(tmp_path)
    assert detector.reload_if_changed() is False  # nothing changed
    assert detector.classify("Police detained ten at the vigil").categories == ()

    path.write_text(MINIMAL.replace('"rally"]', '"rally", "vigil"]'), encoding="utf-8")
    bump_mtime(path)
    assert detector.reload_if_changed() is True
    assert detector.classify("Police detained ten at the vigil").categories == ("arrest",)


def test_bad_reload_keeps_last_good_rules_and_logs_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, "en.toml", MINIMAL)
    detector = Detector.load(tmp_path)
    path.write_text(MINIMAL.replace("window = 8", "window = [8"), encoding="utf-8")
    bump_mtime(path)

    with caplog.at_level(logging.ERROR, logger="bot.detect.detector"):
        assert detector.reload_if_changed() is False
        assert detector.reload_if_changed() is False  # same bad file: no second log line
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert f"{path}:29: invalid TOML" in errors[0].getMessage()
    # the previous rules still work
    assert detector.classify("Police arrested ten at the rally").categories == ("arrest",)

    path.write_text(MINIMAL, encoding="utf-8")
    bump_mtime(path)
    assert detector.reload_if_changed() is True


def test_a_new_language_is_a_data_file(tmp_path: Path) -> None:
    # Ukrainian without code changes: a suffix stemmer and the letters that
    # tell Ukrainian from Russian, next to the bundled Russian rules.
    shutil.copy(bundled_rules_dir() / "ru.toml", tmp_path / "ru.toml")
    write(
        tmp_path,
        "uk.toml",
        """\
[language]
code = "uk"
name = "Ukrainian"
script = "cyrillic"
letters = "іїєґ"
analyser = "suffix"
place_prepositions = ["у", "в"]

[language.stemmer]
rules = [
    { suffix = "ами", min_stem = 4 }, { suffix = "ів", min_stem = 4 },
    { suffix = "ла", min_stem = 4 }, { suffix = "ли", min_stem = 4 },
    { suffix = "ти", min_stem = 4 }, { suffix = "у", min_stem = 4 },
    { suffix = "і", min_stem = 4 }, { suffix = "а", min_stem = 4 },
]

[groups.detain]
role = "action"
terms = ["затримати", "затримання"]

[groups.protest]
role = "context"
terms = ["мітинг", "протест", "акція"]

[[rules]]
id = "arrest-protest"
category = "arrest"
need = ["detain", "protest"]
window = 10
""",
    )
    detector = Detector.load(tmp_path)
    d = detector.classify("Поліція затримала учасників мітингу у Києві")
    assert d.lang == "uk"
    assert d.categories == ("arrest",)
    assert detector.classify("Полиция задержала участников митинга").lang == "ru"


def test_bundled_rules_load(tmp_path: Path) -> None:
    detector = Detector.load()
    assert set(detector.languages) >= {"ru", "en"}


NAMES_RULES = """\
[language]
code = "en"
script = "latin"
default = true
analyser = "suffix"
names = "capitalised"

[language.stemmer]

[modality]

[groups.state]
role = "actor"
terms = ["russia"]

[groups.access]
role = "action"
terms = ["restricts access"]  # no stemmer rules here: the form as written

[[rules]]
id = "access-name"
category = "censorship"
need = ["state", "access", "name"]
window = 6
"""


def test_names_group_is_built_in_when_declared(tmp_path: Path) -> None:
    (tmp_path / "en.toml").write_text(NAMES_RULES, encoding="utf-8")
    detector = Detector.load(tmp_path)
    assert detector.classify("Russia restricts access to FaceTime").categories == ("censorship",)
    assert detector.classify("Russia restricts access to the border").categories == ()


def test_names_mode_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "en.toml"
    path.write_text(
        NAMES_RULES.replace('names = "capitalised"', 'names = "caps"'), encoding="utf-8"
    )
    with pytest.raises(
        RulesError, match=rf"^{re.escape(str(path))}:6: language\.names must be one of"
    ):
        Detector.load(tmp_path)


def test_rules_cannot_ask_for_names_undeclared(tmp_path: Path) -> None:
    path = tmp_path / "en.toml"
    path.write_text(NAMES_RULES.replace('names = "capitalised"\n', ""), encoding="utf-8")
    with pytest.raises(RulesError, match=f"unknown group '{NAME}'"):
        Detector.load(tmp_path)


def test_a_group_called_name_clashes_with_the_built_in_one(tmp_path: Path) -> None:
    path = tmp_path / "en.toml"
    text = NAMES_RULES + '\n[groups.name]\nrole = "object"\nterms = ["x"]\n'
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match=r"is built in when language\.names is set"):
        Detector.load(tmp_path)
