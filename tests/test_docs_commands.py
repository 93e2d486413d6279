"""Every command the README and the setup pages show works as written.

The shell blocks (```sh) of the documents are read line by line. A Tocsin command
must parse (the subcommand and options exist); the safe ones (they neither fetch
nor start the bot) run exactly as written, in a fresh folder holding only a `.venv`
(this checkout's); `make` targets must exist; a file a `cp` copies from the
checkout must be there; and no block may show the bare `python -m bot` or
`tocsin`, which fail outside `.venv` (the console script lives in `.venv/bin`).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.settings import load_settings
from tests.documents import Shown, env_blocks, read, run_as_written, shell_lines, tocsin_args
from tests.processes import ROOT

DOCUMENTS = (
    "README.md",
    "docs/telegram.md",
    "docs/discord.md",
    "docs/deploy.md",
    "docs/readme/deploy.md",
)
# Tocsin commands that touch nothing outside the database: run as written.
SAFE = (
    ("--help",),
    ("feeds", "list"),
    ("feeds", "catalog"),
    ("feeds", "export"),
    ("db", "stats"),
    ("db", "prune"),
    ("backup",),
    ("migrate",),
)


def every_line() -> list[Shown]:
    return [shown for document in DOCUMENTS for shown in shell_lines(document)]


def is_safe(args: list[str]) -> bool:
    return any(tuple(args[: len(safe)]) == safe for safe in SAFE)


def make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))


def test_the_documents_show_commands_at_all() -> None:
    for document in DOCUMENTS:
        assert shell_lines(document), f"{document} shows no command"
    assert sum(is_safe(tocsin_args(s.line) or []) for s in every_line()) >= 8


@pytest.mark.parametrize("shown", every_line(), ids=str)
def test_each_command_shown_exists(shown: Shown) -> None:
    words = shlex.split(shown.line)
    assert words[:3] != ["python", "-m", "bot"] and words[0] not in ("tocsin", "python"), (
        f"{shown}: outside .venv this fails; show .venv/bin/tocsin or a make target"
    )
    args = tocsin_args(shown.line)
    if args is not None:
        if args == ["--help"]:
            return
        try:
            build_parser().parse_args(args)
        except SystemExit:
            pytest.fail(f"{shown}: Tocsin does not accept these arguments")
    elif words[0] == "make":
        assert set(words[1:]) <= make_targets(), f"{shown}: no such make target"
    elif words[0] == "cp" and not words[1].startswith(("data/", "/")):
        assert (ROOT / words[1]).exists(), f"{shown}: {words[1]} is not in the checkout"


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_the_safe_commands_run_as_written(document: str, tmp_path: Path) -> None:
    """In document order, in one folder (a fresh clone's, with `make install` done)."""
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "data").mkdir()
    ran = 0
    for shown in shell_lines(document):
        args = tocsin_args(shown.line)
        if args is None or not is_safe(args) or not shown.line.startswith(".venv/"):
            continue
        status, output = await run_as_written(shown.line, tmp_path)
        assert status == 0, f"{shown}\n{output}"
        assert "Traceback" not in output, f"{shown}\n{output}"
        ran += 1
    if document != "README.md":  # the README's own blocks show `make` targets only
        assert ran, f"{document}: no safe command ran"


@pytest.mark.parametrize(
    ("document", "platform"), [("docs/telegram.md", "telegram"), ("docs/discord.md", "discord")]
)
def test_the_minimal_env_block_turns_its_platform_on(
    document: str, platform: str, tmp_path: Path
) -> None:
    blocks = env_blocks(read(document))
    assert blocks, f"{document} shows no .env block"
    env = tmp_path / ".env"
    env.write_text("".join(f"{name}={value}\n" for name, value in blocks[0].items()))
    settings = load_settings(env)
    assert getattr(settings, f"{platform}_enabled")
    assert not settings.demo_enabled
    assert getattr(settings, f"{platform}_admin_ids"), "the block names no admin"
