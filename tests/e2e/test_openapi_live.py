"""Every response of the real daemon agrees with the OpenAPI document it serves: each documented GET,
each query parameter at its bounds and just past them, with providers up, down and in trouble."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from jsonschema import Draft202012Validator

from tests.e2e.harness import DaemonProcess, StatusPage, eventually, free_port, pages_yaml, running

pytestmark = pytest.mark.e2e

INCIDENT = {
    "id": "inc1",
    "name": "Elevated errors",
    "status": "identified",
    "impact": "major",
    "shortlink": "https://stspg.io/inc1",
    "created_at": "2026-11-23T11:00:00Z",
    "updated_at": "2026-11-23T11:05:00Z",
    "incident_updates": [
        {"id": "u1", "status": "identified", "body": "Fix rolling out.", "created_at": "2026-11-23T11:05:00Z"}
    ],
    "components": [],
}
MAINTENANCE = {
    "id": "m1",
    "name": "Database upgrade",
    "status": "in_progress",
    "impact": "maintenance",
    "shortlink": "https://stspg.io/m1",
    "scheduled_for": "2026-11-23T10:00:00Z",
    "scheduled_until": "2026-11-23T14:00:00Z",
    "incident_updates": [],
    "components": [],
}


@pytest.fixture
async def daemon(tmp_path: Path) -> AsyncIterator[DaemonProcess]:
    acme = StatusPage()
    async with running(acme):
        down = StatusPage(url=f"http://127.0.0.1:{free_port()}")  # nothing listens there
        process = DaemonProcess(tmp_path, pages_yaml({"acme": acme, "down": down}))
        try:
            await process.start()
            await eventually(lambda: acme.hits >= 2, what="baseline")
            acme.components["API"] = "major_outage"
            acme.incidents = [INCIDENT]
            acme.maintenances = [MAINTENANCE]

            async def news() -> bool:
                events = (await process.get_json("/api/v1/events"))["events"]
                kinds = {e["kind"] for e in events}
                return {
                    "component_changed",
                    "incident_opened",
                    "maintenance_started",
                    "source_unreachable",
                } <= kinds

            await eventually(news, timeout=20, what="events of every sort")
            yield process
        finally:
            process.cleanup()


def requests_for(path: str, operation: dict[str, Any]) -> list[str]:
    """The path as is (a provider's name: acme, and one not configured), then each parameter: an integer at
    its maximum and one past it, an enum at each of its values and one outside them, a time valid and not."""
    if "{name}" in path:
        return [*requests_for(path.replace("{name}", "acme"), operation), path.replace("{name}", "nobody")]
    urls = [path]
    for parameter in operation.get("parameters", []):
        name, schema = parameter["name"], parameter["schema"]
        if schema.get("format") == "date-time":
            urls += [f"{path}?{name}=2026-01-01T00:00:00Z", f"{path}?{name}=yesterday"]
        elif "enum" in schema:
            urls += [f"{path}?{name}={value}" for value in [*schema["enum"], "none-of-these"]]
        elif "maximum" in schema:
            maximum = schema["maximum"]
            urls += [f"{path}?{name}={maximum}", f"{path}?{name}={maximum + 1}"]
    return urls


async def test_every_live_response_matches_the_served_description(daemon: DaemonProcess) -> None:
    document = await daemon.get_json("/api/v1/openapi.json")
    checked: list[tuple[str, int]] = []
    async with aiohttp.ClientSession() as session:
        for path, item in document["paths"].items():
            if "get" not in item:  # a write (expiring a silence): tests/web/test_silences_api.py
                continue
            operation = item["get"]
            for url in requests_for(path, operation):
                async with session.get(daemon.base + url) as response:
                    responses = operation["responses"]
                    assert str(response.status) in responses, f"{url}: undocumented {response.status}"
                    content = responses[str(response.status)]["content"]
                    assert response.content_type in content, f"{url}: undocumented {response.content_type}"
                    schema = content[response.content_type]["schema"]
                    body = (
                        await response.json()
                        if response.content_type == "application/json"
                        else await response.text()
                    )
                    validator = Draft202012Validator({**schema, "components": document["components"]})
                    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
                    assert not errors, f"{url} disagrees with the description: {errors[:5]}"
                    checked.append((url, response.status))

    assert ("/api/v1/events?limit=1001", 400) in checked and ("/?refresh=3600", 200) in checked
    assert ("/api/v1/providers/acme/incidents?since=yesterday", 400) in checked
    assert ("/api/v1/providers/nobody", 404) in checked and ("/providers/acme", 200) in checked
    assert ("/?group=category", 200) in checked and ("/?group=none-of-these", 400) in checked
    providers = (await daemon.get_json("/api/v1/providers"))["providers"]
    assert {p["name"]: p["status"] for p in providers} == {"acme": "major_outage", "down": "unknown"}
    acme = providers[0]
    assert acme["incidents"] and acme["maintenances"] and acme["components"]
