"""The replay corpus (tests/replay/corpus.py) through the real parsers, engine and alerting stage: each
timeline with the notifications it must produce, to whom and when. Across the corpus, the on-call is
paged once and told of the resolution once per outage, hears nothing from noise (flapping, a short
error page, a maintenance, a minor incident), and every notifier told of an episode hears it end once.
Pages read from two documents a poll (Instatus, Cachet) replay each from its own captures, and a probe's
recorded answers are judged by the replayed config."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config import Config, parse_config
from monitor.replay import notification_json, replay
from monitor.timeline import read_timeline
from tests.replay import corpus

MINUTE = timedelta(minutes=1)
GIT = "github/component/8l4ygp009s5s"
PACKAGES = "github/component/st3j38cctv9l"
INCIDENT = "github/incident/ljwdk6qml8z8"
SOURCE = "github/source"
MAINTENANCE = "cloudamqp/maintenance/qy6n39trpl7l"
HEROKU = [f"heroku/component/{system}" for system in ("apps", "data", "tools")]
HEROKU_INCIDENT = "heroku/incident/1918"
PERPLEXITY_API = f"perplexity/component/{corpus.PERPLEXITY_API}"
PERPLEXITY_INCIDENT = f"perplexity/incident/{corpus.PERPLEXITY_INCIDENT}"
AGE_SCAN = "yoti/component/2"
AGE_SCAN_INCIDENT = "yoti/incident/7"
PROBE = "api/component/api.example.com"

Sent = tuple[
    str, str, str, str, list[str], list[str]
]  # at (hh:mm), notifier, reason, severity, firing, resolved

SCENARIOS: dict[str, tuple[Callable[[Path], Path], list[Sent]]] = {
    "outage": (
        lambda root: corpus.write_directory(root, "github", corpus.outage()),
        [
            ("12:11", "chat", "firing", "minor", [GIT], []),
            ("12:21", "oncall", "firing", "critical", [GIT], []),
            ("12:21", "chat", "escalated", "critical", [GIT], []),
            ("12:31", "oncall", "changed", "minor", [GIT], []),  # recovering: the incident's severity drops
            ("12:31", "chat", "changed", "minor", [GIT], []),
            ("12:41", "oncall", "resolved", "minor", [], [GIT]),
            ("12:41", "chat", "resolved", "minor", [], [GIT]),
        ],
    ),
    "flapping": (lambda root: corpus.write_directory(root, "github", corpus.flapping(), every=MINUTE), []),
    "error page in an outage": (
        lambda root: corpus.write_lines(root / "timeline.jsonl", "github", corpus.error_page_in_outage()),
        [
            ("12:11", "oncall", "firing", "critical", [GIT], []),
            ("12:11", "chat", "firing", "critical", [GIT], []),
            ("12:22", "chat", "changed", "critical", [GIT, SOURCE], []),  # third failed poll
            ("12:40", "chat", "changed", "critical", [GIT], [SOURCE]),  # read again: still down
            ("12:51", "oncall", "resolved", "critical", [], [GIT]),
            ("12:51", "chat", "resolved", "critical", [], [GIT]),
        ],
    ),
    "short error page": (
        lambda root: corpus.write_lines(
            root / "timeline.jsonl", "github", corpus.error_page_while_up(), every=MINUTE
        ),
        [],
    ),
    "maintenance": (
        lambda root: corpus.write_directory(root, "cloudamqp", corpus.maintenance()),
        [
            ("12:10", "chat", "firing", "info", [MAINTENANCE], []),
            ("12:20", "chat", "resolved", "info", [], [MAINTENANCE]),
        ],
    ),
    "incident updated many times": (
        lambda root: corpus.write_directory(root, "github", corpus.incident_updates()),
        [
            ("12:10", "oncall", "firing", "major", [INCIDENT], []),
            ("12:10", "chat", "firing", "major", [INCIDENT], []),
            ("12:15", "oncall", "changed", "major", [PACKAGES, INCIDENT], []),  # one group_interval later
            ("12:15", "chat", "changed", "major", [PACKAGES, INCIDENT], []),
            ("12:31", "oncall", "changed", "major", [INCIDENT], [PACKAGES]),  # monitoring: Packages is back
            ("12:31", "chat", "changed", "major", [INCIDENT], [PACKAGES]),
            ("12:40", "oncall", "resolved", "major", [], [INCIDENT]),
            ("12:40", "chat", "resolved", "major", [], [INCIDENT]),
        ],
    ),
    "heroku incident (minor: the chat only)": (
        lambda root: corpus.write_directory(root, "heroku", corpus.heroku_incident()),
        [
            ("12:10", "chat", "firing", "minor", [HEROKU_INCIDENT], []),
            ("12:15", "chat", "changed", "minor", [*HEROKU, HEROKU_INCIDENT], []),  # systems confirmed
            ("12:20", "chat", "changed", "minor", HEROKU, [HEROKU_INCIDENT]),  # gone from the page: resolved
            ("12:21", "chat", "resolved", "minor", [], HEROKU),
        ],
    ),
    "instatus outage, two documents a poll": (
        lambda root: corpus.write_directory(root, "perplexity", corpus.instatus_outage()),
        [
            ("12:11", "oncall", "firing", "critical", [PERPLEXITY_API], []),  # from components.json alone
            ("12:11", "chat", "firing", "critical", [PERPLEXITY_API], []),
            ("12:20", "oncall", "changed", "critical", [PERPLEXITY_API, PERPLEXITY_INCIDENT], []),
            ("12:20", "chat", "changed", "critical", [PERPLEXITY_API, PERPLEXITY_INCIDENT], []),
            ("12:31", "oncall", "changed", "critical", [PERPLEXITY_INCIDENT], [PERPLEXITY_API]),
            ("12:31", "chat", "changed", "critical", [PERPLEXITY_INCIDENT], [PERPLEXITY_API]),
            ("12:40", "oncall", "resolved", "critical", [], [PERPLEXITY_INCIDENT]),
            ("12:40", "chat", "resolved", "critical", [], [PERPLEXITY_INCIDENT]),
        ],
    ),
    "cachet incident, two collections a poll": (
        lambda root: corpus.write_lines(root / "timeline.jsonl", "yoti", corpus.cachet_incident()),
        [
            ("12:10", "oncall", "firing", "major", [AGE_SCAN_INCIDENT], []),
            ("12:10", "chat", "firing", "major", [AGE_SCAN_INCIDENT], []),
            ("12:15", "oncall", "changed", "major", [AGE_SCAN, AGE_SCAN_INCIDENT], []),  # confirmed
            ("12:15", "chat", "changed", "major", [AGE_SCAN, AGE_SCAN_INCIDENT], []),
            (
                "12:20",
                "oncall",
                "changed",
                "major",
                [AGE_SCAN],
                [AGE_SCAN_INCIDENT],
            ),  # fixed; Age Scan not yet
            ("12:20", "chat", "changed", "major", [AGE_SCAN], [AGE_SCAN_INCIDENT]),
            ("12:31", "oncall", "resolved", "major", [], [AGE_SCAN]),
            ("12:31", "chat", "resolved", "major", [], [AGE_SCAN]),
        ],
    ),
    "probe slow then down": (
        lambda root: corpus.write_lines(root / "timeline.jsonl", "api", corpus.probe_outage(), every=MINUTE),
        [
            ("12:02", "chat", "firing", "minor", [PROBE], []),  # slower than latency_threshold: 2s
            ("12:05", "oncall", "firing", "critical", [PROBE], []),  # HTTP 503
            ("12:05", "chat", "escalated", "critical", [PROBE], []),
            ("12:10", "oncall", "resolved", "critical", [], [PROBE]),  # no answer in between: still down
            ("12:10", "chat", "resolved", "critical", [], [PROBE]),
        ],
    ),
}
OUTAGES = {
    "outage": 1,
    "error page in an outage": 1,
    "incident updated many times": 1,
    "instatus outage, two documents a poll": 1,
    "cachet incident, two collections a poll": 1,
    "probe slow then down": 1,
}


@pytest.fixture(scope="module")
def config() -> Config:
    return parse_config(corpus.CONFIG, "corpus.yaml")


async def replayed(config: Config, timeline: Path) -> list[dict[str, object]]:
    sent = await replay(config, read_timeline(timeline), [])
    return [notification_json(n, "") for n in sent]


@pytest.mark.parametrize("name", SCENARIOS)
async def test_each_timeline_sends_what_it_must(config: Config, tmp_path: Path, name: str) -> None:
    build, expected = SCENARIOS[name]
    sent = await replayed(config, build(tmp_path))
    assert [
        (
            str(s["at"])[11:16],
            s["notifier"],
            s["reason"],
            s["severity"],
            s["firing"],
            s["resolved"],
        )
        for s in sent
    ] == expected
    assert all(str(s["at"]).startswith("2024-05-01T") for s in sent)


@pytest.mark.parametrize("name", SCENARIOS)
async def test_every_outage_pages_once_and_resolves_once_and_noise_pages_nobody(
    config: Config, tmp_path: Path, name: str
) -> None:
    sent = await replayed(config, SCENARIOS[name][0](tmp_path))
    pages = [s["reason"] for s in sent if s["notifier"] == "oncall"]
    assert (pages.count("firing"), pages.count("resolved")) == (OUTAGES.get(name, 0),) * 2
    episodes: dict[tuple[object, object], list[object]] = {}
    for s in sent:
        episodes.setdefault((s["notifier"], s["group_key"]), []).append(s["reason"])
    for reasons in episodes.values():  # whoever was told of an episode is told it ended, once
        assert (reasons[0], reasons.count("firing"), reasons[-1], reasons.count("resolved")) == (
            "firing",
            1,
            "resolved",
            1,
        )


async def test_quiet_hours_hold_the_chat_until_they_end(tmp_path: Path) -> None:
    """The chat's route muted 12:00-12:30 UTC: the outage reaches it when the interval ends, as it is then.
    (The stage asks for no wake-up here, since the alert fires on the on-call's route; the daemon's
    evaluator notices within MAX_IDLE_SECONDS, and so does the replay.)"""
    quiet = corpus.CONFIG.replace(
        "  - {notify: [chat]}", "  - {notify: [chat], mute_time_intervals: [lunch]}"
    )
    quiet += (
        "time_intervals:\n"
        '  - {name: lunch, time_intervals: [{times: [{start_time: "12:00", end_time: "12:30"}]}]}\n'
    )
    sent = await replayed(
        parse_config(quiet, "quiet.yaml"), corpus.write_directory(tmp_path, "github", corpus.outage())
    )
    to_chat = [(str(s["at"])[11:16], s["reason"], s["severity"]) for s in sent if s["notifier"] == "chat"]
    assert to_chat == [
        ("12:30", "firing", "critical"),
        ("12:35", "changed", "minor"),  # a change that is not a rise waits a group_interval
        ("12:41", "resolved", "minor"),
    ]
    assert [s["reason"] for s in sent if s["notifier"] == "oncall"] == ["firing", "changed", "resolved"]


@pytest.mark.parametrize(
    ("probe", "expected"),
    [
        ("latency_threshold: 5s", [("12:05", "firing", "critical"), ("12:10", "resolved", "critical")]),
        ("timeout: 3s", [("12:02", "firing", "critical"), ("12:10", "resolved", "critical")]),
    ],
)
async def test_a_probes_recorded_answers_are_judged_by_the_replayed_config(
    tmp_path: Path, probe: str, expected: list[tuple[str, str, str]]
) -> None:
    """The same probe timeline under another config: a higher latency threshold hides the slow polls; a
    timeout below their latency makes them timeouts, a major outage."""
    changed = corpus.CONFIG.replace("latency_threshold: 2s", probe)
    timeline = corpus.write_lines(tmp_path / "timeline.jsonl", "api", corpus.probe_outage(), every=MINUTE)
    sent = await replayed(parse_config(changed, "probe.yaml"), timeline)
    assert [
        (str(s["at"])[11:16], s["reason"], s["severity"]) for s in sent if s["notifier"] == "oncall"
    ] == expected
