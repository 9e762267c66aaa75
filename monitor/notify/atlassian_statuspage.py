"""Atlassian Statuspage: your page's components follow the providers mapped to them, and optionally one
incident per alert group (rules, the worst-wins board and pacing in monitor/notify/status_page.py).

REST API v1 (https://developer.statuspage.io), `Authorization: OAuth <key>`:
- PATCH /pages/{page_id}/components/{id}  `{"component": {"status": ...}}`
- POST  /pages/{page_id}/incidents        `{"incident": {name, status, body, component_ids, impact_override}}`
- PATCH /pages/{page_id}/incidents/{id}   `{"incident": {status, body}}`, status `resolved` at the end.
- GET   /pages/{page_id}/incidents/unresolved  before opening one: an incident a crash lost the id of.
The API allows about one request a second per key and answers 420 (or 429) beyond: retried.
"""

from __future__ import annotations

from typing import Literal

import aiohttp
from pydantic import Field

from monitor.model import ComponentStatus, Severity
from monitor.notify.base import Delivery
from monitor.notify.status_page import IncidentText, StatusPageConfig, StatusPageNotifier, incident_id_from

API_V1 = "https://api.statuspage.io/v1"

_IMPACT = {
    Severity.INFO: "minor",
    Severity.MINOR: "minor",
    Severity.MAJOR: "major",
    Severity.CRITICAL: "critical",
}


class AtlassianStatuspageConfig(StatusPageConfig):
    type: Literal["atlassian_statuspage"]
    url: str = Field(default=API_V1, pattern=r"^https?://")


class AtlassianStatuspageNotifier(StatusPageNotifier):
    type_name = "atlassian_statuspage"
    Config = AtlassianStatuspageConfig

    config: AtlassianStatuspageConfig

    def __init__(self, config: AtlassianStatuspageConfig, session: aiohttp.ClientSession) -> None:
        super().__init__(config, session)  # narrows `config` for the type checker

    @property
    def base_url(self) -> str:
        return f"{self.config.url.rstrip('/')}/pages/{self.config.page_id}"

    def authorization(self) -> str:
        return f"OAuth {self.config.api_key.get_secret_value()}"

    async def set_component(self, component_id: str, status: ComponentStatus) -> Delivery:
        payload = {"component": {"status": status.value}}
        delivery, _ = await self.request("PATCH", f"/components/{component_id}", payload)
        return delivery

    async def open_incident(self, incident: IncidentText) -> tuple[Delivery, str | None]:
        payload = {
            "incident": {
                "name": incident.name,
                "status": "identified",  # the cause is known: a provider's outage
                "body": incident.body,
                "component_ids": list(incident.components),
                "impact_override": _IMPACT[incident.severity],
            }
        }
        delivery, answer = await self.request("POST", "/incidents", payload)
        return delivery, incident_id_from(answer)

    async def list_incidents(self) -> tuple[Delivery, bytes]:
        return await self.request("GET", "/incidents/unresolved", None)

    async def update_incident(self, incident_id: str, incident: IncidentText, *, resolved: bool) -> Delivery:
        fields = {"status": "resolved" if resolved else "identified", "body": incident.body}
        if not resolved:
            fields["impact_override"] = _IMPACT[incident.severity]
        delivery, _ = await self.request("PATCH", f"/incidents/{incident_id}", {"incident": fields})
        return delivery
