"""Wire helpers the HTTP notifiers share: post once, classify the answer, bound text, format time.

One classifier for every service (as Alertmanager does) keeps "is this worth retrying?" in one place.
`Delivery.detail` is logged and stored, so it is built only from the status, a short snippet of the
answer and exception class names, with the notifier's secrets blanked out of the snippet (the only
text a receiver chooses): never the URL, which for webhooks carries a token.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import aiohttp

from monitor.fetch import parse_retry_after  # one parser for both directions: capped, NaN refused
from monitor.notify.base import Delivery, Outcome
from monitor.notify.secrets import Secrets

SNIPPET_CHARS = 200
_READ_BYTES = 4096  # enough for any error message worth showing; never buffer a huge answer
_RETRY_STATUSES = frozenset({408, 420, 425, 429})  # 420: "Enhance Your Calm", a rate limit (Statuspage)
_NO_SECRETS = Secrets()


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with an ellipsis showing that it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def classify(
    status: int, headers: Mapping[str, str], body: bytes = b"", *, secrets: Secrets = _NO_SECRETS
) -> Delivery:
    """2xx delivered; 408, 420, 425, 429 and 5xx retry (after Retry-After); anything else is permanent.

    Other 4xx mean the request itself is wrong (bad payload, revoked webhook, bad key), and a 3xx
    means the URL is wrong: redirects are not followed, so a signed body never goes elsewhere.
    """
    detail = f"HTTP {status}"
    snippet = _snippet(body, secrets)
    if snippet:
        detail = f"{detail}: {snippet}"
    if 200 <= status < 300:
        return Delivery(Outcome.DELIVERED, detail)
    if status in _RETRY_STATUSES or 500 <= status < 600:
        retry_after = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
        return Delivery(Outcome.RETRY, detail, parse_retry_after(retry_after))
    return Delivery(Outcome.PERMANENT, detail)


async def post_json(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
    *,
    secrets: Secrets = _NO_SECRETS,
) -> Delivery:
    """POST `body` as JSON once and classify what happened; never raises for network or HTTP trouble.

    `secrets` (the notifier's: keys, tokens, the URL's parts) must not show up in the detail should the
    answer echo them, as servers do with the path of a wrong URL ("Cannot POST /hooks/<token>").
    """
    delivery, _ = await post_json_answer(session, url, body, headers, timeout, secrets=secrets)
    return delivery


async def post_json_answer(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
    *,
    secrets: Secrets = _NO_SECRETS,
    read_limit: int = _READ_BYTES,
    method: str = "POST",
) -> tuple[Delivery, bytes]:
    """`post_json`, also returning the start of the answer (up to `read_limit` bytes; empty without one),
    for services that answer errors inside a 200 (Slack's Web API) or ids (a created incident's); `method`
    for the REST APIs that PATCH or PUT a resource."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return Delivery(Outcome.PERMANENT, "invalid URL"), b""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return Delivery(Outcome.PERMANENT, "invalid URL: not an absolute http(s) URL"), b""
    send_headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    send_headers["Content-Type"] = "application/json"
    try:
        async with session.request(
            method,
            url,
            data=body,
            headers=send_headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
            allow_redirects=False,
        ) as response:
            answer = await _read_head(response, read_limit)
            return classify(response.status, response.headers, answer[:_READ_BYTES], secrets=secrets), answer
    except aiohttp.InvalidURL:
        return Delivery(Outcome.PERMANENT, "invalid URL"), b""
    except TimeoutError:
        return Delivery(Outcome.RETRY, f"timeout after {timeout:g}s"), b""
    except aiohttp.ClientConnectorError as exc:
        # the class names the cause (ConnectionRefusedError, gaierror, SSLCertVerificationError);
        # the message would name the host
        return Delivery(Outcome.RETRY, f"connection error: {type(exc.os_error).__name__}"), b""
    except (aiohttp.ClientError, OSError) as exc:
        return Delivery(Outcome.RETRY, f"request failed: {type(exc).__name__}"), b""


async def _read_head(response: aiohttp.ClientResponse, limit: int) -> bytes:
    head = bytearray()
    while len(head) < limit:
        chunk = await response.content.read(limit - len(head))
        if not chunk:
            break
        head += chunk
    return bytes(head)


def _snippet(body: bytes, secrets: Secrets) -> str:
    text = secrets.scrub(body.decode("utf-8", errors="replace"))  # before cutting: no half secret left
    return truncate(" ".join(text.split()), SNIPPET_CHARS)
