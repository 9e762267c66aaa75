"""`title_template` and `text_template`: messages people can change, on any notifier.

Jinja2 in a sandbox (no attribute access to Python internals), with StrictUndefined. A template is
compiled, checked for names outside the context below, and rendered against a sample group when the
config is read, so a typo is a config error at `check` (file:line), never a crash at 3 a.m.; should a
template still fail on a real group, the default text goes out and the failure is logged.

The context (every notifier the same):

| name | what |
|---|---|
| `title` | the default title, e.g. `github: major outage — Git Operations and 4 more` |
| `status` | `firing` or `resolved` |
| `reason` | `firing` (a new outage), `escalated`, `changed`, `repeat`, `resolved`, `maintenance_scheduled` |
| `severity` | the worst severity: `info`, `minor`, `major`, `critical` |
| `provider` | the group's provider, or `outage-monitor` for a group of several |
| `group` | `key`, `firing_total`, `resolved_total`, `related_total`, `truncated` |
| `alerts`, `resolved`, `related` | lists of alerts (at most 20 each), each as below |
| `links` | the distinct http(s) links of the listed alerts |

An alert: `key`, `provider`, `kind`, `severity`, `summary`, `title`, `labels`, `component`, `detail`,
`url`, `started_at`, `updated_at`, `resolved_at` (times as RFC 3339 text).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from monitor.logging import get_logger
from monitor.model import Alert, AlertKind, GroupNotification, Severity
from monitor.notify.group import alert_document, group_provider

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

log = get_logger(__name__)

CONTEXT_NAMES = (
    "title",
    "status",
    "reason",
    "severity",
    "provider",
    "group",
    "alerts",
    "resolved",
    "related",
    "links",
)
MAX_TEMPLATE_CHARS = 4000


@cache
def _environment() -> SandboxedEnvironment:
    """Jinja2 is imported by the first template met: a config without templates never pays for it."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


def context(message: GroupNotification) -> dict[str, Any]:
    """What a template sees of one group notification (the table in the module docstring)."""
    listed = (*message.firing, *message.resolved, *message.related)
    links = [a.url for a in listed if a.url and a.url.startswith(("https://", "http://"))]
    return {
        "title": message.title,
        "status": message.status,
        "reason": message.reason,
        "severity": message.severity.label,
        "provider": group_provider(message),
        "group": {
            "key": message.group_key,
            "firing_total": message.firing_total,
            "resolved_total": message.resolved_total,
            "related_total": message.related_total,
            "truncated": message.truncated,
        },
        "alerts": [alert_document(a) for a in message.firing],
        "resolved": [alert_document(a) for a in message.resolved],
        "related": [alert_document(a) for a in message.related],
        "links": list(dict.fromkeys(links)),
    }


def check(template: str) -> str:
    """The template if it compiles, names only context variables and renders a sample group; else a
    ValueError saying what is wrong (for the config's error list)."""
    from jinja2 import TemplateError, meta

    if len(template) > MAX_TEMPLATE_CHARS:
        raise ValueError(f"a template is at most {MAX_TEMPLATE_CHARS} characters")
    environment = _environment()
    try:
        unknown = sorted(meta.find_undeclared_variables(environment.parse(template)) - set(CONTEXT_NAMES))
    except TemplateError as error:
        raise ValueError(f"template does not compile: {error}") from None
    if unknown:
        from difflib import get_close_matches  # imported by a mistake, not by every template that has none

        close = get_close_matches(unknown[0], CONTEXT_NAMES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown variable {unknown[0]!r}{hint} (known: {', '.join(CONTEXT_NAMES)})")
    try:
        environment.from_string(template).render(context(_sample()))
    except TemplateError as error:
        raise ValueError(f"template does not render: {error}") from None
    except Exception as error:  # a sandbox refusal, a division by zero, ...: still the user's template
        raise ValueError(f"template does not render: {type(error).__name__}: {error}") from None
    return template


def render(template: str | None, message: GroupNotification, default: str, notifier: str) -> str:
    """`template` rendered for `message`, or `default` without one or should it fail on this group."""
    if template is None:
        return default
    try:
        return _environment().from_string(template).render(context(message)).strip() or default
    except Exception as error:  # checked at config time; a failure here must not lose the page
        log.warning("template_failed", notifier=notifier, error=f"{type(error).__name__}: {error}")
        return default


@cache
def _sample() -> GroupNotification:
    """A group with one alert of each kind and list, so a template's loops and fields are exercised."""
    at = datetime(2026, 1, 1, tzinfo=UTC)

    def alert(key: str, kind: AlertKind, resolved: bool = False) -> Alert:
        return Alert(
            key=key,
            provider="example",
            kind=kind,
            severity=Severity.MAJOR,
            summary=f"Example {kind.value}",
            title=f"example: {kind.value} is degraded",
            started_at=at,
            updated_at=at,
            url="https://status.example.com",
            component="API" if kind is AlertKind.COMPONENT else None,
            detail="We are investigating.",
            resolved_at=at if resolved else None,
        )

    firing = (
        alert("example/component/a", AlertKind.COMPONENT),
        alert("example/incident/i", AlertKind.INCIDENT),
    )
    resolved = (alert("example/component/b", AlertKind.COMPONENT, resolved=True),)
    related = (alert("dependent/component/c", AlertKind.COMPONENT),)
    return GroupNotification(
        group_key="route=0|provider=example",
        route=0,
        notifier="example",
        reason="firing",
        status="firing",
        severity=Severity.MAJOR,
        title='example: partial outage — API; incident "Example incident"',
        firing=firing,
        resolved=resolved,
        related=related,
        firing_total=len(firing),
        resolved_total=len(resolved),
        related_total=len(related),
        alert_keys=frozenset(a.key for a in firing),
    )


def sample_context() -> Mapping[str, Any]:
    """The context of the sample group, for documentation and tests."""
    return context(_sample())
