"""Problems in the user's terms: pydantic's errors at the YAML path the user wrote, each rendered as
`file:line: field: message` with secrets redacted."""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from monitor.config.document import Document
from monitor.config.problems import Loc, Problem, field_path, unknown
from monitor.config.schema import REFERENCES_ERROR, TIMING_ERROR, entry_at, model_at
from monitor.notify import NOTIFIERS
from monitor.sources import SOURCES

_MIN_BARE_REDACTION = 6  # shorter secrets are only redacted where quoted, so messages stay readable


def explain(exc: ValidationError, data: dict[str, object], covered: list[Loc]) -> list[Problem]:
    """Pydantic's errors as problems at YAML paths, minus those a reading problem already covers."""
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        if error["type"] == REFERENCES_ERROR:
            continue  # reported from the raw data, with precise locations, by parse_config
        if error["type"] == TIMING_ERROR:
            problems += [Problem(loc, message) for loc, message in error.get("ctx", {})["problems"]]
            continue
        loc, message = _describe(error, data)
        # an error in a covered field, or about a whole entry one of whose fields could not be read
        # (its secret file, say), is that reading problem seen again
        if not any(
            loc[: len(seen)] == seen or (len(loc) >= 2 and seen[: len(loc)] == loc) for seen in covered
        ):
            problems.append(Problem(loc, message))
    return problems


def render(document: Document, problems: list[Problem], filename: str) -> list[str]:
    """One `file:line: field: message` per problem, in line order."""

    def line_of(problem: Problem) -> int:
        if problem.line is not None:
            return problem.line
        loc = problem.loc
        while loc and loc not in document.lines:
            loc = loc[:-1]
        return document.lines.get(loc, 1)

    lines = []
    for problem in sorted(problems, key=line_of):
        path = field_path(problem.loc, document.shown_as)
        where = f"{filename}:{line_of(problem)}: " + (f"{path}: " if path else "")
        lines.append(where + _redact(problem.message, document.secrets))
    return lines


def _redact(message: str, secrets: set[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        message = message.replace(repr(secret), "'***'")
        if len(secret) >= _MIN_BARE_REDACTION:
            message = message.replace(secret, "***")
    return message


def _describe(error: ErrorDetails, data: dict[str, object]) -> tuple[Loc, str]:
    """A pydantic error as the user's path and a message in the user's terms."""
    loc: Loc = tuple(error["loc"])
    entry = entry_at(loc, data)
    if entry is not None and len(loc) >= 3 and loc[2] == entry.get("type"):
        loc = loc[:2] + loc[3:]  # drop the union's tag: the user wrote no such level
    section = loc[0] if loc else None
    kind, ctx = error["type"], error.get("ctx", {})
    types = sorted(SOURCES if section == "providers" else NOTIFIERS)
    what = "provider" if section == "providers" else "notifier"
    if kind == "union_tag_invalid":
        return (*loc, "type"), unknown(str(ctx.get("tag")), f"{what} type", types, "known types")
    if kind == "union_tag_not_found":
        return loc, f"missing 'type'; known {what} types: {', '.join(types)}"
    if kind == "extra_forbidden" and loc and isinstance(loc[-1], str):
        model = model_at(loc[:-1], data)
        return loc, unknown(loc[-1], "key", sorted(model.model_fields) if model else [], "allowed")
    if kind == "missing":
        return loc, "required"
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return loc, message
