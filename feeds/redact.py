"""What a person or a log may see of a URL, or of a text that may hold one.

A feed URL can carry what is needed to fetch it: credentials (`https://user:pass@host/`),
a token in its query (`?token=...`, `?api_key=...`) or fragment; a Bot API request URL
carries the bot's token in its path (`/bot<token>/sendMessage`), and network errors
quote the URL they failed on. The database and `feeds export` keep the URL as given
(the operator's, needed to fetch); everything shown or logged goes through here.

What is hidden becomes `***`; what stays (scheme, user name, host, path, the names of
query parameters) is enough to tell one feed from another and to see where a secret was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, unquote_plus

MASK = "***"

# Query (and fragment) parameters whose values are secrets. Names are compared in
# lower case with "-", "_" and "." removed, so `api_key`, `API-Key` and `apikey` are one.
# Exact names: short ones that would be too broad as parts of other names.
_SECRET_NAMES = frozenset(
    {
        "key",
        "apikey",
        "auth",
        "authorization",
        "sig",
        "sign",
        "pass",
        "pwd",
        "psw",
        "sid",
        "session",
        "sessionid",
        "jwt",
        "bearer",
        "code",
        "hash",
        "otp",
        "ticket",
    }
)
# Parts: a name holding one of these is a secret whatever surrounds it
# (`access_token`, `private_token`, `client_secret`, `x-amz-signature`, `feedpassword`).
_SECRET_PARTS = (
    "token",
    "secret",
    "passw",
    "passphrase",
    "apikey",
    "accesskey",
    "privatekey",
    "signature",
    "credential",
    "sessionkey",
    "authkey",
)
# A Telegram bot token (`123456789:AA...`), wherever it appears: in a Bot API URL's
# path, in a quoted repr, percent-encoded (`%3A`).
_BOT_TOKEN = re.compile(r"(?<!\d)\d{5,}(?::|%3[Aa])[A-Za-z0-9_-]{30,}(?![A-Za-z0-9_-])")
# URLs inside free text: a scheme, "://", then anything up to a space or a quote.
_URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{1,15}://[^\s'\"<>`]+")


def is_secret_name(name: str) -> bool:
    """Whether a query parameter named `name` holds a secret."""
    folded = re.sub(r"[-_.\s\[\]]", "", unquote_plus(name).lower())
    # HTML-escaped separators leave "amp;" in front of the name (`&amp;token=`).
    folded = folded.removeprefix("amp;")
    return folded in _SECRET_NAMES or any(part in folded for part in _SECRET_PARTS)


def _redact_pairs(pairs: str) -> str:
    """`a=1&token=x` -> `a=1&token=***`, the rest exactly as it was."""
    out = []
    for pair in re.split(r"([&;])", pairs):
        name, equals, value = pair.partition("=")
        if equals and value and is_secret_name(name):
            pair = f"{name}={MASK}"
        out.append(pair)
    return "".join(out)


def redact_url(url: str) -> str:
    """`url` with its credentials, secret query or fragment values and bot tokens hidden.

    Works on the text as given (nothing is re-encoded), so an ordinary URL comes back
    unchanged, and a string that is not a URL at all is still searched for tokens.
    """
    scheme, sep, rest = url.partition("://")
    if sep:
        end = len(rest)
        for stop in "/?#":
            found = rest.find(stop)
            if found != -1:
                end = min(end, found)
        authority, tail = rest[:end], rest[end:]
        if "@" in authority:
            userinfo, _, host = authority.rpartition("@")
            user, colon, _ = userinfo.partition(":")
            # The user stays, as `Proxy.shown` keeps it; a lone userinfo is a token.
            authority = f"{user}:{MASK}@{host}" if colon and user else f"{MASK}@{host}"
        url = f"{scheme}{sep}{authority}{tail}"
    before_fragment, hash_mark, fragment = url.partition("#")
    path, question, query = before_fragment.partition("?")
    if question:
        before_fragment = f"{path}?{_redact_pairs(query)}"
    if hash_mark and "=" in fragment:
        fragment = _redact_pairs(fragment)
    return _BOT_TOKEN.sub(MASK, f"{before_fragment}{hash_mark}{fragment}")


def redact_text(text: str) -> str:
    """`text` with every URL in it redacted (see `redact_url`) and every bot token hidden."""
    if "://" in text:
        text = _URL_IN_TEXT.sub(lambda match: redact_url(match.group(0)), text)
    return _BOT_TOKEN.sub(MASK, text)


class Redactor:
    """Hides known secrets (the configured tokens, a proxy's password), in every form a
    library may quote them (raw, percent-encoded), and whatever `redact_text` finds."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._forms: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        # Shorter values would hide ordinary words; no real token is this short.
        if len(secret) < 6:
            return
        for form in (secret, quote(secret, safe=""), quote(secret, safe=":@")):
            if form not in self._forms:
                self._forms.append(form)
        # Longest first, so no secret is half-hidden by a shorter one inside it.
        self._forms.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return redact_text(text)
