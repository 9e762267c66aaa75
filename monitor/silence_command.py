"""`outage-monitor silence add | list | expire` and `outage-monitor routes test`: alerting tools for people.

`silence` writes to the daemon's store (safe while it runs; it takes effect at its next evaluation), as
`amtool silence` does through Alertmanager. `routes test` shows which routes, groups and notifiers an alert
with the given labels reaches, and whether it would be muted or silenced now, as `amtool config routes test`.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from monitor import silencing
from monitor.alerting.grouping import group_key, takes
from monitor.alerting.intervals import active
from monitor.alerting.matchers import LABELS, MatcherError, parse_matcher
from monitor.alerting.silences import Silence, SilenceError
from monitor.alerting.silences import silencing as silencing_ids
from monitor.config import Config
from monitor.logging import setup_logging
from monitor.model import Alert, AlertKind, Severity
from monitor.plan import rules_for
from monitor.report import silences_table, table
from monitor.store import describe_store, open_store, store_exists
from monitor.store.base import Store


async def add(
    config: Config, matchers: Sequence[str], duration: float, comment: str, author: str | None
) -> int:
    request = {
        "matchers": list(matchers),
        "duration": duration,
        "createdBy": author or _user(),
        "comment": comment,
    }
    async with _store(config, create=True) as store:
        try:
            silence = await silencing.add(store, request, datetime.now(UTC))
        except SilenceError as error:
            print(f"silence not added: {error}", file=sys.stderr)
            return 1
    print(silence.id)
    return 0


async def list_silences(config: Config, show_expired: bool) -> int:
    now = datetime.now(UTC)
    async with _store(config, create=False) as store:
        silences = await silencing.all_silences(store)
    print(silences_table((s for s in silences if show_expired or s.state(now) != "expired"), now))
    return 0


async def expire(config: Config, silence_ids: Sequence[str]) -> int:
    failed = 0
    async with _store(config, create=False) as store:
        for silence_id in silence_ids:
            try:
                await silencing.expire(store, silence_id, datetime.now(UTC))
            except silencing.UnknownSilence:
                print(f"no silence with id {silence_id!r}", file=sys.stderr)
                failed += 1
            else:
                print(f"expired {silence_id}")
    return 1 if failed else 0


async def routes_test(config: Config, labels: Sequence[str]) -> int:
    """Print where an alert with these labels goes; exit 1 when no route takes it."""
    try:
        alert = _alert(labels)
    except ValueError as error:
        print(f"routes test: {error}", file=sys.stderr)
        return 2
    now = datetime.now(UTC)
    silences: list[Silence] = []
    if store_exists(config.settings.state):
        async with _store(config, create=False) as store:
            silences = await silencing.all_silences(store)
    rules = rules_for(config)
    silenced_by = silencing_ids(alert.labels, silences, now)
    rows = []
    for route in rules.routes:
        if not takes(route, alert):
            continue
        muted = active(route.mute_intervals, rules.intervals, now)
        outside = bool(route.active_intervals) and not active(route.active_intervals, rules.intervals, now)
        held = "silenced" if silenced_by else "muted" if muted or outside else "sent"
        rows.append((f"routes[{route.index}]", group_key(route, alert), ", ".join(route.notify), held))
    if not rows:
        print("no route takes this alert: nobody would be told")
        return 1
    print(table(("ROUTE", "GROUP", "NOTIFIERS", "NOW"), rows))
    if silenced_by:
        print(f"silenced by {', '.join(silenced_by)}")
    return 0


def _alert(labels: Sequence[str]) -> Alert:
    """An alert with these `name=value` labels; provider is required, the rest have defaults."""
    values: dict[str, str] = {}
    for text in labels:
        try:
            matcher = parse_matcher(text)
        except MatcherError as error:
            raise ValueError(str(error)) from None
        if matcher.op != "=":
            raise ValueError(f"{text!r}: give labels as name=value")
        values[matcher.name] = matcher.value
    if "provider" not in values:
        raise ValueError(f"give at least provider=NAME (labels: {', '.join(LABELS)})")
    try:
        severity = Severity.parse(values.get("severity", "major"))
        kind = AlertKind(values.get("kind", "component"))
    except (KeyError, ValueError) as error:
        raise ValueError(f"unknown value {error}") from None
    now = datetime.now(UTC)
    component = values.get("component") or ("(any)" if kind is AlertKind.COMPONENT else None)
    return Alert(
        key=f"{values['provider']}/{kind.value}/routes-test",
        provider=values["provider"],
        kind=kind,
        severity=severity,
        summary=component or kind.value,
        title="routes test",
        started_at=now,
        updated_at=now,
        component=component,
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "outage-monitor"


class _store:
    """The config's store, opened for one command; `create=False` refuses to create a missing one."""

    def __init__(self, config: Config, *, create: bool) -> None:
        self._config = config
        self._create = create
        self._store: Store | None = None

    async def __aenter__(self) -> Store:
        setup_logging(self._config.settings.log_format, "warning")
        path = describe_store(self._config.settings.state)
        if not self._create and not store_exists(self._config.settings.state):
            print(f"no state at {path}: the daemon has not run with this config here yet", file=sys.stderr)
            raise SystemExit(1)
        self._store = open_store(self._config.settings.state, password=self._config.settings.state_password())
        await self._store.open()
        return self._store

    async def __aexit__(self, *_: object) -> None:
        if self._store is not None:
            await self._store.close()
