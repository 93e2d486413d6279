"""Every user-facing string of the chat commands, in English and Russian.

`text(lang, key, **params)` fills `str.format` placeholders; values that come from
feeds or users are passed in as parameters, never pasted into the templates. The
replies are plain text: each adapter escapes them for its own markup.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("en", "ru")
DEFAULT_LANGUAGE = "en"

_EN: dict[str, str] = {
    # /start and /help
    "start.greeting": "Hello! I am Tocsin.",
    "help.about": (
        "I watch regulator and news feeds and post an alert here when they report a "
        "censorship demand (blocking, takedown, throttling) or arrests at protests."
    ),
    "help.commands": "Commands:",
    "help.admin_commands": "Bot admin commands:",
    "cmd.start": "what this bot does",
    "cmd.help": "commands, short",
    "cmd.subscribe": "get alerts here: censorship, arrest or all; ru/en; +word; -word",
    "cmd.unsubscribe": "stop alerts here",
    "cmd.subscriptions": "what this chat gets",
    "cmd.feeds": "the feeds and their health",
    "cmd.lang": "language of this chat: en or ru",
    "cmd.addfeed": "add a feed: /addfeed URL",
    "cmd.removefeed": "remove a feed: /removefeed ID",
    "cmd.status": "feeds, queue and alerts in the last 24 hours",
    "help.example": "Example: /subscribe arrest ru +Moscow -football",
    # authorisation
    "refuse.manage": (
        "Sorry, only administrators of this chat can change what it receives. "
        "Ask one of them to run the command."
    ),
    "refuse.bot_admin": "Sorry, this command is for the bot's operators only.",
    # /subscribe
    "subscribe.choose": "What should {where} receive? Choose below, or type for example "
    "/subscribe arrest ru +Moscow",
    "subscribe.done": "Done: {where} will now receive: {description}",
    "choice.censorship": "Censorship",
    "choice.arrest": "Arrests",
    "choice.all": "Both",
    "bot.cannot_post": (
        "I can't post alerts in {where}: I need the {missing} permission there. "
        "Grant it, then run /subscribe again."
    ),
    "bot.not_a_destination": "{where} cannot hold messages; choose a text channel, "
    "a thread or a forum.",
    "where.private": "this chat",
    "where.group": "this group",
    "where.topic": "this topic",
    "where.channel": "the channel «{title}»",
    "where.channel_untitled": "the channel",
    "channel.bot_not_admin": (
        "I am not an administrator of that channel yet. Add me as an admin who can post "
        "messages, then forward a post again."
    ),
    # argument errors
    "args.unclosed_quote": 'A quote is not closed. Example: /subscribe +"Red Square"',
    "args.empty_word": "“{token}” needs a word after the sign, for example +Moscow or -football.",
    "args.word_too_long": "The word “{word}” is too long (at most {limit} characters).",
    "args.too_many_words": "Too many words: at most {limit} to include and {limit} to exclude.",
    "args.both_ways": "“{word}” cannot be both included and excluded.",
    "args.unknown": (
        "I don't understand “{token}”. Use censorship, arrest or all, language codes "
        "such as ru or en, +word to require a word and -word to skip items with it."
    ),
    # /unsubscribe
    "unsubscribe.done": "Done: {where} will no longer receive alerts.",
    "unsubscribe.none": "{where} had no subscription.",
    # /subscriptions
    "subscriptions.none": "{where} receives nothing yet. Use /subscribe to choose.",
    "subscriptions.some": "{where} receives: {description}",
    "subscriptions.paused": (
        "Alerts are paused: I could not post here ({reason}). Run /subscribe again once I can post."
    ),
    "describe.censorship": "censorship demands",
    "describe.arrest": "arrests at protests",
    "describe.and": " and ",
    "describe.languages": "from sources in {languages}",
    "describe.any_language": "from sources in any language",
    "describe.include": "only items mentioning {words}",
    "describe.exclude": "skipping items mentioning {words}",
    "describe.severity": "severity {severity} and above",
    # /feeds
    "feeds.none": "No feeds yet.",
    "feeds.header": "Feeds ({count}):",
    "feeds.ok": "✅ #{id} {title}: ok, checked {checked}, {entries} entries",
    "feeds.new": "⏳ #{id} {title}: not checked yet",
    "feeds.failing": "⚠️ #{id} {title}: failing since {since} ({failures} tries): {error}",
    "feeds.disabled": "⏸ #{id} {title}: disabled",
    "feeds.more": "… and {count} more",
    # /addfeed
    "addfeed.usage": "Usage: /addfeed URL (an http:// or https:// address of an RSS or Atom feed)",
    "addfeed.bad_url": "“{url}” is not an http:// or https:// address.",
    "addfeed.failed": "Not added: {reason}",
    "addfeed.duplicate": "Not added: this feed is already there (#{id}).",
    "addfeed.done": "Added feed #{id} “{title}”: {entries} entries now; polling starts.",
    "addfeed.alerting_none": "None of its current entries would have alerted.",
    "addfeed.alerting": "Current entries that would have alerted ({count}):",
    "addfeed.alerting_item": "• {title} [{categories}]",
    # /removefeed
    "removefeed.usage": "Usage: /removefeed ID (see /feeds for the numbers)",
    "removefeed.choose": "Which feed should I remove?",
    "removefeed.bad_id": "“{argument}” is not a feed number. See /feeds.",
    "removefeed.missing": "There is no feed #{id}.",
    "removefeed.done": "Removed feed #{id} “{title}”.",
    # /status
    "status.token_refused": (
        "⛔ {platform} refused {variable} ({status}): check the token. "
        "Its alerts wait in the queue until the token is fixed and Tocsin restarted."
    ),
    "status.feeds": "Feeds: {ok} ok, {failing} failing, {new} not checked yet, {disabled} disabled",
    "status.failing_item": "⚠️ #{id} {title}: {error}",
    "status.queue": "Queue: {pending} waiting, {sending} being sent, {failed} failed for good",
    "status.alerts": "Last 24 hours: {events} events detected, {delivered} alerts delivered",
    "status.chats": "Chats: {active} active subscriptions",
    "status.inactive_header": "Deactivated chats ({count}):",
    "status.inactive_item": "• {platform} {chat}: {reason}",
    "status.private_only": (
        "Send /status to me in a private chat: its answer names other chats and their "
        "errors, which the members here should not see."
    ),
    # /lang
    "lang.choose": "Choose the language of this chat:",
    "lang.done": "Done: this chat now speaks English.",
    "lang.unknown": "I speak en (English) and ru (Russian); “{argument}” is neither.",
    # errors the adapters show
    "error.internal": "Something went wrong on my side; the operators can see it in the log.",
    "error.unknown_choice": "That button is out of date; please run the command again.",
}

_RU: dict[str, str] = {
    "start.greeting": "Здравствуйте! Я Tocsin.",
    "help.about": (
        "Я слежу за лентами регуляторов и новостей и присылаю сюда оповещение, когда "
        "они сообщают о цензуре (блокировке, удалении, замедлении) или о задержаниях "
        "на протестах."
    ),
    "help.commands": "Команды:",
    "help.admin_commands": "Команды операторов бота:",
    "cmd.start": "что делает этот бот",
    "cmd.help": "команды, кратко",
    "cmd.subscribe": "получать оповещения: censorship, arrest или all; ru/en; +слово; -слово",
    "cmd.unsubscribe": "перестать получать оповещения",
    "cmd.subscriptions": "что получает этот чат",
    "cmd.feeds": "ленты и их состояние",
    "cmd.lang": "язык этого чата: en или ru",
    "cmd.addfeed": "добавить ленту: /addfeed URL",
    "cmd.removefeed": "удалить ленту: /removefeed НОМЕР",
    "cmd.status": "ленты, очередь и оповещения за сутки",
    "help.example": "Пример: /subscribe arrest ru +Москва -футбол",
    "refuse.manage": (
        "Извините, менять подписку этого чата могут только его администраторы. "
        "Попросите кого-нибудь из них выполнить команду."
    ),
    "refuse.bot_admin": "Извините, эта команда только для операторов бота.",
    "subscribe.choose": "Что получать {where}? Выберите ниже или напишите, например, "
    "/subscribe arrest ru +Москва",
    "subscribe.done": "Готово. Теперь {where} будет получать: {description}",
    "choice.censorship": "Цензура",
    "choice.arrest": "Задержания",
    "choice.all": "Всё",
    "bot.cannot_post": (
        "{where}: мне нужно право «{missing}», чтобы публиковать туда оповещения. "
        "Выдайте его и выполните /subscribe ещё раз."
    ),
    "bot.not_a_destination": "{where} не может содержать сообщения; выберите текстовый "
    "канал, ветку или форум.",
    "where.private": "этот чат",
    "where.group": "эта группа",
    "where.topic": "эта тема",
    "where.channel": "канал «{title}»",
    "where.channel_untitled": "канал",
    "channel.bot_not_admin": (
        "Я ещё не администратор этого канала. Добавьте меня администратором с правом "
        "публиковать сообщения и перешлите пост ещё раз."
    ),
    "args.unclosed_quote": 'Не закрыта кавычка. Пример: /subscribe +"Красная площадь"',
    "args.empty_word": "После «{token}» нужно слово, например +Москва или -футбол.",
    "args.word_too_long": "Слово «{word}» слишком длинное (не больше {limit} знаков).",
    "args.too_many_words": "Слишком много слов: не больше {limit} нужных и {limit} лишних.",
    "args.both_ways": "«{word}» не может быть одновременно нужным и лишним.",
    "args.unknown": (
        "Не понимаю «{token}». Используйте censorship, arrest или all, коды языков "
        "вроде ru или en, +слово, чтобы требовать слово, и -слово, чтобы пропускать его."
    ),
    "unsubscribe.done": "Готово: {where} больше не будет получать оповещения.",
    "unsubscribe.none": "{where}: подписки не было.",
    "subscriptions.none": "{where}: пока ничего не получает. Выберите через /subscribe.",
    "subscriptions.some": "{where} получает: {description}",
    "subscriptions.paused": (
        "Оповещения приостановлены: я не смог написать сюда ({reason}). Выполните "
        "/subscribe снова, когда у меня будет право писать."
    ),
    "describe.censorship": "требования цензуры",
    "describe.arrest": "задержания на протестах",
    "describe.and": " и ",
    "describe.languages": "из источников на языках: {languages}",
    "describe.any_language": "из источников на любом языке",
    "describe.include": "только сообщения со словами: {words}",
    "describe.exclude": "без сообщений со словами: {words}",
    "describe.severity": "важность {severity} и выше",
    "feeds.none": "Лент пока нет.",
    "feeds.header": "Ленты ({count}):",
    "feeds.ok": "✅ #{id} {title}: в порядке, проверена {checked}, записей: {entries}",
    "feeds.new": "⏳ #{id} {title}: ещё не проверялась",
    "feeds.failing": "⚠️ #{id} {title}: ошибки с {since} (попыток: {failures}): {error}",
    "feeds.disabled": "⏸ #{id} {title}: отключена",
    "feeds.more": "… и ещё {count}",
    "addfeed.usage": "Использование: /addfeed URL (адрес ленты RSS или Atom, http:// или https://)",
    "addfeed.bad_url": "«{url}» не адрес http:// или https://.",
    "addfeed.failed": "Не добавлена: {reason}",
    "addfeed.duplicate": "Не добавлена: эта лента уже есть (#{id}).",
    "addfeed.done": "Добавлена лента #{id} «{title}»: записей сейчас {entries}; опрос начат.",
    "addfeed.alerting_none": "Ни одна из текущих записей не вызвала бы оповещения.",
    "addfeed.alerting": "Текущие записи, которые вызвали бы оповещение ({count}):",
    "addfeed.alerting_item": "• {title} [{categories}]",
    "removefeed.usage": "Использование: /removefeed НОМЕР (номера в /feeds)",
    "removefeed.choose": "Какую ленту удалить?",
    "removefeed.bad_id": "«{argument}» не номер ленты. См. /feeds.",
    "removefeed.missing": "Ленты #{id} нет.",
    "removefeed.done": "Лента #{id} «{title}» удалена.",
    "status.token_refused": (
        "⛔ {platform} не принимает {variable} ({status}): проверьте токен. "
        "Оповещения для этой платформы ждут в очереди, пока токен не исправят и "
        "Tocsin не перезапустят."
    ),
    "status.feeds": "Ленты: в порядке {ok}, с ошибками {failing}, не проверены {new}, "
    "отключены {disabled}",
    "status.failing_item": "⚠️ #{id} {title}: {error}",
    "status.queue": "Очередь: ждут {pending}, отправляются {sending}, не доставлены {failed}",
    "status.alerts": "За сутки: найдено событий {events}, доставлено оповещений {delivered}",
    "status.chats": "Чаты: активных подписок {active}",
    "status.inactive_header": "Отключённые чаты ({count}):",
    "status.inactive_item": "• {platform} {chat}: {reason}",
    "status.private_only": (
        "Отправьте мне /status в личном чате: в ответе названы другие чаты и их ошибки, "
        "которые участникам этого чата видеть не нужно."
    ),
    "lang.choose": "Выберите язык этого чата:",
    "lang.done": "Готово: этот чат теперь на русском.",
    "lang.unknown": "Я говорю на en (английском) и ru (русском); «{argument}» ни то, ни другое.",
    "error.internal": "У меня что-то сломалось; операторы увидят это в журнале.",
    "error.unknown_choice": "Эта кнопка устарела; выполните команду ещё раз.",
}

_TEXTS: dict[str, dict[str, str]] = {"en": _EN, "ru": _RU}

# The command menu, in the order it is shown. Admin commands are listed separately.
USER_COMMANDS: tuple[str, ...] = (
    "start",
    "help",
    "subscribe",
    "unsubscribe",
    "subscriptions",
    "feeds",
    "lang",
)
ADMIN_COMMANDS: tuple[str, ...] = ("addfeed", "removefeed", "status")


def normalize_language(code: str | None) -> str | None:
    """'ru', 'ru-RU', 'RU' -> 'ru'; anything Tocsin does not speak -> None."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in _TEXTS else None


def text(lang: str, key: str, **params: object) -> str:
    """The string `key` in `lang` (English when `lang` is unknown), filled with `params`."""
    table = _TEXTS.get(lang, _EN)
    template = table.get(key) or _EN[key]
    return template.format(**params) if params else template


def has_text(key: str) -> bool:
    return key in _EN


def command_description(lang: str, command: str) -> str:
    return text(lang, f"cmd.{command}")
