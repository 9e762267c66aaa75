"""Google Cloud's incidents.json read as the history for a first sight's backfill: the real capture (157
incidents, all ended), each with its updates as the timeline, the product and location filters, the bound."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from hypothesis import given, settings

from monitor.fetch import HttpClient
from monitor.model import IncidentStatus
from monitor.sources.base import HISTORY_LIMIT
from monitor.sources.gcp import GcpConfig, GcpSource, parse_gcp_history

from .conftest import FIXTURES, Serve
from .endpoint import Endpoint
from .fuzzing import check_history, mutations

PAGE = "https://status.cloud.google.com"
RAW = (FIXTURES / "gcp/status.cloud.google.com-incidents-2022-07.json").read_bytes()
CAPTURE: list[dict[str, Any]] = json.loads(RAW)
BIGQUERY = "TaA75H7XA1DQyM2ReK2f"  # [Google BigQuery] Lower throughput from the Read API, 2022-07-01
DISK = "4Qvmd4q81VnA9RirCMqV"  # Persistent Disk in us-central1-b, 2022-05-06, 18 updates
INVESTIGATING, MONITORING, RESOLVED = (
    IncidentStatus.INVESTIGATING,
    IncidentStatus.MONITORING,
    IncidentStatus.RESOLVED,
)


def test_every_ended_incident_is_resolved_at_its_end_with_every_update() -> None:
    incidents = {i.id: i for i in parse_gcp_history(CAPTURE, PAGE)}
    assert len(incidents) == 157
    assert {i.status for i in incidents.values()} == {RESOLVED}
    bigquery = incidents[BIGQUERY]
    assert bigquery.name == "[Google BigQuery] Lower throughput from the Read API"
    assert bigquery.url == f"{PAGE}/incidents/{BIGQUERY}"
    assert bigquery.component_ids == ("9CcrhHUcFevXPSVaSxkf",)
    assert bigquery.resolved_at == datetime(2022, 7, 1, 19, 25, 45, tzinfo=UTC)
    assert [u.status for u in bigquery.updates] == [INVESTIGATING] * 4 + [RESOLVED]
    assert bigquery.updates[0].text.startswith("Summary: [Google BigQuery] Lower throughput from the Read")
    assert bigquery.updates[-1].text.startswith("The issue with Google BigQuery has been resolved")
    assert bigquery.updates[-1].at == bigquery.resolved_at
    disk = incidents[DISK]
    assert [u.status for u in disk.updates] == [INVESTIGATING] * 15 + [MONITORING] * 2 + [RESOLVED]
    assert disk.updates[-1].text.startswith("**INCIDENT REPORT**")


def test_an_incident_still_open_reads_as_a_poll_reads_it() -> None:
    synthetic = copy.deepcopy(CAPTURE)
    del next(i for i in synthetic if i["id"] == BIGQUERY)["end"]
    bigquery = next(i for i in parse_gcp_history(synthetic, PAGE) if i.id == BIGQUERY)
    assert (bigquery.status, bigquery.resolved_at) == (MONITORING, None)  # its latest update says AVAILABLE
    assert bigquery.updates[-1].status is MONITORING


def test_the_product_and_location_filters_keep_the_history_they_watch() -> None:
    bigquery = parse_gcp_history(CAPTURE, PAGE, products=["google bigquery"])
    assert len(bigquery) == 13 and BIGQUERY in {i.id for i in bigquery}
    assert all("9CcrhHUcFevXPSVaSxkf" in i.component_ids for i in bigquery)
    taiwan = parse_gcp_history(CAPTURE, PAGE, locations=["asia-east1"])
    assert len(taiwan) == 129 and DISK not in {i.id for i in taiwan}  # the disk incident was us-central1


async def test_history_reads_incidents_json_over_http_and_keeps_the_newest(
    serve: Serve, http: HttpClient
) -> None:
    endpoint = Endpoint(RAW)

    async def handle(request: web.Request) -> web.Response:
        return await endpoint.handle(request)

    server = await serve({"/incidents.json": handle})
    source = GcpSource(GcpConfig(name="gcp", type="gcp", url=str(server.make_url("/"))))
    incidents = await source.history(http, 5)
    assert len(incidents) == HISTORY_LIMIT  # of 157
    assert incidents[0].id == BIGQUERY  # the newest, begun 2022-07-01
    starts = [i.started_at for i in incidents if i.started_at is not None]
    assert len(starts) == HISTORY_LIMIT and starts == sorted(starts, reverse=True)
    assert endpoint.paths == ["/incidents.json"]


@settings(max_examples=100, deadline=None)
@given(doc=mutations(CAPTURE[:20]))
def test_a_mutated_capture_is_read_or_refused(doc: Any) -> None:
    check_history(lambda d: parse_gcp_history(d, PAGE), doc)
