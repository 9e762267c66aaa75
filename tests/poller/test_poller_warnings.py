"""Parse warnings over loopback: logged when they change, counted on every fresh parse."""

from __future__ import annotations

from structlog.testing import capture_logs

from tests.poller.conftest import Rig
from tests.poller.metrics_reading import count

WARNINGS = "outage_monitor_parse_warnings_total"


async def test_the_same_warnings_are_logged_once_but_counted_on_every_parse(rig: Rig, name: str) -> None:
    rig.page.set_status("c-api", "on_fire")  # not a Statuspage status: one warning per parse
    rig.configure([rig.plan(name)], [], {})
    with capture_logs() as logs:
        await rig.poller.poll(name)
        rig.page.set_status("c-db", "degraded_performance")  # a new body, the same warning
        await rig.poller.poll(name)
        rig.page.set_status("c-db", "melting")  # a second warning: the set changed
        await rig.poller.poll(name)
        rig.page.set_status("c-api", "operational")
        rig.page.set_status("c-db", "operational")  # readable again
        await rig.poller.poll(name)
        await rig.poller.poll(name)

    assert rig.parses.calls == 4
    logged = [
        (e["event"], len(e.get("warnings", []))) for e in logs if e["event"].startswith("parse_warnings")
    ]
    assert logged == [("parse_warnings", 1), ("parse_warnings", 2), ("parse_warnings_cleared", 0)]
    assert count(WARNINGS, provider=name) == 1 + 1 + 2
