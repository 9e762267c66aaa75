"""Your own status page, kept in step with the third-party outages you depend on: what the
`atlassian_statuspage` and `instatus` notifiers share (each service's wire format is its own module).

Components of YOUR page are mapped to providers (`components:`); a firing alert of a mapped provider
(fnmatch globs, like routes) at or above the rule's `min_severity` makes its group want the component
in the rule's `status`, or with `mirror` in the provider's own: a maintenance reads `under_maintenance`,
otherwise the alert's severity reads back as the status it came from (minor `degraded_performance`, major
`partial_outage`, critical `major_outage`; info reads `degraded_performance`). A provider's unreachable
status page says nothing about the provider, so source alerts are never mapped.

The worst wins. A notifier hears one group per send, so each send records what its group wants per
component in the group's receipt (durable) and in this notifier's board (memory, across its groups), and
sets every component the group wants or wanted to the worst any group on the board wants (`operational`
when none). Limit: after a restart or a reload the board knows only the groups heard since, so a group's
recovery can lower a component that a group not heard since still wants, until that group's next
notification (at the latest its route's repeat_interval) raises it again. The page is never left worse
than some group wants, only, for that while, better.

With `incident: true`, a group that wants at least one component has one incident on the page: opened
(naming the provider, linking its page) on the first such send, updated when the group changes, resolved
when it wants none any more. Its id is kept in the receipt, so a restart updates the same incident.

Requests. The services allow about one request a second per key, and one send makes one request per
component it touches plus one for the incident; so the requests of this notifier are paced
`REQUEST_INTERVAL` apart (the dispatcher's `min_interval` only spaces sends). Setting a component is
idempotent, so the components go first and a failure anywhere retries the whole send (420 and 429
with Retry-After); opening the incident comes last, so a refused request never opens a second one. A
crash after the service opened the incident and before the receipt stored its id leaves the retry (the
same notification, so the same name) without an id: before opening one, the notifier looks for an
unresolved incident of that exact name on the page and takes it over.
"""

from __future__ import annotations

import asyncio
import json
import time
from abc import abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from monitor import USER_AGENT
from monitor.durations import Timeout
from monitor.model import Alert, AlertKind, ComponentStatus, GroupNotification, Notification, Severity
from monitor.notify.base import Delivery, Notifier, NotifierConfig, Outcome
from monitor.notify.group import group_provider
from monitor.notify.http import post_json_answer, truncate
from monitor.notify.secrets import url_secrets

REQUEST_INTERVAL = 1.0  # seconds between two requests of one notifier: about one a second per key
INCIDENT_ID = "incident_id"  # receipt key of the group's open incident
COMPONENT_PREFIX = "component:"  # receipt key prefix: what the group wants of that component
NAME_CHARS = 255
BODY_CHARS = 4000
MAX_LINES = 10  # alerts listed in an incident's body
ANSWER_BYTES = 4 * 1024 * 1024  # read of an answer: a list of the page's unresolved incidents, with updates

_MIRROR = {
    Severity.INFO: ComponentStatus.DEGRADED_PERFORMANCE,
    Severity.MINOR: ComponentStatus.DEGRADED_PERFORMANCE,
    Severity.MAJOR: ComponentStatus.PARTIAL_OUTAGE,
    Severity.CRITICAL: ComponentStatus.MAJOR_OUTAGE,
}

Wants = dict[str, ComponentStatus]  # component id -> the status a group wants it in


class ComponentRule(BaseModel):
    """One component of your page and the providers whose alerts move it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    providers: tuple[str, ...] = Field(min_length=1)  # fnmatch globs of provider names
    min_severity: Literal["info", "minor", "major", "critical"] = "minor"
    status: Literal[
        "mirror", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"
    ] = "mirror"

    def wants(self, alert: Alert) -> ComponentStatus | None:
        """The status this alert asks of the component, or None when the rule does not take it."""
        if alert.kind is AlertKind.SOURCE or alert.severity < Severity.parse(self.min_severity):
            return None
        if not any(fnmatchcase(alert.provider, glob) for glob in self.providers):
            return None
        if self.status != "mirror":
            return ComponentStatus(self.status)
        if alert.kind is AlertKind.MAINTENANCE:
            return ComponentStatus.UNDER_MAINTENANCE
        return _MIRROR[alert.severity]


class StatusPageConfig(NotifierConfig):
    page_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    api_key: SecretStr
    components: tuple[ComponentRule, ...] = Field(min_length=1)
    incident: bool = False  # also open, update and resolve an incident on the page
    timeout: Timeout = Field(default=10.0)

    @field_validator("components")
    @classmethod
    def _ids_unique(cls, value: tuple[ComponentRule, ...]) -> tuple[ComponentRule, ...]:
        ids = [rule.id for rule in value]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(
                f"component ids {twice} are mapped twice; list each component once with all its providers"
            )
        return value


def group_wants(rules: Iterable[ComponentRule], firing: Iterable[Alert]) -> Wants:
    """Per component, the worst status the group's firing alerts ask of it."""
    wants: Wants = {}
    alerts = tuple(firing)
    for rule in rules:
        for alert in alerts:
            status = rule.wants(alert)
            if status is not None and _level(status) > _level(wants.get(rule.id)):
                wants[rule.id] = status
    return wants


class Board:
    """What each group heard since start wants of each component; the worst of them is what the page shows."""

    def __init__(self) -> None:
        self._groups: dict[str, Wants] = {}

    def set(self, group_key: str, wants: Wants) -> None:
        if wants:
            self._groups[group_key] = dict(wants)
        else:
            self._groups.pop(group_key, None)

    def worst(self, component_id: str) -> ComponentStatus:
        statuses = (wants[component_id] for wants in self._groups.values() if component_id in wants)
        return max(statuses, key=_level, default=ComponentStatus.OPERATIONAL)


@dataclass(frozen=True, slots=True)
class IncidentText:
    """An incident as the page shows it: its name, one update's body, its impact and components."""

    name: str
    body: str
    severity: Severity
    components: Mapping[str, ComponentStatus]  # the group's components, each with the status it is set to


class StatusPageNotifier(Notifier):
    """Sets the page's components and keeps the group's incident; subclasses speak one service's API."""

    min_interval = 1.0
    config: StatusPageConfig

    def __init__(self, config: StatusPageConfig, session: aiohttp.ClientSession) -> None:
        super().__init__(config, session)
        self._board = Board()
        self._next_request = 0.0  # monotonic time before which no request goes out

    @property
    @abstractmethod
    def base_url(self) -> str:
        """The API base, without a trailing slash."""

    @abstractmethod
    def authorization(self) -> str:
        """The Authorization header's value."""

    @abstractmethod
    async def set_component(self, component_id: str, status: ComponentStatus) -> Delivery: ...

    @abstractmethod
    async def open_incident(self, incident: IncidentText) -> tuple[Delivery, str | None]:
        """Open the incident; its id, or None when the answer carried none."""

    @abstractmethod
    async def list_incidents(self) -> tuple[Delivery, bytes]:
        """The page's incidents (the unresolved ones at least) as the service's JSON list."""

    @abstractmethod
    async def update_incident(
        self, incident_id: str, incident: IncidentText, *, resolved: bool
    ) -> Delivery: ...

    def secret_values(self) -> Iterable[str]:
        return [self.config.api_key.get_secret_value(), *url_secrets(self.base_url)]

    async def send(self, notification: Notification) -> Delivery:
        message = self.compose(notification.message)
        before = receipt_wants(notification.receipt)
        wants = group_wants(self.config.components, message.firing)
        self._board.set(message.group_key, wants)
        shown: dict[str, ComponentStatus] = {}
        for component_id in sorted(before.keys() | wants.keys()):
            shown[component_id] = self._board.worst(component_id)
            delivery = await self.set_component(component_id, shown[component_id])
            if delivery.outcome is not Outcome.DELIVERED:
                return delivery
        receipt = {f"{COMPONENT_PREFIX}{cid}": status.value for cid, status in wants.items()}
        incident_id = notification.receipt.get(INCIDENT_ID)
        if not self.config.incident or (not wants and incident_id is None):
            return Delivery(Outcome.DELIVERED, f"{len(shown)} component(s) set", receipt=receipt)
        text = self._incident_text(message, wants or before, shown)
        if incident_id is None:
            delivery, incident_id = await self.find_incident(text.name)
            if delivery.outcome is Outcome.DELIVERED and incident_id is None:
                delivery, incident_id = await self.open_incident(text)
            if delivery.outcome is not Outcome.DELIVERED or incident_id is None:
                return delivery
        elif wants and message.reason == "repeat":
            pass  # nothing new to tell the page's readers; the components were set again above
        else:
            delivery = await self.update_incident(incident_id, text, resolved=not wants)
            if delivery.outcome is not Outcome.DELIVERED:
                return delivery
        if wants:
            receipt[INCIDENT_ID] = incident_id
        return Delivery(
            Outcome.DELIVERED, f"{len(shown)} component(s) set, incident {incident_id}", receipt=receipt
        )

    async def find_incident(self, name: str) -> tuple[Delivery, str | None]:
        """The id of an unresolved incident named `name`: one opened by a send whose answer a crash lost."""
        delivery, answer = await self.list_incidents()
        if delivery.outcome is not Outcome.DELIVERED:
            return delivery, None
        return delivery, unresolved_incident_named(answer, name)

    async def request(
        self, method: str, path: str, payload: Mapping[str, Any] | None
    ) -> tuple[Delivery, bytes]:
        """One API call, paced REQUEST_INTERVAL after this notifier's previous one, classified; a GET
        (`payload` None) sends no body."""
        delay = self._next_request - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        headers = {"User-Agent": USER_AGENT, "Authorization": self.authorization()}
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        try:
            return await post_json_answer(
                self.session,
                f"{self.base_url}{path}",
                body,
                headers,
                self.config.timeout,
                secrets=self.secrets,
                method=method,
                read_limit=ANSWER_BYTES,
            )
        finally:
            self._next_request = time.monotonic() + REQUEST_INTERVAL

    def _incident_text(
        self, message: GroupNotification, wants: Wants, shown: Mapping[str, ComponentStatus]
    ) -> IncidentText:
        provider = group_provider(message)
        if message.status == "resolved" or not message.firing:
            body = message.text or f"{provider} has recovered; our service is back to normal."
        else:
            body = message.text or _firing_body(provider, message)
        components = {cid: shown.get(cid, ComponentStatus.OPERATIONAL) for cid in sorted(wants)}
        return IncidentText(
            truncate(message.title, NAME_CHARS), truncate(body, BODY_CHARS), message.severity, components
        )


def receipt_wants(receipt: Mapping[str, str]) -> Wants:
    """What the group wanted at its previous send, as its receipt recorded it (unreadable entries skipped)."""
    known = {status.value for status in ComponentStatus}
    return {
        key.removeprefix(COMPONENT_PREFIX): ComponentStatus(value)
        for key, value in receipt.items()
        if key.startswith(COMPONENT_PREFIX) and value in known
    }


def incident_id_from(answer: bytes) -> str | None:
    """The `id` of a created incident in the service's JSON answer."""
    try:
        document = json.loads(answer)
    except ValueError:
        return None
    found = document.get("id") if isinstance(document, dict) else None
    return found if isinstance(found, str) and found else None


def unresolved_incident_named(answer: bytes, name: str) -> str | None:
    """In the service's JSON list of incidents, the id of the first unresolved one called `name`."""
    try:
        document = json.loads(answer)
    except ValueError:
        return None
    for incident in document if isinstance(document, list) else ():
        if not isinstance(incident, dict) or incident.get("name") != name:
            continue
        found, status = incident.get("id"), incident.get("status")
        if isinstance(found, str) and found and str(status).lower() != "resolved":
            return found
    return None


def _firing_body(provider: str, message: GroupNotification) -> str:
    lines = [f"We are affected by an outage at {provider}."]
    for alert in message.firing[:MAX_LINES]:
        link = f" ({alert.url})" if alert.url and alert.url.startswith(("https://", "http://")) else ""
        lines.append(f"- {alert.provider}: {alert.summary}{link}")
    if message.firing_total > min(len(message.firing), MAX_LINES):
        lines.append(f"- and {message.firing_total - min(len(message.firing), MAX_LINES)} more")
    return "\n".join(lines)


def _level(status: ComponentStatus | None) -> int:
    return -1 if status is None else (status.level or 0)
