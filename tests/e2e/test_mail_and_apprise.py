"""The real daemon sending an outage, its update and its recovery by e-mail (to a real SMTP server on
loopback, STARTTLS and AUTH) and through Apprise (its json:// form to a loopback receiver); and a daemon
killed while the mail is in flight sending the same message after restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.harness import DaemonProcess, Receiver, StatusPage, eventually, running
from tests.notify.smtp_server import LOGIN, PASSWORD, SmtpServer

pytestmark = pytest.mark.e2e

TOKEN = "T0KEN5ecret9f3a1c7e2b"


@dataclass
class World:
    page: StatusPage
    smtp: SmtpServer
    chat: Receiver
    daemon: DaemonProcess


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    smtp, page, chat = SmtpServer(tmp_path), StatusPage(), Receiver()
    smtp.start()
    (tmp_path / "smtp-password").write_text(PASSWORD + "\n")
    try:
        async with running(page, chat):
            chat_port = chat.url.rpartition(":")[2]
            config = f"""
settings:
  state: sqlite://state.db
  listen: "{{LISTEN}}"
  interval: 1s
  timeout: 1s
  log_format: json
  retry_initial_delay: 0.2s
  retry_max_delay: 1s
providers:
  - {{name: acme, type: statuspage, url: "{page.url}"}}
notifiers:
  - {{name: mail, type: email, host: 127.0.0.1, port: {smtp.port}, tls: starttls, username: {LOGIN},
     password_file: smtp-password, from: "Outage Monitor <alerts@example.com>", to: [oncall@example.com],
     ca_file: "{smtp.cert}", timeout: 2s}}
  - {{name: chat, type: apprise, urls: ["json://127.0.0.1:{chat_port}/hooks/{TOKEN}"], timeout: 2s}}
routes:
  - {{notify: [mail, chat], group_interval: 1s}}
"""
            daemon = DaemonProcess(tmp_path, config)
            try:
                yield World(page, smtp, chat, daemon)
            finally:
                daemon.cleanup()
    finally:
        smtp.stop()


async def baseline(w: World) -> None:
    await w.daemon.start()
    await eventually(lambda: w.page.hits >= 2, what="baseline polls")


async def test_an_outage_its_update_and_its_recovery(world: World) -> None:
    w = world
    await baseline(w)
    w.page.components["API"] = "major_outage"
    await eventually(lambda: len(w.smtp.messages) == len(w.chat.requests) == 1, what="the first page")
    w.page.components["Web"] = "major_outage"
    await eventually(lambda: len(w.smtp.messages) == len(w.chat.requests) == 2, what="the update")
    w.page.components.update(API="operational", Web="operational")
    await eventually(lambda: len(w.smtp.messages) == len(w.chat.requests) == 3, what="the recovery")

    opening, update, recovery = (received.message for received in w.smtp.messages)
    assert all(received.encrypted and received.login == LOGIN for received in w.smtp.messages)
    thread = opening["Message-ID"]
    assert thread.endswith("@example.com>") and opening["In-Reply-To"] is None
    assert update["In-Reply-To"] == recovery["In-Reply-To"] == thread
    assert len({opening["Message-ID"], update["Message-ID"], recovery["Message-ID"]}) == 3
    assert "API" in opening["Subject"] and "Web" in w.smtp.messages[1].part("text/plain")
    assert "Resolved:" in w.smtp.messages[2].part("text/plain")

    chats = [request.json() for request in w.chat.requests]
    assert [chat["type"] for chat in chats] == ["failure", "failure", "success"]
    assert chats[0]["title"] == opening["Subject"] and chats[2]["title"] == recovery["Subject"]
    log = w.daemon.log.read_text()
    assert PASSWORD not in log and TOKEN not in log


async def test_killed_with_the_mail_in_flight_sends_the_same_mail_after_restart(world: World) -> None:
    w = world
    w.smtp.handler.hang_data = True
    await baseline(w)
    w.page.components["API"] = "major_outage"
    await eventually(lambda: len(w.smtp.handler.hung) == 1, what="the mail in flight")
    w.daemon.kill()
    await w.daemon.start()
    await eventually(lambda: len(w.smtp.messages) == 1, what="the mail after restart")
    w.page.components["API"] = "operational"
    await eventually(lambda: len(w.smtp.messages) == 2, what="the recovery")
    first, recovery = (received.message for received in w.smtp.messages)
    assert first["Message-ID"] == w.smtp.handler.hung[0]  # the same mail: clients show it once
    assert recovery["In-Reply-To"] == first["Message-ID"]  # the receipt of the resent mail was kept
    assert len(w.chat.requests) == 2, "Apprise, which had its message, is not sent it again"
