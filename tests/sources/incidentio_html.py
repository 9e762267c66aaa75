"""The `summary` object an incident.io capture's HTML embeds: the document /proxy/<host> serves.

The captures are whole pages; the tests read the embedded copy out of them (with the source's own
extractor, the one its last fallback uses) and check it is what the page shows before parsing it.
"""

from __future__ import annotations

from typing import Any

from monitor.sources.incidentio import summary_in_html

from .conftest import FIXTURES

HTML = FIXTURES / "incidentio" / "html"


def embedded_summary(name: str) -> dict[str, Any]:
    html = (HTML / name).read_text(encoding="utf-8")
    summary = summary_in_html(html)
    assert summary is not None, f"no summary embedded in {name}"
    assert f'\\"id\\":\\"{summary["id"]}\\"' in html  # taken from the page's own payload, not made up
    return summary


def proxy_answer(name: str) -> dict[str, Any]:
    """What /proxy/<host> answers for the page: the summary under a `summary` key."""
    return {"summary": embedded_summary(name)}
