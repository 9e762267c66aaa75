"""The OpenAPI 3.1 description of the HTTP endpoints, served at /api/v1/openapi.json.

Built from the model's enums so a new status value cannot go undocumented; the shapes follow
`provider_json` and `event_to_dict` field by field (`additionalProperties: false`), and the tests check
every live response of the daemon against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, get_args

from monitor import __version__
from monitor.alerting.matchers import LABELS
from monitor.alerting.silences import SilenceState
from monitor.model import ComponentStatus, EventKind, Impact, IncidentStatus, MaintenanceStatus, Severity
from monitor.sources import SOURCES

Schema = dict[str, Any]

METRICS_MEDIA_TYPE = "text/plain"

_TEXT: Schema = {"type": "string"}
_NULLABLE_TEXT: Schema = {"type": ["string", "null"]}
# format_time's fixed-width UTC form; `format` alone is not checked by every validator.
_TIME: Schema = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$",
}
_NULLABLE_TIME: Schema = {**_TIME, "type": ["string", "null"]}


def _enum(values: type[StrEnum] | list[str], nullable: bool = False) -> Schema:
    names: list[str | None] = [str(v) for v in values]
    if nullable:
        return {"type": ["string", "null"], "enum": [*names, None]}
    return {"type": "string", "enum": names}


def _object(about: str, /, **properties: Schema) -> Schema:
    return {
        "type": "object",
        "description": about,
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(name: str) -> Schema:
    return {"type": "array", "items": _ref(name)}


def _json(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(description: str, media_type: str) -> Schema:
    return {"description": description, "content": {media_type: {"schema": _TEXT}}}


@dataclass(frozen=True, slots=True)
class IntParam:
    """An optional integer query parameter from 1 to `maximum`: described here, enforced by the web layer."""

    name: str
    default: int
    maximum: int
    description: str

    def parameter(self) -> Schema:
        return {
            "name": self.name,
            "in": "query",
            "required": False,
            "description": self.description,
            "schema": {"type": "integer", "minimum": 1, "maximum": self.maximum, "default": self.default},
        }


def _get(operation_id: str, summary: str, responses: dict[str, Schema], *parameters: IntParam) -> Schema:
    operation: Schema = {"operationId": operation_id, "summary": summary, "responses": responses}
    if parameters:
        operation["parameters"] = [p.parameter() for p in parameters]
    return {"get": operation}


PAGE_GROUP = "group"  # `/?group=category`: the providers under their categories' headings
_PAGE_GROUP_PARAMETER: Schema = {
    "name": PAGE_GROUP,
    "in": "query",
    "required": False,
    "description": "`category`: the providers under their categories' headings (uncategorised last).",
    "schema": {"type": "string", "enum": ["category"]},
}
EVENTS_LIMIT = IntParam("limit", 50, 1000, "How many events at most.")
PAGE_REFRESH = IntParam("refresh", 30, 3600, "Seconds between the page's own reloads.")
SILENCE_BODY_LIMIT = 64 * 1024  # bytes of a POST /api/v1/silences body

_SEVERITIES = [s.label for s in Severity]
# The fields of Silence.to_json plus its state, shared by a listed silence and a created one.
_SILENCE_FIELDS: dict[str, Schema] = {
    "id": _TEXT,
    "matchers": {"type": "array", "minItems": 1, "items": _ref("Matcher")},
    "startsAt": _TIME,
    "endsAt": _TIME,
    "createdBy": _TEXT,
    "comment": _TEXT,
    "createdAt": _TIME,
    "status": _ref("SilenceStatus"),
}

_SCHEMAS: dict[str, Schema] = {
    "Error": _object("A request the server will not answer.", error=_TEXT),
    "Health": _object("The process is alive.", status={"const": "ok"}, version=_TEXT),
    "Ready": _object("Config loaded, store open, scheduler running.", status={"const": "ready"}),
    "NotReady": {  # `reason` only while store commits fail
        **_object("Still starting (or stopping), or store writes failing.", status={"const": "not ready"}),
        "properties": {"status": {"const": "not ready"}, "reason": _TEXT},
    },
    "Component": _object(
        "A component as last confirmed.",
        id=_TEXT,
        name=_TEXT,
        group=_NULLABLE_TEXT,
        status=_enum(ComponentStatus),
    ),
    "Incident": _object(
        "An open incident.",
        id=_TEXT,
        name=_TEXT,
        status=_enum(IncidentStatus),
        impact=_enum(Impact),
        url=_NULLABLE_TEXT,
        started_at=_NULLABLE_TIME,
        updated_at=_NULLABLE_TIME,
        latest_update=_NULLABLE_TEXT,
    ),
    "Maintenance": _object(
        "An active maintenance.",
        id=_TEXT,
        name=_TEXT,
        status=_enum(MaintenanceStatus),
        url=_NULLABLE_TEXT,
        scheduled_for=_NULLABLE_TIME,
        scheduled_until=_NULLABLE_TIME,
    ),
    "Provider": _object(
        "A watched provider. `status` is `unknown` while its page cannot be read (or was never read); "
        "`last_known_status` keeps the last reading.",
        name=_TEXT,
        type=_enum(sorted(SOURCES)),
        url=_TEXT,
        up={"type": "boolean"},
        status=_enum(ComponentStatus),
        last_known_status=_enum(ComponentStatus, nullable=True),
        description=_NULLABLE_TEXT,
        components=_array("Component"),
        incidents=_array("Incident"),
        maintenances=_array("Maintenance"),
        last_poll_at=_NULLABLE_TIME,
        last_success_at=_NULLABLE_TIME,
        last_error=_NULLABLE_TEXT,
        consecutive_failures={"type": "integer", "minimum": 0},
        category=_NULLABLE_TEXT,
    ),
    "Providers": _object(
        "Every configured provider.", providers={"type": "array", "items": _ref("Provider")}
    ),
    "Event": _object(
        "One piece of news, as detected. `old_status`/`new_status` are a component, incident or maintenance "
        "status, or `unreachable`/`reachable`/`removed`.",
        id={"type": "integer", "minimum": 1},
        kind=_enum(EventKind),
        provider=_TEXT,
        severity=_enum(_SEVERITIES),
        dedup_key=_TEXT,
        title=_TEXT,
        occurred_at=_TIME,
        resolves={"type": "boolean"},
        subject_id=_NULLABLE_TEXT,
        subject_name=_NULLABLE_TEXT,
        old_status=_NULLABLE_TEXT,
        new_status=_NULLABLE_TEXT,
        impact=_enum(Impact, nullable=True),
        detail=_NULLABLE_TEXT,
        url=_NULLABLE_TEXT,
        group=_NULLABLE_TEXT,
    ),
    "Events": _object("Recent events, newest first.", events=_array("Event")),
    "Matcher": _object(
        "One test on one alert label, in Alertmanager's shape: `isRegex` for `=~`/`!~`, `isEqual` false "
        "for `!=`/`!~`. A regex is anchored at both ends.",
        name=_enum(list(LABELS)),
        value=_TEXT,
        isRegex={"type": "boolean"},
        isEqual={"type": "boolean"},
    ),
    "SilenceStatus": _object(
        "Where the silence is at the time of the answer.", state=_enum(list(get_args(SilenceState)))
    ),
    "Silence": _object(
        "Holds back the alerts whose labels all its matchers match, from startsAt until endsAt.",
        **_SILENCE_FIELDS,
    ),
    "Silences": _object(
        "Every silence kept, expired ones too, ending soonest first.", silences=_array("Silence")
    ),
    "SilenceCreated": _object(
        "The silence as kept; `silenceID` is its id, as Alertmanager answers.",
        silenceID=_TEXT,
        **_SILENCE_FIELDS,
    ),
    "SilenceRequest": {
        "type": "object",
        "description": "A new silence. It starts at startsAt (default now) and ends at endsAt or after "
        "duration: exactly one of the two. At least one matcher must not match the empty string.",
        "required": ["matchers", "createdBy", "comment"],
        "additionalProperties": False,
        "properties": {
            "matchers": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "oneOf": [
                        {"type": "string", "description": 'e.g. provider="github", severity!=minor'},
                        {
                            "type": "object",
                            "required": ["name", "value"],
                            "additionalProperties": False,
                            "properties": {
                                "name": _enum(list(LABELS)),
                                "value": _TEXT,
                                "isRegex": {"type": "boolean", "default": False},
                                "isEqual": {"type": "boolean", "default": True},
                            },
                        },
                    ]
                },
            },
            "startsAt": {"type": "string", "format": "date-time"},
            "endsAt": {"type": "string", "format": "date-time"},
            "duration": {
                "type": ["string", "number"],
                "description": "How long: 30m, 2h, 1d, or seconds.",
                "examples": ["2h"],
            },
            "createdBy": {"type": "string", "minLength": 1},
            "comment": {"type": "string", "minLength": 1},
        },
    },
    "Replica": _object(
        "A daemon sharing the store.",
        id=_TEXT,
        host=_TEXT,
        started_at=_TIME,
        last_heartbeat=_TIME,
        leader={"type": "boolean"},
        token={"type": ["integer", "null"], "description": "The leader's fencing token."},
    ),
    "Cluster": _object(
        "The replicas, by id; one leads (polls, evaluates, delivers).", replicas=_array("Replica")
    ),
}

# Issue 13: one provider in depth (monitor/provider_detail.py).
_WINDOW = _object(
    "Our own observations over the window: `availability` is (observed - down) / observed, null when nothing "
    "was observed; `unread_seconds` (page unreadable, or status unknown) is neither up nor down.",
    observed_seconds={"type": "number", "minimum": 0},
    down_seconds={"type": "number", "minimum": 0},
    unread_seconds={"type": "number", "minimum": 0},
    availability={"type": ["number", "null"], "minimum": 0, "maximum": 1},
)
_SCHEMAS.update(
    {
        "ComponentAvailability": _object(
            "A component's availability over the last 24 h, 7 d and 30 d.",
            id=_TEXT,
            name=_TEXT,
            windows=_object("Per window.", **{label: _WINDOW for label in ("24h", "7d", "30d")}),
        ),
        "ProviderDetail": _object(
            "A provider and its components' availability.",
            provider=_ref("Provider"),
            availability=_array("ComponentAvailability"),
        ),
        "IncidentUpdate": _object(
            "One update of an incident's timeline.",
            at=_NULLABLE_TIME,
            status=_enum(IncidentStatus),
            text=_TEXT,
        ),
        "PastIncident": _object(
            "An incident as kept in the history: open while `resolved_at` is null; its updates oldest first.",
            id=_TEXT,
            name=_TEXT,
            status=_enum(IncidentStatus),
            impact=_enum(Impact),
            url=_NULLABLE_TEXT,
            started_at=_TIME,
            resolved_at=_NULLABLE_TIME,
            updates=_array("IncidentUpdate"),
        ),
        "IncidentHistory": _object(
            "The provider's incidents open now or started or resolved since `since`, newest first "
            "(500 at most).",
            since=_TIME,
            incidents=_array("PastIncident"),
        ),
    }
)
_NAME_PARAMETER: Schema = {
    "name": "name",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "minLength": 1},
    "description": "The provider, as configured.",
}
_SINCE_PARAMETER: Schema = {
    "name": "since",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "format": "date-time"},
    "description": "ISO 8601 time with a zone; default 90 days ago.",
}
_NO_PROVIDER = _json("No provider has this name.", _ref("Error"))

_BAD_QUERY = _json("An invalid query parameter.", _ref("Error"))
_BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
_WRITE_ERRORS: dict[str, Schema] = {
    "401": {
        **_json(
            "No bearer token, or a wrong one; nothing changed. When no settings.api_token is configured, "
            "the error says how to enable changes.",
            _ref("Error"),
        ),
        "headers": {"WWW-Authenticate": {"schema": {"const": "Bearer"}}},
    },
    "403": _json(
        "A bearer token was sent, but changing silences over HTTP is disabled: no settings.api_token is "
        "configured.",
        _ref("Error"),
    ),
}

_PATHS: dict[str, Schema] = {
    "/": _get(
        "statusPage",
        "The providers for people, problems first; reloads itself.",
        {
            "200": {"description": "An HTML page.", "content": {"text/html": {"schema": _TEXT}}},
            "400": _BAD_QUERY,
        },
        PAGE_REFRESH,
    ),
    "/metrics": _get(
        "metrics",
        "Prometheus text exposition.",
        {"200": _body("Every metric.", METRICS_MEDIA_TYPE)},
    ),
    "/healthz": _get("healthz", "Liveness.", {"200": _json("Alive.", _ref("Health"))}),
    "/readyz": _get(
        "readyz",
        "Readiness.",
        {"200": _json("Ready.", _ref("Ready")), "503": _json("Not ready.", _ref("NotReady"))},
    ),
    "/api/v1/providers": _get(
        "providers", "Every provider's state.", {"200": _json("The providers.", _ref("Providers"))}
    ),
    "/api/v1/events": _get(
        "events",
        "Recent events, newest first.",
        {"200": _json("The events.", _ref("Events")), "400": _BAD_QUERY},
        EVENTS_LIMIT,
    ),
    "/api/v1/silences": {
        **_get("silences", "Every silence kept.", {"200": _json("The silences.", _ref("Silences"))}),
        "post": {
            "operationId": "addSilence",
            "summary": "Add a silence; it takes effect at the next evaluation.",
            "security": _BEARER,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("SilenceRequest")}},
            },
            "responses": {
                "201": _json("Kept.", _ref("SilenceCreated")),
                "400": _json(
                    "Not JSON, or not a valid silence: the error says what is wrong.", _ref("Error")
                ),
                **_WRITE_ERRORS,
                "413": _json(f"The body is over {SILENCE_BODY_LIMIT} bytes.", _ref("Error")),
            },
        },
    },
    "/api/v1/silences/{id}": {
        "delete": {
            "operationId": "expireSilence",
            "summary": "End a silence now (a pending one never starts); an expired one stays as it is.",
            "security": _BEARER,
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1},
                    "description": "The silence.",
                }
            ],
            "responses": {
                "200": _json("The silence, now expired.", _ref("Silence")),
                **_WRITE_ERRORS,
                "404": _json("No silence has this id.", _ref("Error")),
            },
        }
    },
    "/api/v1/cluster": _get(
        "cluster",
        "The replicas sharing the store (README: High availability).",
        {"200": _json("The replicas.", _ref("Cluster"))},
    ),
    "/api/v1/openapi.json": _get(
        "openapi", "This document.", {"200": _json("OpenAPI 3.1.", {"type": "object"})}
    ),
    "/providers/{name}": {
        "get": {
            "operationId": "providerPage",
            "summary": "One provider for people: status, components, incident timelines, availability.",
            "parameters": [_NAME_PARAMETER],
            "responses": {
                "200": {"description": "An HTML page.", "content": {"text/html": {"schema": _TEXT}}},
                "404": _NO_PROVIDER,
            },
        }
    },
    "/api/v1/providers/{name}": {
        "get": {
            "operationId": "provider",
            "summary": "One provider's state and its components' availability.",
            "parameters": [_NAME_PARAMETER],
            "responses": {"200": _json("The provider.", _ref("ProviderDetail")), "404": _NO_PROVIDER},
        }
    },
    "/api/v1/providers/{name}/incidents": {
        "get": {
            "operationId": "providerIncidents",
            "summary": "One provider's incident history, each incident with its updates.",
            "parameters": [_NAME_PARAMETER, _SINCE_PARAMETER],
            "responses": {
                "200": _json("The incidents.", _ref("IncidentHistory")),
                "400": _BAD_QUERY,
                "404": _NO_PROVIDER,
            },
        }
    },
}
_PATHS["/"]["get"]["parameters"].append(_PAGE_GROUP_PARAMETER)


@cache
def document() -> Schema:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "outage-monitor",
            "version": __version__,
            "description": "What the daemon watches. Reading needs no credentials; adding and expiring "
            "silences needs the bearer token set as settings.api_token.",
        },
        "paths": _PATHS,
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
