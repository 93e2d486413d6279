"""Words only the Discord side needs (slash-command help, permission hints), in en and ru.

Replies to commands come from `handlers.texts` through the shared service; this
file holds what the service has no notion of: option descriptions and Discord's
own permissions. Keys it does not hold (the category names, `choice.*`) are the
service's own words, read from `handlers.texts`.
"""

from __future__ import annotations

from handlers.texts import has_text, normalize_language, text

_EN: dict[str, str] = {
    "cmd.subscribe": "Get Tocsin alerts in this channel (or another one)",
    "cmd.unsubscribe": "Stop Tocsin alerts in this channel (or another one)",
    "cmd.subscriptions": "What this channel (or another one) receives",
    "cmd.feeds": "The feeds Tocsin watches and their health",
    "cmd.lang": "Language of this channel's alerts and replies",
    "cmd.addfeed": "Bot operators: add an RSS or Atom feed",
    "cmd.removefeed": "Bot operators: remove a feed",
    "cmd.status": "Bot operators: feeds, queue, alerts, deactivated channels",
    "opt.category": "Which alerts: censorship, arrests or both",
    "opt.languages": "Only from sources in these languages, e.g. ru en",
    "opt.include": "Only items mentioning one of these words (comma-separated)",
    "opt.exclude": "Skip items mentioning any of these words (comma-separated)",
    "opt.channel": "Where the alerts go (default: here); a forum gets one post per alert",
    "opt.language": "en or ru",
    "opt.url": "The feed's http:// or https:// address",
    "opt.feed": "The feed to remove (start typing its name or number)",
}

_RU: dict[str, str] = {
    "cmd.subscribe": "Получать оповещения Tocsin в этом (или другом) канале",
    "cmd.unsubscribe": "Перестать получать оповещения в этом (или другом) канале",
    "cmd.subscriptions": "Что получает этот (или другой) канал",
    "cmd.feeds": "Ленты, за которыми следит Tocsin, и их состояние",
    "cmd.lang": "Язык оповещений и ответов в этом канале",
    "cmd.addfeed": "Для операторов: добавить ленту RSS или Atom",
    "cmd.removefeed": "Для операторов: удалить ленту",
    "cmd.status": "Для операторов: ленты, очередь, оповещения, отключённые каналы",
    "opt.category": "Какие оповещения: цензура, задержания или всё",
    "opt.languages": "Только из источников на этих языках, например ru en",
    "opt.include": "Только записи с одним из этих слов (через запятую)",
    "opt.exclude": "Пропускать записи с любым из этих слов (через запятую)",
    "opt.channel": "Куда слать оповещения (по умолчанию сюда); в форуме — пост на каждое",
    "opt.language": "en или ru",
    "opt.url": "Адрес ленты, http:// или https://",
    "opt.feed": "Какую ленту удалить (начните вводить название или номер)",
}

_TABLES = {"en": _EN, "ru": _RU}


def wording(lang: str | None, key: str, **params: object) -> str:
    code = normalize_language(lang) or "en"
    if key not in _EN:
        return text(code, key, **params)
    table = _TABLES.get(code, _EN)
    template = table.get(key) or _EN[key]
    return template.format(**params) if params else template


def has_wording(key: str) -> bool:
    return key in _EN or has_text(key)
