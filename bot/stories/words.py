"""The small vocabularies grouping reads text with, per language.

Words are written in their dictionary form (Russian) or plain form (English) and
compiled through the detector's analyser, so declined and inflected forms match.
They are deliberately few and general: what kind of action a report describes,
what kind of thing was cut off, and the words around a head count.
"""

from __future__ import annotations

from collections.abc import Mapping

# What was done. A report's kinds come from its title (or its first sentence
# when it has none): the title names the step it reports, the body often recaps
# earlier ones. Two reports whose kinds are both known and disjoint describe
# different steps of an affair (a fine and a block; a lawsuit and a ruling).
ACTIONS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "ru": {
        "block": (
            "заблокировать", "блокировать", "блокировка", "ограничить", "ограничение",
            "замедлить", "замедление", "отключить", "отключение", "запретить", "запрет",
            "приостановить", "закрыть доступ",
        ),
        "fine": ("штраф", "оштрафовать", "штрафовать"),
        "designate": (
            "иноагент", "иностранный агент", "нежелательный", "экстремистский организация",
            "экстремистский формирование", "признать экстремистский",
            "террористический организация",
        ),
        "licence": ("лицензия", "свидетельство о регистрация", "регистрация сми"),
        "lawsuit": ("иск", "подать иск", "исковый заявление"),
        "detain": ("задержать", "задержание", "задерживать", "задержанный", "разогнать"),
        "court": (
            "арестовать", "приговор", "приговорить", "сутки ареста", "административный арест",
        ),
    },
    "en": {
        "block": (
            "block", "blocking", "restrict", "restriction", "throttle", "slow down",
            "shut down", "shutdown", "cut", "suspend", "suspension", "ban", "blackout",
            "disrupt", "disruption", "outage",
        ),
        "fine": ("fine", "fined", "penalty"),
        "designate": (
            "foreign agent", "undesirable", "extremist organization", "extremist organisation",
            "designated extremist", "extremist group", "terrorist organization",
        ),
        "licence": ("licence", "license"),
        "lawsuit": ("lawsuit", "sue", "file suit"),
        "detain": ("detain", "detention", "detainee", "round up", "disperse"),
        "court": ("jail", "jailed", "sentence", "sentenced", "convict", "custody"),
    },
}  # fmt: skip

# Words of protest: with the actions above, what a report is about even when the
# detector found no event in it ("разгон акции", "riot police broke up a rally").
PROTEST: Mapping[str, tuple[str, ...]] = {
    "ru": (
        "протест", "протестовать", "протестующий", "акция", "митинг", "пикет", "шествие",
        "демонстрация", "демонстрант", "забастовка", "разгон", "митингующий",
    ),
    "en": (
        "protest", "protester", "protestor", "rally", "demonstration", "demonstrator", "march",
        "picket", "riot police", "crackdown", "disperse", "strike",
    ),
}  # fmt: skip

# Kinds an action may share a story with: an order and its enforcement, a
# detention and the court's decision on the detained, a block and the head
# count of the protest it answered.
COMPATIBLE_ACTIONS = frozenset(
    {
        frozenset({"detain", "court"}),
    }
)

# Actions whose result lasts (a block stays in force): reports of it may come
# long after, and still be the same story. Fines, designations, licence
# revocations, lawsuits and court decisions happen once: the same action on the
# same target weeks later is another one.
LASTING_ACTIONS = frozenset({"block"})

# A lifting, in the title: a story of its own, never merged with the block.
LIFTED: Mapping[str, tuple[str, ...]] = {
    "ru": (
        "снять", "разблокировать", "разблокировка", "восстановить", "восстановление",
        "возобновить", "вернуть доступ", "отменить блокировка", "снятие",
    ),
    "en": (
        "lift", "lifted", "unblock", "unblocked", "restore", "restored", "restoration",
        "resume", "resumed", "reinstate", "back online", "end ban", "ends ban", "back in",
    ),
}  # fmt: skip

# A headline that announces an action instead of reporting it: "threatens to
# block", "could be fined", "возможной блокировке", "может заблокировать". The
# cue must come shortly before the action word ("blocks X after threatening to"
# reports the block).
ANNOUNCED: Mapping[str, tuple[str, ...]] = {
    "ru": (
        "пригрозить", "грозить", "угрожать", "возможный", "может", "могут", "предупредить",
        "намерен", "намереваться", "планировать", "собираться", "пообещать", "предложить",
        "рассмотреть", "рассматривать", "допустить",
    ),
    "en": (
        "threaten", "threatens", "threatened", "could", "may", "might", "warn", "warns",
        "plan", "plans", "planned", "possible", "consider", "considers", "mull", "mulls",
        "propose", "proposes", "vow", "vows", "set to", "poised to", "likely",
    ),
}  # fmt: skip
ANNOUNCED_REACH = 3  # words from the cue to the action it governs

# Generic targets, for reports that name no platform.
TARGET_KINDS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "ru": {
        "internet": ("интернет", "доступ в интернет", "связь"),
        "mobile": ("мобильный интернет", "мобильный связь", "мобильный передача данные"),
        "social": ("соцсеть", "социальный сеть", "социальный медиа"),
        "vpn": ("vpn", "впн", "vpn сервис"),
        "messenger": ("мессенджер",),
        "mail": ("почта", "почтовый сервис", "почтовый"),
        "media": ("сми", "издание", "газета", "сайт"),
    },
    "en": {
        "internet": ("internet", "connectivity", "online access"),
        "mobile": ("mobile internet", "mobile data", "mobile network", "cellular"),
        "social": ("social media", "social network", "social networking"),
        "vpn": ("vpn", "vpns"),
        "messenger": ("messaging", "messenger"),
        "mail": ("email", "mail service", "e-mail"),
        "media": ("outlet", "newspaper", "website", "news site"),
    },
}  # fmt: skip

# Head counts: the words a detention count stands next to.
DETAINED: Mapping[str, tuple[str, ...]] = {
    "ru": ("задержать", "задержанный", "задержание", "задерживать", "арестовать", "задержано"),
    "en": ("detain", "detained", "detainee", "arrest", "arrested", "held", "rounded"),
}
PEOPLE: Mapping[str, tuple[str, ...]] = {
    "ru": (
        "человек", "участник", "протестующий", "митингующий", "демонстрант", "активист",
        "журналист", "житель", "сторонник", "несовершеннолетний", "студент",
    ),
    "en": (
        "people", "person", "protester", "protestor", "demonstrator", "activist",
        "participant", "journalist", "student", "resident", "supporter",
    ),
}  # fmt: skip
AT_LEAST: Mapping[str, tuple[str, ...]] = {
    "ru": ("более", "свыше", "больше", "не менее", "минимум", "как минимум", "почти", "около"),
    "en": ("more than", "over", "at least", "nearly", "almost", "some", "about", "upwards of"),
}
# Exact words only: floors, as opposed to estimates ("около", "about").
FLOORS: Mapping[str, tuple[str, ...]] = {
    "ru": ("более", "свыше", "больше", "не менее", "минимум", "как минимум"),
    "en": ("more than", "over", "at least", "upwards of"),
}
MULTIPLIERS: Mapping[str, Mapping[str, int]] = {
    "ru": {"тысяча": 1000, "тыс": 1000, "миллион": 1_000_000},
    "en": {"thousand": 1000, "million": 1_000_000},
}
# A number followed by these is a time, a sum or a share, not a head count.
UNITS: Mapping[str, tuple[str, ...]] = {
    "ru": (
        "год", "месяц", "неделя", "день", "сутки", "час", "минута", "рубль", "доллар",
        "евро", "процент", "раз", "лет", "статья", "суток",
    ),
    "en": (
        "year", "month", "week", "day", "hour", "minute", "ruble", "rouble", "dollar",
        "euro", "percent", "per", "time", "article",
    ),
}  # fmt: skip

# English function words, left out of the word bags (Russian ones are found by
# their part of speech).
EN_STOPWORDS = frozenset(
    {
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
        "are", "as", "at", "be", "been", "before", "being", "below", "between", "both", "but", "by",
        "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
        "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him",
        "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more",
        "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other",
        "our", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that",
        "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to",
        "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
        "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "said",
        "says", "say", "told", "according", "amid", "since", "new", "news", "reported", "report",
        "reports", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "week", "day", "today", "yesterday",
    }
)  # fmt: skip
# Russian parts of speech that carry no topic.
RU_FUNCTION_TAGS = frozenset({"PREP", "CONJ", "PRCL", "NPRO", "INTJ", "PRED", "NUMR", "ADVB"})

# Month names, January first: a figure beside one is a date ("12 июня", "June
# 12"), not a count, and dates say which day an event happened.
MONTHS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "ru": (
        ("январь", "янв"), ("февраль", "фев"), ("март", "мар"), ("апрель", "апр"), ("май",),
        ("июнь", "июн"), ("июль", "июл"), ("август", "авг"), ("сентябрь", "сен", "сент"),
        ("октябрь", "окт"), ("ноябрь", "ноя"), ("декабрь", "дек"),
    ),
    "en": (
        ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
        ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
        ("october", "oct"), ("november", "nov"), ("december", "dec"),
    ),
}  # fmt: skip
# Weekdays, Monday first, and days named relative to publication.
WEEKDAYS: Mapping[str, tuple[str, ...]] = {
    "ru": ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
    "en": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
}
RELATIVE_DAYS: Mapping[str, Mapping[str, int]] = {
    "ru": {"вчера": -1, "накануне": -1, "сегодня": 0, "позавчера": -2},
    "en": {"yesterday": -1, "today": 0},
}

# A country's adjective right before one of these says where the target comes
# from, not where the event happened: "американский мессенджер", "a Dutch company",
# "the Swiss-based service".
ORIGIN_NOUNS: Mapping[str, tuple[str, ...]] = {
    "ru": (
        "компания", "мессенджер", "платформа", "сервис", "приложение", "соцсеть", "корпорация",
        "издание", "сайт", "видеохостинг", "разработчик", "стартап", "фирма", "газета", "журнал",
        "канал", "телеканал", "портал",
    ),
    "en": (
        "company", "firm", "messenger", "messaging", "platform", "service", "app", "giant",
        "outlet", "startup", "based", "owned", "developer", "provider", "corporation", "site",
        "website", "newspaper", "magazine", "channel", "portal",
    ),
}  # fmt: skip
