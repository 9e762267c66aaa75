"""A real SMTP server on loopback (aiosmtpd) for the e-mail notifier: STARTTLS (or implicit TLS) on a
throwaway self-signed certificate made here, AUTH checked against one login, and scripted refusals.

It checks what a real submission server checks: TLS before AUTH, AUTH before MAIL, the login and
password. It records every message it takes, parsed, with whether the session was encrypted and who
logged in.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.e2e.harness import free_port

LOGIN = "alerts"
PASSWORD = "pa55-w0rd-smtp-s3cret"


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, valid for a day: (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "outage-monitor test SMTP")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    encrypted: bool
    login: str | None

    def part(self, content_type: str) -> str:
        body = self.message.get_body((content_type.partition("/")[2],))
        assert body is not None and body.get_content_type() == content_type, f"no {content_type} part"
        text: str = body.get_content()
        return text


@dataclass
class Handler:
    """aiosmtpd's handler: records messages; `rcpt_answers` / `data_answers` script the next answers;
    `hang_data` leaves the next message unanswered (its Message-ID in `hung`), a send in flight."""

    messages: list[Received] = field(default_factory=list)
    rcpt_answers: list[str] = field(default_factory=list)
    data_answers: list[str] = field(default_factory=list)
    hang_data: bool = False
    hung: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.rcpt_answers:
            return self.rcpt_answers.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_answers:
            return self.data_answers.pop(0)
        assert isinstance(envelope.content, bytes) and envelope.mail_from is not None
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        if self.hang_data:
            self.hang_data = False
            self.hung.append(str(message["Message-ID"]))
            await asyncio.sleep(3600)
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else None
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), message, _encrypted(server), login)
        )
        return "250 Message accepted for delivery"


def _encrypted(server: SMTP) -> bool:
    transport = server.transport
    return transport is not None and transport.get_extra_info("ssl_object") is not None


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        LOGIN.encode(),
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd answers (235, or 535 on a wrong login) rather than leaving that to us
    return AuthResult(success=ok, handled=False, auth_data=LOGIN.encode() if ok else None)


class SmtpServer:
    """`tls` is "starttls" (required before AUTH and MAIL), "implicit", or "none" (and no AUTH)."""

    def __init__(self, directory: Path, tls: str = "starttls") -> None:
        self.cert, key = make_certificate(directory)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.handler = Handler()
        self.port = free_port()
        secure: dict[str, dict[str, Any]] = {
            "starttls": {"tls_context": context, "require_starttls": True},
            "implicit": {"ssl_context": context},
            "none": {},
        }
        auth: dict[str, dict[str, Any]] = {
            # aiosmtpd sees only a STARTTLS session as encrypted: an implicit TLS one is from the start
            "starttls": {"authenticator": _authenticate, "auth_required": True, "auth_require_tls": True},
            "implicit": {"authenticator": _authenticate, "auth_required": True, "auth_require_tls": False},
            "none": {},
        }
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **secure[tls], **auth[tls]
        )

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
