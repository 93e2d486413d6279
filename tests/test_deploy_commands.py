"""What the Docker image runs, run here as ordinary commands (Docker cannot run here).

The Dockerfile is read, not trusted: the files it copies are copied into a folder
standing for the image's /app, its ENV is the processes' environment (with /data,
the volume, mapped to a temporary folder), and its ENTRYPOINT + CMD and its
HEALTHCHECK command are run as they are written there, with this checkout's
dependencies standing in for `pip install .`.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TEST_START
from tests.processes import ROOT


@dataclass(frozen=True)
class Image:
    copied: list[str]
    env: dict[str, str]
    workdir: str
    command: list[str]
    health: list[str]


def read_dockerfile() -> Image:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    # Comment lines go first, as Docker removes them, even inside a continued line.
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    text = text.replace("\\\n", " ")
    copied: list[str] = []
    env: dict[str, str] = {}
    workdir, entrypoint, cmd, health = "/", [], [], []
    for line in text.splitlines():
        line = re.sub(r"\s+#.*$", "", line.strip())
        word, _, rest = line.partition(" ")
        if word == "COPY":
            copied += rest.split()[:-1]
        elif word == "ENV":
            env.update(re.findall(r"(\w+)=(\S+)", rest))
        elif word == "WORKDIR":
            workdir = rest.strip()
        elif word == "ENTRYPOINT":
            entrypoint = json.loads(rest)
        elif word == "CMD":
            cmd = json.loads(rest)
        elif word == "HEALTHCHECK":
            health = json.loads(rest.split(" CMD ", 1)[1])
    return Image(copied, env, workdir, entrypoint + cmd, health)


class Container:
    """The image's file system and environment, in a temporary folder."""

    def __init__(self, image: Image, root: Path) -> None:
        self.app = root / "app"
        self.volume = root / "data"
        self.app.mkdir()
        self.volume.mkdir()
        for name in image.copied:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(
                    source, self.app / name, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                shutil.copy(source, self.app / name)
        self.env = {
            name: re.sub(r"^/data(?=/|$)", str(self.volume), value)
            for name, value in image.env.items()
        }
        # The image's own Python finds Tocsin where pip installed it; here, in "/app".
        self.env.update(
            PYTHONPATH=str(self.app),
            PATH="/usr/bin:/bin",
            HOME=str(root),
            CLOCK_START=TEST_START.isoformat(),
            # What a real .env would add: no demo, alerts in the container's log.
            DEMO_FEEDS="off",
            CONSOLE_CHAT="on",
        )

    def argv(self, command: list[str]) -> list[str]:
        """`tocsin ...` as the image's console script would run it (bot.__main__:main)."""
        assert command[0] == "tocsin", command
        script = "import sys; from bot.__main__ import main; sys.exit(main())"
        return [sys.executable, "-c", script, *command[1:]]

    async def start(self, command: list[str]) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *self.argv(command),
            cwd=self.app,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )

    async def run(self, command: list[str]) -> tuple[int, str]:
        process = await self.start(command)
        out, err = await asyncio.wait_for(process.communicate(), 90)
        return process.returncode or 0, out.decode() + err.decode()


def test_the_image_keeps_secrets_and_databases_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", "data/", ".venv/", ".git/"} <= set(ignored)
    image = read_dockerfile()
    assert image.env["DATABASE_PATH"].startswith("/data/")
    assert image.command == ["tocsin", "run"] and image.health[0] == "tocsin"


@pytest.mark.timeout(300)
async def test_the_entrypoint_and_the_health_check_as_the_image_runs_them(
    tmp_path: Path,
) -> None:
    image = read_dockerfile()
    container = Container(image, tmp_path)
    status, said = await container.run(["tocsin", "--help"])
    assert status == 0 and "backup" in said, said

    status, said = await container.run(image.health)
    assert status == 1 and "unhealthy: no Tocsin is running" in said, said

    bot = await container.start(image.command)
    assert bot.stderr is not None
    try:
        log = ""
        async with asyncio.timeout(60):
            while "Tocsin is running" not in log:
                line = await bot.stderr.readline()
                assert line, f"the entrypoint ended: {log}"
                log += line.decode()
        status, said = await container.run(image.health)
        assert status == 0 and f"running (pid {bot.pid})" in said, said
    finally:
        bot.send_signal(signal.SIGTERM)  # what `docker stop` sends
        await asyncio.wait_for(bot.communicate(), 30)
    assert bot.returncode == 0

    status, said = await container.run(image.health)
    assert status == 1, said
    # Everything written went to the volume; the image's folder is untouched.
    assert (container.volume / "tocsin.sqlite3").is_file()
    written = [
        p.name
        for p in container.app.rglob("*")
        if p.name.endswith((".sqlite3", ".lock", "-wal", "-shm")) or p.name == "__pycache__"
    ]
    assert written == []
