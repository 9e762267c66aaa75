"""Provider dependencies: a provider's alerts caused by a failing dependency page under the dependency. Pure.

A provider may declare `depends_on: [cloudflare, aws]`. When Cloudflare is down, GitHub's pages go red
too; the on-call team needs one page, "Cloudflare is down", with GitHub listed as likely caused by it.

| situation (alerts given are those firing and not suppressed)        | result                           |
|---------------------------------------------------------------------|----------------------------------|
| a dependency has an alert of severity major or worse, and the       | the dependent alert is folded    |
| dependent's alert started at or after it                            | under that dependency alert      |
| the dependent's alert started before every such dependency alert    | not folded: it pages on its own  |
| the dependency's alerts are all below major, or resolved            | not folded (so, once folded, the |
|                                                                     | dependent's own group is told by |
|                                                                     | decide()'s normal rules)         |
| several dependency alerts qualify                                   | the earliest started (then key)  |
| the cause is itself folded (a -> b -> c)                            | folded under the root cause      |
| a provider listed in no `depends_on`                                | never folded                     |

`check_dependencies` reports unknown provider names and cycles (`a -> b -> a`) for the config validator;
on a cyclic map `fold` folds nothing along the cycle, so no alert is hidden behind itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from monitor.alerting.alerts import Alert
from monitor.model import Severity

CAUSE_SEVERITY = Severity.MAJOR  # a dependency alert at least this bad explains its dependents' alerts


def causes(alerts: Iterable[Alert], depends_on: Mapping[str, Sequence[str]]) -> dict[str, Alert]:
    """For each folded alert's key, the root dependency alert it is folded under."""
    firing = [a for a in alerts if a.firing]
    candidates: dict[str, list[Alert]] = {}
    for alert in sorted(firing, key=lambda a: (a.started_at, a.key)):
        if alert.severity >= CAUSE_SEVERITY:
            candidates.setdefault(alert.provider, []).append(alert)
    direct: dict[str, Alert] = {}
    for alert in firing:
        found = [
            c
            for dep in depends_on.get(alert.provider, ())
            for c in candidates.get(dep, ())
            if c.started_at <= alert.started_at and c.key != alert.key
        ]
        if found:
            direct[alert.key] = min(found, key=lambda c: (c.started_at, c.key))
    roots = {key: _root(key, direct) for key in direct}
    return {key: root for key, root in roots.items() if root is not None}


def fold(alerts: Iterable[Alert], depends_on: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """For each folded alert's key, the provider it is likely caused by."""
    return {key: cause.provider for key, cause in causes(alerts, depends_on).items()}


def _root(key: str, direct: Mapping[str, Alert]) -> Alert | None:
    """The end of the chain of causes from `key`; None on a loop, so a cycle never hides an alert."""
    seen = {key}
    cause = direct[key]
    while cause.key in direct:
        if cause.key in seen:
            return None
        seen.add(cause.key)
        cause = direct[cause.key]
    return cause


def check_dependencies(depends_on: Mapping[str, Sequence[str]], known_providers: Iterable[str]) -> list[str]:
    """Every unknown provider named in `depends_on` and every cycle, as messages for the config validator."""
    known = set(known_providers)
    errors = [
        f"{provider}: depends_on: unknown provider {dep!r}"
        for provider, deps in depends_on.items()
        for dep in deps
        if dep not in known
    ]
    cycles: list[list[str]] = []
    done: set[str] = set()

    def visit(provider: str, path: list[str]) -> None:
        if provider in path:
            cycle = path[path.index(provider) :]
            start = cycle.index(min(cycle))
            cycle = cycle[start:] + cycle[:start]
            if cycle not in cycles:
                cycles.append(cycle)
            return
        if provider in done:
            return
        for dep in depends_on.get(provider, ()):
            visit(dep, [*path, provider])
        done.add(provider)

    for provider in depends_on:
        visit(provider, [])
    errors += ["depends_on: cycle " + " -> ".join([*cycle, cycle[0]]) for cycle in cycles]
    return errors
