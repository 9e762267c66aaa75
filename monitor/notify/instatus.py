"""Instatus: your page's components follow the providers mapped to them, and optionally one incident per
alert group (rules, the worst-wins board and pacing in monitor/notify/status_page.py).

API (https://instatus.com/help/api), `Authorization: Bearer <key>`, statuses in Instatus' upper-case words:
- PUT  /v2/{page_id}/components/{id}  `{"status": "PARTIALOUTAGE"}`
- POST /v1/{page_id}/incidents        `{name, message, components, statuses, status, started, notify}`
- POST /v1/{page_id}/incidents/{id}/incident-updates  the same without `name`; `RESOLVED` at the end.
- GET  /v1/{page_id}/incidents         before opening one: an incident a crash lost the id of.
Each incident call carries the statuses the components were just set to, so it never contradicts them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import aiohttp
from pydantic import Field

from monitor.model import ComponentStatus
from monitor.notify.base import Delivery
from monitor.notify.group import rfc3339
from monitor.notify.status_page import IncidentText, StatusPageConfig, StatusPageNotifier, incident_id_from

API = "https://api.instatus.com"

STATUS_WORDS = {
    ComponentStatus.OPERATIONAL: "OPERATIONAL",
    ComponentStatus.UNDER_MAINTENANCE: "UNDERMAINTENANCE",
    ComponentStatus.DEGRADED_PERFORMANCE: "DEGRADEDPERFORMANCE",
    ComponentStatus.PARTIAL_OUTAGE: "PARTIALOUTAGE",
    ComponentStatus.MAJOR_OUTAGE: "MAJOROUTAGE",
}


class InstatusConfig(StatusPageConfig):
    type: Literal["instatus"]
    url: str = Field(default=API, pattern=r"^https?://")


class InstatusNotifier(StatusPageNotifier):
    type_name = "instatus"
    Config = InstatusConfig

    config: InstatusConfig

    def __init__(self, config: InstatusConfig, session: aiohttp.ClientSession) -> None:
        super().__init__(config, session)  # narrows `config` for the type checker

    @property
    def base_url(self) -> str:
        return self.config.url.rstrip("/")

    def authorization(self) -> str:
        return f"Bearer {self.config.api_key.get_secret_value()}"

    async def set_component(self, component_id: str, status: ComponentStatus) -> Delivery:
        path = f"/v2/{self.config.page_id}/components/{component_id}"
        delivery, _ = await self.request("PUT", path, {"status": STATUS_WORDS[status]})
        return delivery

    async def open_incident(self, incident: IncidentText) -> tuple[Delivery, str | None]:
        payload = {"name": incident.name, **_update(incident, "IDENTIFIED")}
        delivery, answer = await self.request("POST", f"/v1/{self.config.page_id}/incidents", payload)
        return delivery, incident_id_from(answer)

    async def list_incidents(self) -> tuple[Delivery, bytes]:
        return await self.request("GET", f"/v1/{self.config.page_id}/incidents", None)

    async def update_incident(self, incident_id: str, incident: IncidentText, *, resolved: bool) -> Delivery:
        path = f"/v1/{self.config.page_id}/incidents/{incident_id}/incident-updates"
        delivery, _ = await self.request(
            "POST", path, _update(incident, "RESOLVED" if resolved else "IDENTIFIED")
        )
        return delivery


def _update(incident: IncidentText, status: str) -> dict[str, Any]:
    return {
        "message": incident.body,
        "components": list(incident.components),
        "statuses": [{"id": cid, "status": STATUS_WORDS[s]} for cid, s in incident.components.items()],
        "status": status,
        "started": rfc3339(datetime.now(UTC)),
        "notify": True,
    }
