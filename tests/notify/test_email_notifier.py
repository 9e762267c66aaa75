"""The e-mail notifier against a real SMTP server on loopback (aiosmtpd, STARTTLS on a throwaway
certificate, AUTH): what arrives (headers, threading, both parts) and how each SMTP answer is classified."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import ValidationError

from monitor.model import Notification, Severity
from monitor.notify.base import Delivery, Outcome
from monitor.notify.email import EmailConfig, EmailNotifier
from tests.e2e.harness import free_port
from tests.notify.conftest import make_alert, make_message
from tests.notify.smtp_server import LOGIN, PASSWORD, SmtpServer

SENDER = "Outage Monitor <alerts@example.com>"
TO = ["oncall@example.com", "lead@example.com"]


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def email_config(port: int, **changes: Any) -> EmailConfig:
    data = {
        "name": "mail",
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "tls": "starttls",
        "username": LOGIN,
        "password": PASSWORD,
        "from": SENDER,
        "to": TO,
        "timeout": 5,
    }
    return EmailConfig.model_validate({**data, **changes})


@pytest.fixture
def notifier(smtp: SmtpServer, session: aiohttp.ClientSession) -> EmailNotifier:
    return EmailNotifier(email_config(smtp.port, ca_file=str(smtp.cert)), session)


def no_secret(delivery: Delivery) -> None:
    assert PASSWORD not in delivery.detail and PASSWORD not in repr(delivery), delivery.detail


async def test_a_group_episode_is_one_thread_of_mails(
    smtp: SmtpServer, notifier: EmailNotifier, make_notification: Callable[..., Notification]
) -> None:
    git = make_alert("Git Operations", severity=Severity.CRITICAL, minutes=1)
    api = make_alert("API Requests")
    pages = make_alert("Pages", minutes=3)
    firing = make_notification(make_message(firing=(git, api)), id="01JFIRST")
    first = await notifier.send(firing)
    assert first.outcome is Outcome.DELIVERED, first.detail
    assert first.receipt == {"message_id": "<01JFIRST@example.com>"}

    changed = make_message(firing=(git, api, pages), reason="changed", title="github: 3 components down")
    update = await notifier.send(make_notification(changed, id="01JUPDATE", receipt=first.receipt))
    resolved = make_message(
        firing=(),
        resolved=(
            make_alert("Git Operations", resolved_after=30),
            make_alert("API Requests", resolved_after=31),
        ),
        title="github: resolved",
    )
    resolution = await notifier.send(make_notification(resolved, id="01JRESOLVE", receipt=first.receipt))
    assert (update.outcome, resolution.outcome) == (Outcome.DELIVERED, Outcome.DELIVERED)
    assert update.receipt is None and resolution.receipt is None  # the thread's first mail stays its anchor

    assert len(smtp.messages) == 3
    for received in smtp.messages:
        assert received.encrypted and received.login == LOGIN
        assert received.mail_from == "alerts@example.com" and received.rcpt_tos == TO
        assert received.message["From"] == SENDER
        assert received.message["To"] == ", ".join(TO)
        assert (
            received.message.is_multipart() and received.message.get_content_type() == "multipart/alternative"
        )
    opening, follow_up, closing = (received.message for received in smtp.messages)
    assert opening["Subject"] == "github: major outage — Git Operations, API Requests"
    assert opening["Message-ID"] == "<01JFIRST@example.com>"
    assert opening["In-Reply-To"] is None and opening["References"] is None
    assert follow_up["Subject"] == "github: 3 components down"
    assert closing["Subject"] == "github: resolved"
    for later, own_id in ((follow_up, "<01JUPDATE@example.com>"), (closing, "<01JRESOLVE@example.com>")):
        assert later["Message-ID"] == own_id
        assert later["In-Reply-To"] == later["References"] == "<01JFIRST@example.com>"

    text, page = smtp.messages[0].part("text/plain"), smtp.messages[0].part("text/html")
    assert "Firing:" in text and "[critical] Git Operations (github)" in text
    assert f"<{git.url}>" in text
    assert f'<a href="{git.url}">[critical] Git Operations (github) since' in page
    assert "Pages (github)" in smtp.messages[1].part("text/plain")
    closing_text = smtp.messages[2].part("text/plain")
    assert "Resolved:" in closing_text and "Firing:" not in closing_text
    assert "Git Operations (github) resolved at 2026-11-23T13:00:05Z" in closing_text
    assert "<h3>Resolved</h3>" in smtp.messages[2].part("text/html")


async def test_a_retry_sends_the_same_message_again(
    smtp: SmtpServer, notifier: EmailNotifier, make_notification: Callable[..., Notification]
) -> None:
    notification = make_notification()
    for _ in range(2):
        assert (await notifier.send(notification)).outcome is Outcome.DELIVERED
    first, again = (received.message for received in smtp.messages)
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Date"] == again["Date"] == "Mon, 23 Nov 2026 12:30:05 +0000"  # when it was made
    for part in ("text/plain", "text/html"):
        assert smtp.messages[0].part(part) == smtp.messages[1].part(part)


async def test_a_new_firing_episode_starts_a_new_thread(
    smtp: SmtpServer, notifier: EmailNotifier, make_notification: Callable[..., Notification]
) -> None:
    old = {"message_id": "<01JOLD@example.com>"}
    delivery = await notifier.send(make_notification(make_message(), id="01JNEW", receipt=old))
    assert delivery.receipt == {"message_id": "<01JNEW@example.com>"}
    assert smtp.messages[0].message["In-Reply-To"] is None


async def test_third_party_text_cannot_add_markup_or_headers(
    smtp: SmtpServer, notifier: EmailNotifier, make_notification: Callable[..., Notification]
) -> None:
    hostile = make_alert('<img src=x onerror="alert(1)">', url='https://x.example/"><script>')
    message = make_message(firing=(hostile,), title="github: down\r\nBcc: everyone@example.com")
    assert (await notifier.send(make_notification(message))).outcome is Outcome.DELIVERED
    received = smtp.messages[0]
    assert received.message["Subject"] == "github: down Bcc: everyone@example.com"
    assert received.message["Bcc"] is None and received.rcpt_tos == TO
    page = received.part("text/html")
    assert "<img" not in page and "<script>" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert 'href="https://x.example/&quot;&gt;&lt;script&gt;"' in page


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # it is TLS from the start
async def test_an_implicit_tls_server(
    tmp_path: Path, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    server = SmtpServer(tmp_path, tls="implicit")
    server.start()
    try:
        config = email_config(server.port, tls="implicit", ca_file=str(server.cert))
        delivery = await EmailNotifier(config, session).send(make_notification())
    finally:
        server.stop()
    assert delivery.outcome is Outcome.DELIVERED, delivery.detail
    assert server.messages[0].encrypted and server.messages[0].login == LOGIN


ANSWERS = {
    "every recipient deferred": (["451 4.3.0 try again later"] * 2, [], Outcome.RETRY, "SMTP 451"),
    "every recipient unknown": (["550 5.1.1 no such user"] * 2, [], Outcome.PERMANENT, "SMTP 550"),
    "message deferred": ([], ["452 4.3.1 insufficient storage"], Outcome.RETRY, "SMTP 452"),
    "message refused, echoing the password": (
        [],
        [f"554 5.7.1 rejected: AUTH PLAIN {LOGIN} {PASSWORD}"],
        Outcome.PERMANENT,
        f"SMTP 554: 5.7.1 rejected: AUTH PLAIN {LOGIN} [redacted]",
    ),
}


@pytest.mark.parametrize("answer", list(ANSWERS))
async def test_smtp_answers_are_classified(
    answer: str,
    smtp: SmtpServer,
    notifier: EmailNotifier,
    make_notification: Callable[..., Notification],
) -> None:
    smtp.handler.rcpt_answers, smtp.handler.data_answers, expected, detail = ANSWERS[answer]
    delivery = await notifier.send(make_notification())
    assert delivery.outcome is expected, delivery.detail
    assert detail in delivery.detail
    assert smtp.messages == []
    no_secret(delivery)


async def test_a_mail_taken_for_some_recipients_is_delivered(
    smtp: SmtpServer, notifier: EmailNotifier, make_notification: Callable[..., Notification]
) -> None:
    smtp.handler.rcpt_answers = ["550 5.1.1 no such user"]  # the first recipient only
    delivery = await notifier.send(make_notification())
    assert delivery.outcome is Outcome.DELIVERED  # a retry would send it twice to the second
    assert delivery.detail == "accepted for 1 of 2 recipients (refused: 550)"
    assert smtp.messages[0].rcpt_tos == TO[1:]


async def test_a_wrong_password_is_permanent(
    smtp: SmtpServer, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    wrong = "wr0ng-passw0rd-guess"
    config = email_config(smtp.port, ca_file=str(smtp.cert), password=wrong)
    delivery = await EmailNotifier(config, session).send(make_notification())
    assert delivery.outcome is Outcome.PERMANENT
    assert delivery.detail.startswith("SMTP 535")
    assert wrong not in repr(delivery) and smtp.messages == []


async def test_an_untrusted_certificate_is_not_sent_to(
    smtp: SmtpServer, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    delivery = await EmailNotifier(email_config(smtp.port), session).send(make_notification())
    assert delivery.outcome is Outcome.RETRY
    assert delivery.detail == "connection error: SSLCertVerificationError"
    assert smtp.messages == []
    no_secret(delivery)
    trusting = EmailNotifier(email_config(smtp.port, tls_verify=False), session)  # a self-signed test server
    assert (await trusting.send(make_notification())).outcome is Outcome.DELIVERED


async def test_a_server_without_starttls_is_permanent(
    tmp_path: Path, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    server = SmtpServer(tmp_path, tls="none")
    server.start()
    try:
        delivery = await EmailNotifier(email_config(server.port), session).send(make_notification())
    finally:
        server.stop()
    assert delivery.outcome is Outcome.PERMANENT  # the password is never sent in clear
    assert "STARTTLS" in delivery.detail and server.messages == []
    no_secret(delivery)


async def test_no_server_is_retried(
    session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    delivery = await EmailNotifier(email_config(free_port()), session).send(make_notification())
    assert delivery.outcome is Outcome.RETRY
    assert delivery.detail == "connection error: ConnectionRefusedError"


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """A loopback port that accepts connections and never says a word (no SMTP greeting)."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


async def test_a_silent_server_is_retried_after_the_timeout(
    silent_port: int, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    notifier = EmailNotifier(email_config(silent_port, timeout=0.3), session)
    started = time.monotonic()
    delivery = await notifier.send(make_notification())
    assert time.monotonic() - started < 5  # does not hang on the default 60 s of aiosmtplib
    assert delivery.outcome is Outcome.RETRY
    assert delivery.detail == "timeout after 0.3s"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"tls": "none"}, "a password needs tls"),
        ({"password": None}, "give both username and password"),
        ({"from": "alerts"}, "is not an e-mail address"),
        ({"to": ["oncall@example.com\r\nBcc: x@example.com"]}, "cannot span lines"),
        ({"to": []}, "at least 1 item"),
        ({"tls_verify": False, "ca_file": __file__}, "not both"),
        ({"ca_file": "/nonexistent/ca.pem"}, "not a readable file"),
    ],
)
def test_config_errors(changes: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        email_config(587, **changes)
    assert PASSWORD not in str(email_config(587))
