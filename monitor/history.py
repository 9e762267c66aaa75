"""What the store records of each committed state, beside the state itself: the incidents' timelines and
the intervals each component (and the page's readability) spent in each status.

Pure, so every store (SQLite now, PostgreSQL next) writes the same rows: the store reads the provider's
open intervals and its stored timelines, asks here what changed, and writes that in the commit's
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import NamedTuple

from monitor.model import IncidentUpdate, ProviderState

PAGE = ""  # the component key of the page itself: readable or unreadable
READABLE = "readable"
UNREADABLE = "unreadable"
MAX_UPDATES = 100  # per stored incident, the newest kept
_EARLIEST = datetime.min.replace(tzinfo=UTC)


class OpenStatus(NamedTuple):
    """The status a component has been in since an interval began; name as the page shows it."""

    name: str
    status: str


class StatusInterval(NamedTuple):
    component: str  # PAGE for the page's readability
    name: str
    status: str
    started_at: datetime
    ended_at: datetime | None  # None: still so


def observed(state: ProviderState) -> dict[str, OpenStatus]:
    """Each component's confirmed status, and the page's readability, as this state says now."""
    statuses = {cid: OpenStatus(c.name, c.status.value) for cid, c in state.components.items()}
    statuses[PAGE] = OpenStatus("status page", READABLE if state.consecutive_failures == 0 else UNREADABLE)
    return statuses


def status_changes(
    open_now: Mapping[str, OpenStatus], state: ProviderState
) -> tuple[list[str], dict[str, OpenStatus]]:
    """Which open intervals end (components gone or changed) and which begin, given the open ones."""
    seen = observed(state)
    ended = [key for key, was in open_now.items() if seen.get(key) != was]
    begun = {key: now for key, now in seen.items() if open_now.get(key) != now}
    return ended, begun


def merge_updates(
    stored: Iterable[IncidentUpdate], seen: Iterable[IncidentUpdate]
) -> tuple[IncidentUpdate, ...]:
    """Every update seen so far, once each, oldest first: a page shows only its recent ones."""
    merged = {(u.at, u.status, u.text): u for u in (*stored, *seen)}
    timeline = sorted(merged.values(), key=lambda u: u.at or _EARLIEST)
    return tuple(timeline[-MAX_UPDATES:])


def settled_incidents(state: ProviderState) -> bool:
    """Whether an incident missing from this state was resolved: only a page read just now says so."""
    return state.consecutive_failures == 0 and state.baselined
