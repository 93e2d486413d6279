"""What the README and the docs pages show: their code blocks, commands and setup steps.

Shared by the tests that run those commands as written.
"""

from __future__ import annotations

import asyncio
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from tests.processes import ROOT, tocsin_env

# How a document may call Tocsin; the rest of the line is Tocsin's arguments.
PREFIXES = (
    (".venv/bin/tocsin",),
    ("sudo", "-u", "tocsin", ".venv/bin/tocsin"),
    ("docker", "compose", "exec", "tocsin", "tocsin"),
)
SHELLS = ("sh", "shell", "bash")


@dataclass(frozen=True)
class Shown:
    document: str
    line: str

    def __str__(self) -> str:
        return f"{self.document}: {self.line}"


def read(document: str) -> str:
    return (ROOT / document).read_text(encoding="utf-8")


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(info string, body) of each fenced block of `text`, indented ones (in lists) too."""
    return re.findall(r"^ *```(\w*)\n(.*?)^ *```$", text, re.M | re.S)


def commands_in(text: str) -> list[str]:
    """The command lines of the shell blocks of `text`, comments left out."""
    found = []
    for language, block in code_blocks(text):
        if language not in SHELLS:
            continue
        for raw in block.splitlines():
            line = re.sub(r"\s+#.*$", "", raw).strip()  # a comment after the command
            if line and not line.startswith("#"):
                found.append(line)
    return found


def shell_lines(document: str) -> list[Shown]:
    return [Shown(document, line) for line in commands_in(read(document))]


def env_blocks(text: str) -> list[dict[str, str]]:
    """The settings of each plain block made of `NAME=value` lines (a `.env` shown)."""
    found = []
    for language, block in code_blocks(text):
        if not language and re.match(r"\s*[A-Z_]+=", block):
            lines = (line.strip() for line in block.splitlines())
            found.append(dict(line.split("=", 1) for line in lines if line))
    return found


def numbered_steps(text: str) -> dict[int, str]:
    """The steps of a page's numbered list (`1. **...`), each with its indented body."""
    starts = list(re.finditer(r"^(\d+)\. \*\*", text, re.M))
    steps = {}
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        end = following.start() if following is not None else len(text)
        body = text[match.start() : end]
        # The list ends at the first line that is neither blank nor indented.
        lines = body.splitlines(keepends=True)
        kept = [lines[0]]
        for line in lines[1:]:
            if line.strip() and not line.startswith(" "):
                break
            kept.append(line)
        steps[int(match.group(1))] = "".join(kept)
    return steps


def tocsin_args(line: str) -> list[str] | None:
    words = shlex.split(line)
    for prefix in PREFIXES:
        if tuple(words[: len(prefix)]) == prefix:
            return words[len(prefix) :]
    return None


async def run_as_written(
    line: str, folder: Path, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run `line` through the shell in `folder`, as a person would type it, on the test's
    clock (more environment variables in `env`); its status and output."""
    process = await asyncio.create_subprocess_shell(
        line,
        cwd=folder,
        env=tocsin_env(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 90)
    return process.returncode or 0, out.decode()
