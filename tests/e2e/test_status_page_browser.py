"""The status page in a real headless Chromium, served by the real daemon watching loopback status pages:
what a person sees, and that the page follows a change by reloading itself."""

from __future__ import annotations

import asyncio
import re
import struct
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from monitor.human_time import clock
from monitor.store.codec import format_time
from tests.e2e.harness import DaemonProcess, StatusPage, eventually, pages_yaml, running
from tests.tools import require_tool

pytestmark = pytest.mark.e2e

INCIDENT = {
    "id": "inc-cards",
    "name": "Card payments failing",
    "status": "investigating",
    "impact": "critical",
    "shortlink": "https://stspg.io/cards",
    "created_at": "2026-11-23T11:00:00Z",
    "updated_at": "2026-11-23T11:05:00Z",
    "incident_updates": [
        {
            "id": "u1",
            "status": "investigating",
            "body": "We are looking into failed card payments.",
            "created_at": "2026-11-23T11:05:00Z",
        },
    ],
    "components": [],
}


@dataclass(frozen=True)
class Card:
    """One provider as rendered: its name, badge and all its visible text."""

    name: str
    badge: str
    text: str


@dataclass(frozen=True)
class Seen:
    """What a person sees at one moment: the headline, the provider cards in order, the events, the links."""

    summary: str
    cards: list[Card]
    events: str
    links: dict[str, str]  # visible text -> href

    @property
    def order(self) -> list[tuple[str, str]]:
        return [(c.name, c.badge) for c in self.cards]


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[webdriver.Chrome]:
    driver_path = require_tool("chromedriver")
    options = webdriver.ChromeOptions()
    options.binary_location = require_tool("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_argument("--window-size=1280,900")
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # to see any CSP violation
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager fetch a driver or a browser
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
async def pages() -> AsyncIterator[dict[str, StatusPage]]:
    watched = {"acme": StatusPage(), "zulu": StatusPage(components={"Checkout": "operational"})}
    async with running(*watched.values()):
        yield watched


def look(driver: webdriver.Chrome) -> Seen | None:
    """The page as shown now; None while it is between reloads."""
    try:
        cards = [
            Card(
                card.find_element(By.CSS_SELECTOR, ".name").text,
                card.find_element(By.CSS_SELECTOR, ".badge").text,
                card.text,
            )
            for card in driver.find_elements(By.CSS_SELECTOR, "section.provider")
        ]
        links = {a.text: a.get_attribute("href") or "" for a in driver.find_elements(By.TAG_NAME, "a")}
        summary = driver.find_element(By.ID, "summary").text
        return Seen(summary, cards, driver.find_element(By.ID, "events").text, links)
    except (StaleElementReferenceException, NoSuchElementException):
        return None
    except WebDriverException as error:  # Chromium's own words for an element the reload just replaced
        if "does not belong to the document" in str(error):
            return None
        raise


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_a_person_sees_the_providers_and_the_page_follows_an_outage(
    tmp_path: Path, browser: webdriver.Chrome, pages: dict[str, StatusPage]
) -> None:
    daemon = DaemonProcess(tmp_path, pages_yaml(pages))
    try:
        await daemon.start()

        async def all_read() -> bool:
            providers = (await daemon.get_json("/api/v1/providers"))["providers"]
            return all(p["status"] == "operational" for p in providers)

        await eventually(all_read, what="both pages read")
        # Selenium blocks: it runs in a thread so the loopback status pages keep answering the daemon.
        await asyncio.to_thread(browser.get, f"{daemon.base}/?refresh=1")
        before = await asyncio.to_thread(look, browser)
        assert before is not None
        assert before.summary == "All 2 providers operational"
        assert before.order == [("acme", "Operational"), ("zulu", "Operational")]
        assert before.cards[0].text.startswith("acme Operational 2 components · checked")  # healthy: one line
        assert before.cards[1].text.startswith("zulu Operational 1 component · checked")
        script = "return performance.getEntriesByType('resource').map(e => e.name)"
        assert await asyncio.to_thread(browser.execute_script, script) == [], "the page loaded something"
        styled = "return getComputedStyle(document.querySelector('.badge')).borderRadius"
        assert await asyncio.to_thread(browser.execute_script, styled) != "0px", "inline CSS was blocked"

        pages["zulu"].components["Checkout"] = "major_outage"
        pages["zulu"].incidents = [INCIDENT]
        pages["acme"].mode = "500"
        seen: Seen | None = None

        async def outage_shown() -> bool:
            nonlocal seen
            seen = await asyncio.to_thread(look, browser)
            return seen is not None and seen.order == [("zulu", "Major outage"), ("acme", "Unknown")]

        await eventually(outage_shown, timeout=20, what="the page to reload itself showing the outage")
        assert seen is not None
        zulu, acme = seen.cards
        assert "Card payments failing" in zulu.text
        assert "We are looking into failed card payments." in zulu.text
        assert "Checkout Major outage" in zulu.text
        assert "cannot be read: HTTP 500" in acme.text and "Last known status: Operational" in acme.text
        assert seen.links["Card payments failing"] == "https://stspg.io/cards"
        assert seen.summary == "2 of 2 providers with problems"
        assert "zulu" in seen.events

        console = await asyncio.to_thread(browser.get_log, "browser")
        assert not [entry for entry in console if entry["level"] == "SEVERE"], console

        screenshot = tmp_path / "status-page.png"
        assert await asyncio.to_thread(browser.save_screenshot, str(screenshot))
        width, height = png_size(screenshot)
        assert width >= 800 and height >= 600 and screenshot.stat().st_size > 10_000
    finally:
        daemon.cleanup()


def twilio_like() -> StatusPage:
    """60 components, 4 of them degraded: the provider that used to fill the screen."""
    components = {f"Carrier {i:02d}": "operational" for i in range(60)}
    for i in (7, 19, 33, 52):
        components[f"Carrier {i:02d}"] = "degraded_performance"
    return StatusPage(components=components)


def maintenance_window(now: datetime) -> dict[str, Any]:
    started = now.replace(second=0, microsecond=0) - timedelta(minutes=30)
    return {
        "id": "mnt-db",
        "name": "Database upgrade",
        "status": "in_progress",
        "impact": "maintenance",
        "shortlink": "https://stspg.io/db",
        "scheduled_for": format_time(started),
        "scheduled_until": format_time(started + timedelta(days=2)),
        "incident_updates": [],
        "components": [{"id": "c-database", "name": "Database"}],
    }


def visible_components(driver: webdriver.Chrome, provider: str) -> list[str]:
    """The text of each component of a provider's card that is shown now."""
    card = driver.find_element(By.CSS_SELECTOR, f'section[data-provider="{provider}"]')
    return [li.text for li in card.find_elements(By.CSS_SELECTOR, "li.component") if li.is_displayed()]


# Each card's height and the bottom of the last one, in CSS pixels, with the viewport's size.
LAYOUT = """
const cards = [...document.querySelectorAll('section.provider')];
return {
  heights: Object.fromEntries(cards.map(c => [c.dataset.provider, c.getBoundingClientRect().height])),
  bottom: cards[cards.length - 1].getBoundingClientRect().bottom,
  lineHeight: parseFloat(getComputedStyle(document.querySelector('.provider .line')).lineHeight),
  viewport: [window.innerWidth, window.innerHeight],
};
"""


async def test_five_providers_fit_one_screen_with_the_operational_components_folded_until_opened(
    tmp_path: Path, browser: webdriver.Chrome
) -> None:
    now = datetime.now(UTC)
    maintained = StatusPage(components={"Database": "under_maintenance", "API": "operational"})
    maintained.maintenances = [maintenance_window(now)]
    watched = {
        "courier": StatusPage(
            components={"Email": "major_outage", "SMS": "operational"}, incidents=[INCIDENT]
        ),
        "twilio": twilio_like(),
        "maintained": maintained,
        "unreadable": StatusPage(),
        "fine": StatusPage(),
    }
    expected = {
        "courier": "major_outage",
        "twilio": "degraded_performance",
        "unreadable": "operational",
        "maintained": "under_maintenance",
        "fine": "operational",
    }
    async with running(*watched.values()):
        daemon = DaemonProcess(tmp_path, pages_yaml(watched))
        try:
            await daemon.start()

            async def all_read() -> bool:
                providers = (await daemon.get_json("/api/v1/providers"))["providers"]
                return {p["name"]: p["status"] for p in providers} == expected

            await eventually(all_read, what="the five pages read")
            watched["unreadable"].mode = "html"  # a CDN's error page where the status page was
            expected["unreadable"] = "unknown"
            await eventually(all_read, what="one page unreadable")
            viewport = {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False}
            await asyncio.to_thread(browser.execute_cdp_cmd, "Emulation.setDeviceMetricsOverride", viewport)
            await asyncio.to_thread(browser.get, f"{daemon.base}/?refresh=3600")
            seen = await asyncio.to_thread(look, browser)
            assert seen is not None
            assert [name for name, _ in seen.order] == list(expected)
            await asyncio.to_thread(browser.save_screenshot, str(tmp_path / "overview.png"))
            layout = await asyncio.to_thread(browser.execute_script, LAYOUT)
            assert layout["viewport"] == [1280, 800]
            # the healthy provider is one line; all five fit the first screen
            assert layout["heights"]["fine"] < 2 * layout["lineHeight"], layout
            assert layout["bottom"] <= 800, layout

            degraded = [f"Carrier {i} Degraded performance" for i in ("07", "19", "33", "52")]
            assert await asyncio.to_thread(visible_components, browser, "twilio") == degraded
            fold = '[data-provider="twilio"] details summary'
            summary = await asyncio.to_thread(browser.find_element, By.CSS_SELECTOR, fold)
            assert await asyncio.to_thread(lambda: summary.text) == "and 56 operational"
            await asyncio.to_thread(summary.click)
            operational = [f"Carrier {i:02d}" for i in range(60) if i not in (7, 19, 33, 52)]
            opened = await asyncio.to_thread(visible_components, browser, "twilio")
            assert opened == degraded + operational
            await asyncio.to_thread(browser.save_screenshot, str(tmp_path / "overview-opened.png"))

            courier, _, unreadable, maintenance, _ = seen.cards
            assert f"since {clock(str(INCIDENT['created_at']), now)}" in courier.text
            window = maintained.maintenances[0]
            assert f"since {clock(window['scheduled_for'], now)}" in maintenance.text
            assert f"until {clock(window['scheduled_until'], now)}" in maintenance.text
            assert "cannot be read: expected JSON" in unreadable.text
            assert "Last known status: Operational" in unreadable.text
            assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", " ".join(c.text for c in seen.cards))
            for name in expected:
                assert seen.links[name] == f"{daemon.base}/providers/{name}"
            console = await asyncio.to_thread(browser.get_log, "browser")
            assert not [entry for entry in console if entry["level"] == "SEVERE"], console
            for shot in ("overview.png", "overview-opened.png"):
                assert png_size(tmp_path / shot) == (1280, 800)
        finally:
            daemon.cleanup()


PAST_INCIDENT = {
    "id": "inc-past",
    "name": "Delayed <b>emails</b>",
    "status": "resolved",
    "impact": "minor",
    "shortlink": "javascript:alert(1)",
    "created_at": "2026-11-20T09:00:00Z",
    "started_at": "2026-11-20T09:00:00Z",
    "resolved_at": "2026-11-20T10:00:00Z",
    "incident_updates": [
        {"id": f"p{minute}", "status": status, "body": body, "created_at": f"2026-11-20T09:{minute}:00Z"}
        for minute, status, body in [
            ("00", "investigating", "Emails are delayed."),
            ("20", "identified", "A queue is backed up."),
            ("40", "monitoring", "A fix is out."),
            ("59", "resolved", "All emails delivered."),
        ]
    ],
    "components": [],
}


async def test_a_person_opens_a_provider_page_from_the_overview_and_sees_its_history(
    tmp_path: Path, browser: webdriver.Chrome, pages: dict[str, StatusPage]
) -> None:
    pages["zulu"].components["Checkout"] = "major_outage"
    pages["zulu"].incidents = [INCIDENT]
    pages["zulu"].history = [PAST_INCIDENT, INCIDENT]
    daemon = DaemonProcess(tmp_path, pages_yaml(pages))
    try:
        await daemon.start()

        async def backfilled() -> bool:
            body = await daemon.get_json("/api/v1/providers/zulu/incidents?since=2026-01-01T00:00:00Z")
            return len(body["incidents"]) == 2

        await eventually(backfilled, what="zulu's history backfilled")
        await asyncio.to_thread(browser.get, f"{daemon.base}/")
        link = await asyncio.to_thread(browser.find_element, By.LINK_TEXT, "zulu")
        await asyncio.to_thread(link.click)

        def read() -> dict[str, str]:
            sections = ("provider", "open-incidents", "components", "availability", "history")
            return {name: browser.find_element(By.ID, name).text for name in sections}

        seen = await asyncio.to_thread(read)
        assert browser.current_url == f"{daemon.base}/providers/zulu"
        assert seen["provider"].startswith("zulu") and "Major outage" in seen["provider"]
        assert "Card payments failing" in seen["open-incidents"]
        assert "We are looking into failed card payments." in seen["open-incidents"]
        assert "Checkout Major outage" in seen["components"]
        assert "Checkout" in seen["availability"] and "%" in seen["availability"]
        history = seen["history"]
        assert "Delayed <b>emails</b>" in history  # shown as text
        order = [
            history.index(text) for text in ("All emails delivered.", "A fix is out.", "Emails are delayed.")
        ]
        assert order == sorted(order), "newest update first"
        hrefs = [a.get_attribute("href") or "" for a in browser.find_elements(By.TAG_NAME, "a")]
        assert not [h for h in hrefs if h.startswith("javascript:")]
        script = "return performance.getEntriesByType('resource').map(e => e.name)"
        assert await asyncio.to_thread(browser.execute_script, script) == [], "the page loaded something"
        console = await asyncio.to_thread(browser.get_log, "browser")
        assert not [entry for entry in console if entry["level"] == "SEVERE"], console
    finally:
        daemon.cleanup()
