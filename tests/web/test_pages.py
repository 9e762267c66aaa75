"""The status page's rendering, from provider states through `provider_json` as the API shows them:
hostile text stays text, problems come first, an unreadable page reads as unknown."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from monitor import human_time, pages
from monitor.alerting.matchers import parse_matcher
from monitor.alerting.silences import Silence
from monitor.model import (
    ComponentState,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    ProviderState,
)
from monitor.web import provider_json
from tests.web.plans import plan

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>"\' onmouseover="alert(2)'


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    ancestors: list[Element] = field(default_factory=list, repr=False, compare=False)

    def within(self, tag: str) -> Element | None:
        """The nearest enclosing `tag`, if any."""
        return next((a for a in reversed(self.ancestors) if a.tag == tag), None)


@dataclass
class Parsed(HTMLParser):
    """Every element with its attributes and direct text, in document order."""

    elements: list[Element] = field(default_factory=list)
    open: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, ancestors=list(self.open))
        self.elements.append(element)
        if tag not in ("meta", "img", "br", "link", "input"):
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1].tag == tag:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1].text += data

    def select(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def texts(self) -> str:
        return " ".join(e.text for e in self.elements)


def parse(html: str) -> Parsed:
    parsed = Parsed()
    parsed.feed(html)
    parsed.close()
    return parsed


def state(name: str, *statuses: ComponentStatus, **fields: object) -> ProviderState:
    components = {f"c{i}": ComponentState(f"Part {i}", s) for i, s in enumerate(statuses)}
    base: dict[str, object] = {
        "baselined": True,
        "components": components,
        "last_poll_at": NOW - timedelta(seconds=12),
        "last_success_at": NOW - timedelta(seconds=12),
    }
    return ProviderState(provider=name, **{**base, **fields})  # type: ignore[arg-type]


def render(
    *states: tuple[str, ProviderState | None],
    events: list[dict[str, Any]] | None = None,
    silences: Sequence[Silence] = (),
) -> str:
    providers = [provider_json(plan(name), s) for name, s in states]
    return pages.render(providers, events or [], NOW, 30, silences=silences)


def silence(id: str, *matchers: str, starts: timedelta, ends: timedelta, **fields: str) -> Silence:
    """A silence from NOW + starts to NOW + ends."""
    texts = {"created_by": "alice", "comment": "known upstream outage", **fields}
    return Silence(
        id=id,
        matchers=tuple(parse_matcher(m) for m in matchers),
        starts_at=NOW + starts,
        ends_at=NOW + ends,
        created_at=NOW - timedelta(days=1),
        **texts,
    )


def test_hostile_third_party_text_is_shown_as_text_and_never_becomes_markup() -> None:
    incident = Incident(
        id="inc",
        name=HOSTILE,
        status=IncidentStatus.INVESTIGATING,
        impact=Impact.MAJOR,
        url="javascript:alert(3)",
        updated_at=NOW - timedelta(minutes=5),
        latest_update=HOSTILE,
    )
    maintenance = Maintenance("m", HOSTILE, MaintenanceStatus.IN_PROGRESS, url="https://ok.example.com/m")
    evil = state(
        "evil",
        components={"c": ComponentState(HOSTILE, ComponentStatus.MAJOR_OUTAGE, group=HOSTILE)},
        incidents={"inc": incident},
        maintenances={"m": maintenance},
        description=HOSTILE,
    )
    event = {
        "occurred_at": "2026-11-23T11:59:00.000000Z",
        "provider": "evil",
        "severity": "major",
        "title": HOSTILE,
        "url": "JavaScript:alert(4)",
    }
    hush = silence(
        "s1",
        "provider=evil",
        starts=-timedelta(hours=1),
        ends=timedelta(hours=1),
        created_by=HOSTILE,
        comment=HOSTILE,
    )
    html = render(("evil", evil), events=[event], silences=[hush])
    doc = parse(html)

    assert not doc.select("script") and not doc.select("img")
    assert not [e for e in doc.elements if any(name.startswith("on") for name in e.attrs)]
    # our own link to the provider's page, then the http(s) ones: no javascript: link
    hrefs = [e.attrs["href"] for e in doc.select("a")]
    assert hrefs == [
        "/providers/evil",
        "https://evil.example.com",
        "https://ok.example.com/m",
    ]  # no javascript:
    # name, group, component, update, maintenance, description, event, silence author and comment
    assert doc.texts().count(HOSTILE) == 9
    assert "<script>" not in html and "&lt;script&gt;" in html
    when = doc.select("time", datetime="2026-11-23T11:59:00.000000Z")
    assert [(t.text, t.attrs["title"]) for t in when] == [("1 min ago", "11:59 UTC")]  # the event's


def test_problems_come_first_worst_status_first_then_by_name() -> None:
    html = render(
        ("zeta-ok", state("zeta-ok", ComponentStatus.OPERATIONAL)),
        ("alpha-ok", state("alpha-ok", ComponentStatus.OPERATIONAL)),
        ("maint", state("maint", ComponentStatus.UNDER_MAINTENANCE)),
        ("unread", None),
        ("degraded", state("degraded", ComponentStatus.OPERATIONAL, ComponentStatus.DEGRADED_PERFORMANCE)),
        ("b-major", state("b-major", ComponentStatus.MAJOR_OUTAGE)),
        ("a-major", state("a-major", ComponentStatus.OPERATIONAL, ComponentStatus.MAJOR_OUTAGE)),
        ("partial", state("partial", ComponentStatus.PARTIAL_OUTAGE)),
    )
    doc = parse(html)
    shown = [
        (e.attrs["data-provider"], e.attrs["data-status"])
        for e in doc.select("section")
        if "data-provider" in e.attrs
    ]
    assert shown == [
        ("a-major", "major_outage"),
        ("b-major", "major_outage"),
        ("partial", "partial_outage"),
        ("degraded", "degraded_performance"),
        ("unread", "unknown"),
        ("maint", "under_maintenance"),
        ("alpha-ok", "operational"),
        ("zeta-ok", "operational"),
    ]
    assert doc.select("p", id="summary")[0].text.strip() == "5 of 8 providers with problems"
    assert doc.select("title")[0].text.startswith("(5) ")


def test_an_unreadable_page_is_unknown_with_its_error_and_last_known_status() -> None:
    failing = state(
        "failing",
        ComponentStatus.PARTIAL_OUTAGE,
        consecutive_failures=3,
        last_error="HTTP 502 from failing.example.com/api/v2/summary.json",
        last_success_at=NOW - timedelta(hours=2),
    )
    doc = parse(render(("failing", failing), ("fresh", None)))
    first, second = doc.select("section")[:2]
    assert (first.attrs["data-provider"], first.attrs["data-status"]) == ("failing", "unknown")
    assert [b.text for b in doc.select("span", **{"class": "badge status"})] == ["Unknown", "Unknown"]
    notices = [e.text.strip() for e in doc.select("p") if e.text.strip().startswith("Its status page")]
    assert notices == [
        "Its status page cannot be read: HTTP 502 from failing.example.com/api/v2/summary.json",
        "Its status page has not been read yet.",
    ]
    assert [e.text for e in doc.select("span", **{"class": "last-known"})] == ["Partial outage", "none yet"]
    assert second.attrs["data-provider"] == "fresh"
    checked = [
        (t.text, t.attrs["title"], t.attrs["datetime"]) for t in doc.select("time") if "title" in t.attrs
    ]
    assert checked == [
        ("12 s ago", "11:59 UTC", "2026-11-23T11:59:48.000000Z"),
        ("2 h ago", "10:00 UTC", "2026-11-23T10:00:00.000000Z"),
    ]
    metas = [" ".join(e.text.split()) for e in doc.select("p", **{"class": "meta"})]
    assert metas[-1].startswith("Last checked never, last read never")


def test_components_are_grouped_ungrouped_first_and_the_page_reloads_itself() -> None:
    grouped = state(
        "acme",
        components={
            "db": ComponentState("Database", ComponentStatus.OPERATIONAL, group="Infra"),
            "api": ComponentState("API", ComponentStatus.DEGRADED_PERFORMANCE),
            "q": ComponentState("Queue", ComponentStatus.OPERATIONAL, group="Infra"),
            "eu": ComponentState("EU", ComponentStatus.OPERATIONAL, group="Regions"),
        },
    )
    html = render(("acme", grouped))
    doc = parse(html)
    headings_and_items = [(e.tag, e.text.strip()) for e in doc.elements if e.tag in ("h3", "li")]
    assert headings_and_items == [
        ("li", "API"),
        ("h3", "Infra"),
        ("li", "Database"),
        ("li", "Queue"),
        ("h3", "Regions"),
        ("li", "EU"),
    ]
    assert doc.select("meta", http_equiv="refresh")[0].attrs["content"] == "30"
    assert not doc.select("link") and "http" not in "".join(e.attrs.get("src", "") for e in doc.elements)


def test_only_http_links_are_kept() -> None:
    assert pages.safe_link("https://stspg.io/x") == "https://stspg.io/x"
    assert pages.safe_link("HTTP://example.com") == "HTTP://example.com"
    for bad in (
        "javascript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,x",
        "//evil",
        "http://[::1",
        None,
    ):
        assert pages.safe_link(bad) is None


def test_silences_in_force_are_listed_with_matchers_until_when_by_whom_and_why() -> None:
    hour = timedelta(hours=1)
    later = silence("s-later", "provider=acme", "severity=~major|minor", starts=-hour, ends=3 * hour)
    sooner = silence("s-sooner", 'component="Git \\"ops\\""', starts=-hour, ends=hour, created_by="bob")
    pending = silence(
        "s-pending", "provider=acme", "kind!=maintenance", starts=2 * hour, ends=5 * hour, comment="deploying"
    )
    over = silence("s-over", "provider=acme", starts=-2 * hour, ends=-hour)
    doc = parse(render(("acme", state("acme")), silences=[later, over, pending, sooner]))

    rows = doc.select("tr", **{"class": "silence"})
    assert [(r.attrs["data-silence"], r.attrs["data-state"]) for r in rows] == [
        ("s-sooner", "active"),
        ("s-later", "active"),
        ("s-pending", "pending"),
    ]  # the expired one is gone; the rest end soonest first
    assert [c.text for c in doc.select("code")] == [
        'component="Git \\"ops\\""',
        'provider="acme"',
        'severity=~"major|minor"',
        'provider="acme"',
        'kind!="maintenance"',
    ]
    assert [t.text for t in doc.select("time", datetime=(NOW + 3 * hour).isoformat())] == [
        "2026-11-23 15:00 UTC"
    ]
    assert [t.text for t in doc.select("time", datetime=(NOW + 2 * hour).isoformat())] == [
        "2026-11-23 14:00 UTC"
    ]
    assert [e.text for e in doc.select("td", **{"class": "by"})] == ["bob", "alice", "alice"]
    assert [e.text for e in doc.select("td", **{"class": "comment"})] == [
        "known upstream outage",
        "known upstream outage",
        "deploying",
    ]


def test_without_silences_in_force_the_page_says_every_alert_is_sent() -> None:
    over = silence("s-over", "provider=acme", starts=-timedelta(hours=2), ends=-timedelta(hours=1))
    doc = parse(render(("acme", state("acme")), silences=[over]))
    assert not doc.select("tr", **{"class": "silence"})
    assert [e.text.strip() for e in doc.select("p", **{"class": "muted"}) if "in force" in e.text] == [
        "None in force: every alert is sent as routed."
    ]


def five_providers() -> str:
    """The scene of issue 13: one provider in major outage, one degraded with 60 components (4 degraded),
    one under maintenance, one unreadable, one fine."""
    outage = Incident(
        id="inc",
        name="Emails delayed",
        status=IncidentStatus.INVESTIGATING,
        impact=Impact.MAJOR,
        url="https://status.courier.example.com/incidents/inc",
        started_at=datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
        updated_at=NOW - timedelta(minutes=3),
        latest_update="We are investigating delayed emails.",
    )
    courier = state(
        "courier", ComponentStatus.MAJOR_OUTAGE, ComponentStatus.OPERATIONAL, incidents={"inc": outage}
    )
    degraded = [ComponentStatus.DEGRADED_PERFORMANCE] * 4
    twilio = state("twilio", *degraded, *[ComponentStatus.OPERATIONAL] * 56)
    window = Maintenance(
        "m",
        "Database upgrade",
        MaintenanceStatus.IN_PROGRESS,
        scheduled_for=datetime(2026, 11, 23, 11, 4, tzinfo=UTC),
        scheduled_until=datetime(2026, 11, 24, 23, 0, tzinfo=UTC),
    )
    maintained = state(
        "maintained",
        ComponentStatus.UNDER_MAINTENANCE,
        ComponentStatus.OPERATIONAL,
        maintenances={"m": window},
    )
    unread = state("unread", ComponentStatus.OPERATIONAL, consecutive_failures=3, last_error="HTTP 502")
    github = state("github", *[ComponentStatus.OPERATIONAL] * 10)
    return render(
        ("github", github),
        ("unread", unread),
        ("maintained", maintained),
        ("twilio", twilio),
        ("courier", courier),
    )


def cards(doc: Parsed) -> dict[str, Element]:
    return {e.attrs["data-provider"]: e for e in doc.select("section") if "data-provider" in e.attrs}


def inside(doc: Parsed, card: Element, tag: str) -> list[Element]:
    return [e for e in doc.select(tag) if card in e.ancestors]


def test_a_provider_with_problems_shows_them_and_folds_its_operational_components_behind_a_count() -> None:
    doc = parse(five_providers())
    twilio = cards(doc)["twilio"]
    shown = [li for li in inside(doc, twilio, "li") if li.within("details") is None]
    folded = [li for li in inside(doc, twilio, "li") if li.within("details") is not None]
    assert [(li.text.strip(), li.attrs["data-status"]) for li in shown] == [
        (f"Part {i}", "degraded_performance") for i in range(4)
    ]
    assert [li.text for li in folded] == [f"Part {i}" for i in range(4, 60)]
    assert {li.attrs["data-status"] for li in folded} == {"operational"}
    (details,) = inside(doc, twilio, "details")
    assert "open" not in details.attrs  # folded until opened
    assert [e.text for e in inside(doc, twilio, "summary")] == ["and 56 operational"]

    courier = cards(doc)["courier"]
    assert [li.text.strip() for li in inside(doc, courier, "li") if li.within("details") is None] == [
        "Part 0"
    ]
    assert [e.text for e in inside(doc, courier, "summary")] == ["and 1 operational"]
    assert [e.text for e in inside(doc, courier, "p") if e.attrs.get("class") == "latest-update"] == [
        "We are investigating delayed emails."
    ]
    unread = cards(doc)["unread"]
    assert [e.text for e in inside(doc, unread, "summary")] == ["1 component, all operational"]


def test_a_healthy_provider_is_one_line() -> None:
    doc = parse(five_providers())
    github = cards(doc)["github"]
    assert github.attrs["class"] == "provider healthy s-operational"
    children = [e for e in doc.elements if e.ancestors and e.ancestors[-1] is github]
    assert [(e.tag, e.attrs.get("class")) for e in children] == [("p", "line")]
    assert not inside(doc, github, "li") and not inside(doc, github, "details")
    (line,) = children
    assert [e.text for e in inside(doc, line, "span")] == ["Operational", "10 components · checked "]
    assert [e.text for e in inside(doc, line, "time")] == ["12 s ago"]
    # the others are cards with a heading, problems first
    assert list(cards(doc)) == ["courier", "twilio", "unread", "maintained", "github"]
    assert [
        e.attrs["data-provider"] for e in doc.select("section", **{"class": "provider healthy s-operational"})
    ] == ["github"]


def test_times_read_as_people_read_them_with_the_exact_moment_kept_in_the_time_element() -> None:
    doc = parse(five_providers())
    courier, maintained = cards(doc)["courier"], cards(doc)["maintained"]
    incident_times = [(t.text, t.attrs["datetime"]) for t in inside(doc, courier, "time")]
    assert incident_times == [
        ("12 s ago", "2026-11-23T11:59:48.000000Z"),  # last checked
        ("12 s ago", "2026-11-23T11:59:48.000000Z"),  # last read
        ("11:00 UTC", "2026-11-23T11:00:00.000000Z"),  # since, today
        ("3 min ago", "2026-11-23T11:57:00.000000Z"),  # updated
    ]
    (incident,) = [e for e in inside(doc, courier, "span") if e.text.startswith("incident")]
    assert " ".join(incident.text.split()) == "incident · investigating · impact major · since · updated"
    (window,) = [e for e in inside(doc, maintained, "span") if e.text.startswith("maintenance")]
    assert " ".join(window.text.split()) == "maintenance · in progress · since · until"
    assert [(t.text, t.attrs["datetime"]) for t in inside(doc, window, "time")] == [
        ("11:04 UTC", "2026-11-23T11:04:00.000000Z"),
        ("24 Nov 23:00 UTC", "2026-11-24T23:00:00.000000Z"),  # another day: with the day
    ]
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", doc.texts()), "a raw ISO stamp is shown"


def test_each_provider_links_to_its_own_page_escaped() -> None:
    doc = parse(five_providers())
    names = {e.text: e.attrs["href"] for e in doc.select("a") if e.attrs.get("class") == "name"}
    assert names == {n: f"/providers/{n}" for n in ("courier", "twilio", "unread", "maintained", "github")}
    assert pages.provider_href("a b/../c?d#e") == "/providers/a%20b%2F..%2Fc%3Fd%23e"


def test_a_moment_shows_its_day_only_when_not_today_and_its_year_only_when_not_this_year() -> None:
    assert human_time.clock("2026-11-23T00:04:00Z", NOW) == "00:04 UTC"
    assert human_time.clock("2026-07-16T23:00:00Z", NOW) == "16 Jul 23:00 UTC"
    assert human_time.clock("2025-12-31T23:59:00+00:00", NOW) == "31 Dec 2025 23:59 UTC"
    assert human_time.clock("2026-11-23T01:30:00+02:00", NOW) == "22 Nov 23:30 UTC"  # read in UTC


EVIL_LABEL = '<script>alert("x")</script>"\' a'  # a category from a config file: text too


def test_grouped_by_category_providers_sit_under_their_headings_a_to_z_uncategorised_last() -> None:
    providers = [
        provider_json(plan(name, category), state(name, status))
        for name, category, status in [
            ("stripe", "Payments & Finance", ComponentStatus.OPERATIONAL),
            ("github", "developer tools", ComponentStatus.OPERATIONAL),
            ("adyen", "Payments & Finance", ComponentStatus.MAJOR_OUTAGE),
            ("own", None, ComponentStatus.OPERATIONAL),
            ("evil", EVIL_LABEL, ComponentStatus.OPERATIONAL),
        ]
    ]
    html = pages.render(providers, [], NOW, 30, silences=(), by_category=True)
    parsed = parse(html)

    order = [
        e.attrs.get("data-category") or e.attrs["data-provider"]
        for e in parsed.elements
        if "data-category" in e.attrs or "data-provider" in e.attrs
    ]
    assert order == [  # A to Z in any case, problems first within a category, uncategorised last
        EVIL_LABEL,
        "evil",
        "developer tools",
        "github",
        "Payments & Finance",
        "adyen",
        "stripe",
        "Uncategorised",
        "own",
    ]
    headings = [
        e.text for e in parsed.elements if e.attrs.get("class") == "category"
    ]  # the hostile one shown as text
    assert headings == [EVIL_LABEL, "developer tools", "Payments & Finance", "Uncategorised"]
    assert "<script>" not in html and "&lt;script&gt;" in html

    flat = parse(pages.render(providers, [], NOW, 30, silences=()))
    assert not [e for e in flat.elements if e.attrs.get("class") == "category"]
    assert [e.attrs["data-provider"] for e in flat.elements if "data-provider" in e.attrs] == [
        "adyen",
        "evil",
        "github",
        "own",
        "stripe",
    ]


def test_without_providers_the_page_says_so_grouped_or_not() -> None:
    for by_category in (False, True):
        html = pages.render([], [], NOW, 30, silences=(), by_category=by_category)
        assert "No providers configured." in html


def test_replicas_sharing_the_store_are_listed_leader_marked_and_escaped() -> None:
    replicas = [
        {"id": "r-1", "host": "node-a", "started_at": "2026-11-23T11:00:00.000000Z",
         "last_heartbeat": "2026-11-23T11:59:57.000000Z", "leader": True, "token": 7},
        {"id": "r-2", "host": "<b>node-b</b>", "started_at": "2026-11-23T11:00:00.000000Z",
         "last_heartbeat": "2026-11-23T11:59:55.000000Z", "leader": False, "token": None},
    ]  # fmt: skip
    html = pages.render([], [], NOW, 30, silences=(), replicas=replicas)
    doc = parse(html)
    rows = [e for e in doc.elements if e.tag == "tr" and "replica" in e.attrs.get("class", "")]
    assert [("leader" in r.attrs["class"]) for r in rows] == [True, False]
    assert "leader (token 7)" in html and "follower" in html
    assert "&lt;b&gt;node-b&lt;/b&gt;" in html and "<b>node-b</b>" not in html
    assert 'id="cluster"' not in pages.render([], [], NOW, 30, silences=())  # one daemon: no section
