"""A notifier's secrets, and blanking them out of any text a receiver sends back.

Receivers echo what they were sent, and not only verbatim: "Cannot POST /hooks/<token>", a query value,
a JSON body with the path escaped as `\\/services\\/T…\\/B…\\/<token>`, a percent-encoded or HTML-escaped
copy. So a secret-bearing URL counts as secret in every part that can carry a credential, and each
secret is matched in each form it can be echoed in.

Which parts of a URL are secret (the rest, such as `services`, `hooks`, `api` or `v1`, are not, or
every message would be blanked out):
- the whole URL, its userinfo (and the user and password alone), its query string and every query value;
- the whole path, and the path tail from its first token-like segment on (Slack's `T…/B…/<token>`);
- every token-like path segment: at least 6 characters with a digit, or at least 16 characters.
No bare secret shorter than `MIN_CHARS` is matched: a 3-character value would blank out ordinary words.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, unquote, urlsplit

MIN_CHARS = 6
TOKEN_CHARS = 16  # a segment this long is taken as a token even without a digit
REDACTED = "[redacted]"


class Secrets:
    """A set of secrets, matched raw, percent-encoded or -decoded, JSON-escaped (with `\\/`) and
    HTML-escaped, ignoring case (so `%2f` matches `%2F`); longest first, so a URL goes before its path."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        forms = {form for value in values if len(value) >= MIN_CHARS for form in _echo_forms(value)}
        ordered = sorted((form for form in forms if len(form) >= MIN_CHARS), key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE) if ordered else None

    def scrub(self, text: str) -> str:
        """`text` with every echo of a secret replaced by `[redacted]`."""
        return self._pattern.sub(REDACTED, text) if self._pattern else text


def url_secrets(url: str) -> list[str]:
    """The parts of a secret-bearing URL that can carry a credential (see the module docstring)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return [url]
    userinfo = parts.netloc.rpartition("@")[0]
    secrets = [url, parts.path, userinfo, unquote(parts.username or ""), unquote(password or "")]
    if parts.query:
        secrets += [parts.query, *(pair.partition("=")[2] for pair in parts.query.split("&"))]
    segments = parts.path.split("/")
    tokens = [i for i, segment in enumerate(segments) if token_like(unquote(segment))]
    if tokens:
        secrets.append("/".join(segments[tokens[0] :]))
    secrets += [segments[i] for i in tokens]
    return [secret for secret in secrets if secret]


def header_secrets(value: str) -> list[str]:
    """A credential header's value, and its token-like words (`Bearer <token>` echoed as `<token>`)."""
    return [value, *(word for word in value.split() if token_like(word))]


def token_like(text: str) -> bool:
    return len(text) >= TOKEN_CHARS or (len(text) >= MIN_CHARS and any(c.isdigit() for c in text))


def _echo_forms(secret: str) -> set[str]:
    plain = unquote(secret)  # a URL part may be written encoded or not: echoes come either way
    bases = {secret, plain, quote(plain, safe=""), quote(plain, safe="/"), quote_plus(plain)}
    forms = set()
    for base in bases:
        escaped = {json.dumps(base)[1:-1], json.dumps(base, ensure_ascii=False)[1:-1]}
        forms |= {base, html.escape(base), *escaped, *(text.replace("/", "\\/") for text in escaped)}
    return forms
