"""Tocsin's configuration: one typed class, read from the environment and `.env`.

Nothing here runs at import time; the composition root calls `load_settings()` once
and passes the result down. Tests build `Settings(...)` directly.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from feeds.proxy import Proxy, parse_proxy

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigError(Exception):
    """A configuration value is unusable; the message names the variable."""


def _split_text(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _split_list(value: object) -> object:
    """Accept "1, 2,3" as well as a real list: operators write lists by hand in `.env`."""
    if isinstance(value, str):
        return _split_text(value)
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    database_path: Path = Path("data/tocsin.sqlite3")
    # The embedded demo keeps its feeds and its terminal chat in a database of its own,
    # so nothing of the demo can reach a real deployment's chats.
    demo_database_path: Path = Path("data/demo.sqlite3")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str | None = None
    telegram_admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    telegram_link_previews: bool = False

    discord_bot_token: SecretStr | None = None
    discord_api_url: str | None = None
    discord_admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    poll_interval_seconds: int = Field(default=600, ge=1)
    poll_min_interval_seconds: int = Field(default=120, ge=1)
    poll_max_interval_seconds: int = Field(default=6 * 3600, ge=1)
    tick_seconds: float = Field(default=5.0, gt=0)

    fetch_allow_private_networks: Annotated[str, NoDecode] = "false"
    fetch_timeout_seconds: float = Field(default=30.0, gt=0)
    fetch_connect_timeout_seconds: float = Field(default=10.0, gt=0)
    fetch_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    fetch_concurrency: int = Field(default=512, ge=1)
    fetch_per_host: int = Field(default=4, ge=1)
    # Feeds are fetched through this proxy (http:// or socks5://) unless a feed has its
    # own setting. Secret: its URL usually holds a password.
    fetch_proxy: SecretStr | None = None

    backlog_alerts: int = Field(default=0, ge=0)
    feed_failure_notify_after_seconds: int = Field(default=6 * 3600, ge=0)

    demo_feeds: Literal["auto", "on", "off"] = "auto"
    console_chat: Literal["auto", "on", "off"] = "auto"
    console_language: Literal["en", "ru"] = "en"
    # The language of admin notices (feeds failing, silent, recovered; a refused token).
    admin_language: Literal["en", "ru"] = "en"

    @field_validator("telegram_admin_ids", "discord_admin_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        return _split_list(value)

    @field_validator(
        "telegram_bot_token",
        "discord_bot_token",
        "telegram_webhook_secret",
        "fetch_proxy",
        "telegram_proxy",
        "discord_proxy",
        mode="before",
    )
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        # `.env.example` ships with empty assignments; an empty secret means "not set".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("fetch_proxy", "telegram_proxy", "discord_proxy", mode="after")
    @classmethod
    def _proxy(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            # The message names what is wrong, never the value (it may hold a password).
            parse_proxy(value.get_secret_value())
        return value

    @property
    def proxy(self) -> Proxy | None:
        """FETCH_PROXY, parsed."""
        return _secret_proxy(self.fetch_proxy)

    def secret_values(self) -> list[str]:
        """Every configured secret, for the logging filter to hide wherever it appears:
        the tokens, the webhook secret and the proxies' passwords."""
        values = [
            secret.get_secret_value()
            for secret in (
                self.telegram_bot_token,
                self.discord_bot_token,
                self.telegram_webhook_secret,
            )
            if secret is not None
        ]
        for proxy in (self.proxy, self.telegram_proxy_parsed, self.discord_proxy_parsed):
            if proxy is not None and proxy.password:
                values.append(proxy.password)
        return values

    @field_validator("clock_start", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_api_url", "discord_api_url", "telegram_webhook_url", mode="before")
    @classmethod
    def _url(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not value.startswith(("http://", "https://")):
                raise ValueError("must be an http:// or https:// URL")
            return value.rstrip("/")
        return value

    @field_validator("fetch_allow_private_networks", mode="after")
    @classmethod
    def _private_networks(cls, value: str) -> str:
        parse_private_networks(value)
        return value

    @model_validator(mode="after")
    def _interval_bounds(self) -> Settings:
        if self.poll_min_interval_seconds > self.poll_max_interval_seconds:
            raise ValueError("POLL_MIN_INTERVAL_SECONDS must not exceed POLL_MAX_INTERVAL_SECONDS")
        return self

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def discord_enabled(self) -> bool:
        return self.discord_bot_token is not None

    @property
    def demo_enabled(self) -> bool:
        if self.demo_feeds == "auto":
            return not (self.telegram_enabled or self.discord_enabled)
        return self.demo_feeds == "on"

    @property
    def console_enabled(self) -> bool:
        if self.console_chat == "auto":
            return not (self.telegram_enabled or self.discord_enabled)
        return self.console_chat == "on"

    @property
    def database_in_use(self) -> Path:
        """The database this process works on: the demo's own, or the real one."""
        return self.demo_database_path if self.demo_enabled else self.database_path

    @property
    def private_networks(self) -> tuple[bool, tuple[IPNetwork, ...]]:
        return parse_private_networks(self.fetch_allow_private_networks)

    # --- Telegram delivery and webhook ---
    # Limits the Telegram sender keeps on its own, so the Bot API never has to say 429.
    telegram_rate_per_second: float = Field(default=30.0, gt=0)
    telegram_rate_per_chat_per_second: float = Field(default=1.0, gt=0)
    telegram_rate_per_group_per_minute: float = Field(default=20.0, gt=0)
    # Set to the public URL Telegram should post updates to for webhook mode; long
    # polling otherwise. The bot listens on host:port at that URL's path.
    telegram_webhook_url: str | None = None
    telegram_webhook_host: str = "127.0.0.1"
    telegram_webhook_port: int = Field(default=8081, ge=0, le=65535)
    telegram_webhook_secret: SecretStr | None = None

    # --- Feed ingestion ---
    # Longest wait for the next bytes from a server once connected (FETCH_TIMEOUT_SECONDS
    # bounds the whole fetch, FETCH_CONNECT_TIMEOUT_SECONDS the connection).
    fetch_read_timeout_seconds: float = Field(default=20.0, gt=0)
    # Where feeds are parsed: "process" (worker processes, the default: parsing runs on
    # the other cores and a stuck parse can be killed) or "thread".
    parse_pool: Literal["process", "thread"] = "process"
    # Parser workers; 0 means one per CPU core.
    parse_workers: int = Field(default=0, ge=0)
    # A document that takes longer than this to parse fails as a parse error.
    parse_timeout_seconds: float = Field(default=30.0, gt=0)
    # A busy feed silent for this long (and for ten times its usual gap between entries)
    # is reported to the bot admins as possibly blocked.
    feed_silence_notify_min_seconds: int = Field(default=24 * 3600, ge=0)

    # --- Retention (database size) ---
    # Days old entries keep their words, old events are kept, and delivered alerts are
    # kept; 0 keeps them forever. A pruned entry keeps its identity: it never alerts again.
    retention_entry_text_days: int = Field(default=90, ge=0)
    retention_event_days: int = Field(default=90, ge=0)
    retention_outbox_days: int = Field(default=30, ge=0)
    # Days the audit log (who added, removed or changed what) is kept; 0 = forever.
    retention_audit_days: int = Field(default=365, ge=0)
    # The hour (UTC, 0-23) the daily prune runs at.
    retention_hour: int = Field(default=4, ge=0, le=23)

    # The moment the process's clock starts from (then it runs at the real pace); unset,
    # the system clock. Tests hand their clock to the processes they start this way.
    clock_start: AwareDatetime | None = None

    # --- Feedback ---
    # The terminal chat also prints weak signals (threats, plans, bills, lifted bans)
    # as low-severity notes.
    console_weak_events: bool = False
    # --- Stories: one message per real-world event, edited as reports arrive.
    # Off: every chat gets one message per report, whatever it chose.
    stories: bool = True
    # How long a story's first message waits for near-simultaneous reports, and
    # how long an edit waits for more (a burst of reports makes one edit); 0 = off.
    story_hold_back_seconds: float = Field(default=60.0, ge=0)
    # The terminal chat: stories (true) or a message for every report (false).
    console_stories: bool = True

    # --- Operations: health endpoint, log format, platform proxies ---
    # Where /healthz, /readyz and /metrics answer: a port (on loopback), or host:port.
    # Unset: no endpoint.
    health_listen: str | None = None
    # "text" for people, "json" (one object per line) for log shippers.
    log_format: Literal["text", "json"] = "text"
    # The Telegram Bot API and Discord are reached through these proxies (http:// or
    # socks5://) when set. Secret: their URLs usually hold a password.
    telegram_proxy: SecretStr | None = None
    discord_proxy: SecretStr | None = None

    @field_validator("health_listen", mode="before")
    @classmethod
    def _listen(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return None
            parse_listen(value)
            return value.strip()
        return value

    @property
    def health_address(self) -> tuple[str, int] | None:
        """HEALTH_LISTEN as (host, port); None when the endpoint is off."""
        return parse_listen(self.health_listen) if self.health_listen else None

    @property
    def telegram_proxy_parsed(self) -> Proxy | None:
        return _secret_proxy(self.telegram_proxy)

    @property
    def discord_proxy_parsed(self) -> Proxy | None:
        return _secret_proxy(self.discord_proxy)


LOOPBACK = "127.0.0.1"


def parse_listen(value: str) -> tuple[str, int]:
    """`PORT` (loopback), `HOST:PORT` or `[IPV6]:PORT`; ValueError otherwise."""
    text = value.strip()
    host, separator, port_text = text.rpartition(":")
    if not separator:
        host, port_text = LOOPBACK, text
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or not port_text.isdigit() or int(port_text) > 65535:
        raise ValueError("expected PORT or HOST:PORT, e.g. 9090 or 0.0.0.0:9090")
    return host, int(port_text)


def _secret_proxy(value: SecretStr | None) -> Proxy | None:
    return parse_proxy(value.get_secret_value()) if value is not None else None


def parse_private_networks(value: str) -> tuple[bool, tuple[IPNetwork, ...]]:
    """`true` allows every private address; a list of CIDRs allows just those."""
    text = value.strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return False, ()
    if text in ("1", "true", "yes", "on"):
        return True, ()
    networks: list[IPNetwork] = []
    for part in _split_text(value):
        try:
            networks.append(ipaddress.ip_network(str(part), strict=False))
        except ValueError:
            raise ValueError(
                f"expected true, false or a comma-separated list of CIDRs, got {part!r}"
            ) from None
    return False, tuple(networks)


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Read settings; raise ConfigError with one line per bad variable."""
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        location = error.get("loc") or ()
        name = str(location[0]).upper() if location else "configuration"
        message = str(error.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ")
        lines.append(f"{name}: {message}")
    return "; ".join(lines)
