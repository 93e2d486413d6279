"""Settings parse the way an operator writes them in `.env`."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from bot.settings import ConfigError, Settings, load_settings


def test_lists_and_networks_are_written_as_plain_text(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "TELEGRAM_ADMIN_IDS=11, 22;33\n"
        "FETCH_ALLOW_PRIVATE_NETWORKS=10.1.0.0/16, fd00::/8\n"
        "TELEGRAM_BOT_TOKEN=123:xyzzy-token-value\n"
        "DISCORD_BOT_TOKEN=\n",
        encoding="utf-8",
    )
    settings = load_settings(env)
    assert settings.telegram_admin_ids == [11, 22, 33]
    assert settings.private_networks == (
        False,
        (ipaddress.ip_network("10.1.0.0/16"), ipaddress.ip_network("fd00::/8")),
    )
    assert settings.telegram_enabled and not settings.discord_enabled
    # A token set means a real deployment: no demo feeds, no terminal chat.
    assert not settings.demo_enabled and not settings.console_enabled
    assert "xyzzy-token-value" not in repr(settings)
    assert "xyzzy-token-value" not in str(settings.model_dump())


def test_no_token_means_the_embedded_default(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_path=tmp_path / "db")  # type: ignore[call-arg]
    assert settings.demo_enabled and settings.console_enabled
    assert settings.private_networks == (False, ())


def test_every_bad_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FETCH_PER_HOST", "0")
    monkeypatch.setenv("DISCORD_ADMIN_IDS", "me")
    with pytest.raises(ConfigError) as caught:
        load_settings(None)
    assert "FETCH_PER_HOST" in str(caught.value) and "DISCORD_ADMIN_IDS" in str(caught.value)


def test_env_example_documents_every_setting() -> None:
    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text(encoding="utf-8")
    documented = {
        line.split("=", 1)[0].strip()
        for line in example.splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    assert {name.upper() for name in Settings.model_fields} == documented
    # Every variable has a comment right above it (or above its group).
    lines = example.splitlines()
    for index, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            above = [text for text in lines[:index] if text.strip()]
            assert above and (above[-1].startswith("#") or "=" in above[-1]), line


def test_readme_configuration_table_names_every_setting() -> None:
    # An operator reads the README's table, not the settings module: a setting missing
    # there is a setting nobody finds.
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in table]
    assert missing == []


def test_the_clock_can_be_started_at_a_given_moment_and_must_name_its_zone() -> None:
    assert Settings(_env_file=None, clock_start="").clock_start is None  # type: ignore[call-arg]
    started = Settings(_env_file=None, clock_start="2026-11-24T12:00:00Z")  # type: ignore[call-arg]
    assert started.clock_start is not None and started.clock_start.utcoffset() is not None
    with pytest.raises(ValueError, match="timezone"):
        Settings(_env_file=None, clock_start="2026-11-24T12:00:00")  # type: ignore[call-arg]


def test_every_proxy_password_is_hidden_from_the_logs() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        fetch_proxy="http://f:fetch-pass@127.0.0.1:3128",
        telegram_proxy="socks5://t:telegram-pass@127.0.0.1:1080",
        discord_proxy="http://d:discord-pass@127.0.0.1:3129",
    )
    hidden = settings.secret_values()
    assert {"fetch-pass", "telegram-pass", "discord-pass"} <= set(hidden)
