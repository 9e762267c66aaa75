"""`/api/v1/silences` over loopback HTTP with a real SQLite store: reading is open; adding and expiring
need the configured bearer token (403 when none is configured, 401 when it is missing or wrong), every
refusal is a JSON error that changes nothing, and the token never reaches a log line."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from structlog.testing import capture_logs

from monitor.api_silences import NO_TOKEN
from monitor.openapi import SILENCE_BODY_LIMIT, document
from monitor.store import SqliteStore
from tests.web.daemon_view import Client, FakeDaemon

TOKEN = "s3cret-token-0123456789"


def request(**fields: Any) -> dict[str, Any]:
    """A valid silence request, with `fields` replaced (a None value drops the field)."""
    body: dict[str, Any] = {
        "matchers": ['provider="github"', {"name": "severity", "value": "major|minor", "isRegex": True}],
        "duration": "2h",
        "createdBy": "alice",
        "comment": "GitHub knows; tracked in INC-42",
        **fields,
    }
    return {k: v for k, v in body.items() if v is not None}


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def logs() -> Iterator[list[MutableMapping[str, Any]]]:
    with capture_logs() as captured:
        yield captured


@pytest.fixture
async def guarded(daemon: FakeDaemon) -> AsyncIterator[FakeDaemon]:
    daemon.api_token = TOKEN
    yield daemon


async def stored_ids(store: SqliteStore) -> list[str]:
    return [s.id for s in await store.silences()]


async def test_a_silence_added_with_the_token_is_listed_active_and_kept(
    client: Client, guarded: FakeDaemon, store: SqliteStore
) -> None:
    before = datetime.now(UTC)
    response = await client.post("/api/v1/silences", json=request(), headers=bearer())
    assert response.status == 201
    created = await response.json()
    assert created["silenceID"] == created["id"] and created["status"] == {"state": "active"}
    assert created["matchers"] == [
        {"name": "provider", "value": "github", "isRegex": False, "isEqual": True},
        {"name": "severity", "value": "major|minor", "isRegex": True, "isEqual": True},
    ]
    ends = datetime.fromisoformat(created["endsAt"])
    assert before + timedelta(hours=2) <= ends <= datetime.now(UTC) + timedelta(hours=2)
    assert guarded.changes == 1
    assert await stored_ids(store) == [created["id"]]

    listed = await client.get("/api/v1/silences")  # reading needs no token
    assert listed.status == 200
    assert (await listed.json()) == {"silences": [{k: v for k, v in created.items() if k != "silenceID"}]}


async def test_a_pending_silence_and_the_list_of_every_state(
    client: Client, guarded: FakeDaemon, store: SqliteStore
) -> None:
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    pending = await client.post("/api/v1/silences", json=request(startsAt=later), headers=bearer())
    active = await client.post("/api/v1/silences", json=request(duration="1h"), headers=bearer())
    pending_id, active_id = (await pending.json())["id"], (await active.json())["id"]
    expired = await client.delete(f"/api/v1/silences/{active_id}", headers=bearer())
    assert expired.status == 200

    listed = (await (await client.get("/api/v1/silences")).json())["silences"]
    assert [(s["id"], s["status"]["state"]) for s in listed] == [
        (active_id, "expired"),
        (pending_id, "pending"),
    ]


async def test_expiring_ends_the_silence_now_and_an_unknown_id_is_a_404(
    client: Client, guarded: FakeDaemon, store: SqliteStore
) -> None:
    created = await (await client.post("/api/v1/silences", json=request(), headers=bearer())).json()

    response = await client.delete(f"/api/v1/silences/{created['id']}", headers=bearer())
    assert response.status == 200
    expired = await response.json()
    assert expired["id"] == created["id"] and expired["status"] == {"state": "expired"}
    assert datetime.fromisoformat(expired["endsAt"]) <= datetime.now(UTC)
    assert guarded.changes == 2
    stored = json.loads((await store.silences())[0].body_json)
    assert stored["endsAt"] == expired["endsAt"]

    unknown = await client.delete("/api/v1/silences/no-such-id", headers=bearer())
    assert unknown.status == 404
    assert unknown.content_type == "application/json"
    assert await unknown.json() == {"error": "no silence with id 'no-such-id'"}
    assert guarded.changes == 2


async def test_without_a_configured_token_changes_are_refused_saying_how_to_enable_them(
    client: Client, daemon: FakeDaemon, store: SqliteStore
) -> None:
    """403 once credentials are sent (none could succeed); a request without any is challenged with a 401,
    as HTTP (and schemathesis, in .ci/api-fuzz) expects, carrying the same advice."""
    assert daemon.api_token is None
    answers = [
        await client.post("/api/v1/silences", json=request(), headers=bearer()),
        await client.delete("/api/v1/silences/anything", headers=bearer()),
        await client.post("/api/v1/silences", json=request()),
        await client.delete("/api/v1/silences/anything"),
    ]
    assert [a.status for a in answers] == [403, 403, 401, 401]
    assert answers[2].headers["WWW-Authenticate"] == answers[3].headers["WWW-Authenticate"] == "Bearer"
    for answer in answers:
        assert answer.content_type == "application/json"
        assert await answer.json() == {"error": NO_TOKEN}
    assert "settings.api_token" in NO_TOKEN and "Authorization: Bearer" in NO_TOKEN
    assert await stored_ids(store) == [] and daemon.changes == 0
    assert (await client.get("/api/v1/silences")).status == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        bearer("wrong-token-0123456789"),
        bearer(TOKEN + "x"),
        bearer(TOKEN[:-1]),
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer "},
    ],
    ids=["none", "wrong", "longer", "shorter", "basic", "no-scheme", "empty"],
)
async def test_a_missing_or_wrong_token_is_a_401_that_changes_nothing(
    client: Client,
    guarded: FakeDaemon,
    store: SqliteStore,
    headers: dict[str, str],
    logs: list[MutableMapping[str, Any]],
) -> None:
    kept = await (await client.post("/api/v1/silences", json=request(), headers=bearer())).json()
    for response in (
        await client.post("/api/v1/silences", json=request(), headers=headers),
        await client.delete(f"/api/v1/silences/{kept['id']}", headers=headers),
    ):
        assert response.status == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert await response.json() == {"error": "missing or wrong bearer token"}
    assert await stored_ids(store) == [kept["id"]]
    listed = (await (await client.get("/api/v1/silences")).json())["silences"]
    assert [s["status"]["state"] for s in listed] == ["active"]
    assert guarded.changes == 1
    assert [e["event"] for e in logs if e["event"] == "api_unauthorized"] == ["api_unauthorized"] * 2
    assert TOKEN not in repr(logs) and TOKEN[:-1] not in repr(logs)


async def test_an_authorization_header_that_is_not_utf8_is_a_401(client: Client, guarded: FakeDaemon) -> None:
    """Raw bytes, as a client that does not speak UTF-8 (or a fuzzer) sends them; aiohttp's client cannot."""
    assert client.server.port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", client.server.port)
    writer.write(
        b"DELETE /api/v1/silences/x HTTP/1.1\r\nHost: localhost\r\n"
        b"Authorization: Bearer \xff\xfe\r\nConnection: close\r\n\r\n"
    )
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 401 ") and b"WWW-Authenticate: Bearer" in answer


async def test_the_token_never_appears_in_a_log_line(
    client: Client, guarded: FakeDaemon, logs: list[MutableMapping[str, Any]]
) -> None:
    created = await (await client.post("/api/v1/silences", json=request(), headers=bearer())).json()
    await client.delete(f"/api/v1/silences/{created['id']}", headers=bearer())
    await client.post("/api/v1/silences", json=request(comment=None), headers=bearer())
    await client.post("/api/v1/silences", json=request(), headers=bearer("x" + TOKEN))

    events = [e["event"] for e in logs]
    assert {"silence_added", "silence_expired", "api_unauthorized"} <= set(events)
    assert TOKEN not in repr(logs)


NOW = datetime.now(UTC)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (request(matchers=["team=infra"]), "unknown label 'team'"),
        (request(matchers=['provider=~"(github"']), "bad regular expression '(github'"),
        (request(matchers=[]), "matchers"),
        (request(matchers=['component=~".*"']), "every alert is silenced"),
        (
            request(duration=None, startsAt=NOW.isoformat(), endsAt=(NOW - timedelta(hours=1)).isoformat()),
            "endsAt must be after startsAt",
        ),
        (request(endsAt=(NOW + timedelta(hours=1)).isoformat()), "exactly one of endsAt or duration"),
        (request(comment=None), "comment: required"),
        (request(createdBy="  "), "createdBy and comment are required"),
        (request(duration="forever"), "duration"),
        (request(startsAt="2026-11-23T12:00:00"), "startsAt"),
        (request(colour="red"), "unknown field 'colour'"),
        (request(startsAt="9999-12-31T23:00:00Z"), "out of range"),
        (request(duration=None, endsAt="9999-12-31T23:59:59-05:00"), "out of range"),
        (["not", "an", "object"], "body"),
    ],
    ids=[
        "unknown-label",
        "bad-regex",
        "no-matcher",
        "matches-everything",
        "ends-before-start",
        "two-ends",
        "no-comment",
        "blank-author",
        "bad-duration",
        "naive-time",
        "unknown-field",
        "end-past-year-9999",
        "utc-past-year-9999",
        "not-an-object",
    ],
)
async def test_an_invalid_silence_is_a_400_naming_the_problem_and_stores_nothing(
    client: Client, guarded: FakeDaemon, store: SqliteStore, body: object, problem: str
) -> None:
    response = await client.post("/api/v1/silences", json=body, headers=bearer())
    assert response.status == 400
    assert response.content_type == "application/json"
    assert problem in (await response.json())["error"]
    assert await stored_ids(store) == [] and guarded.changes == 0


@pytest.mark.parametrize(
    "data",
    [b"{not json", b"", b"\xff\xfe{}", b"[" * 50_000],
    ids=["broken", "empty", "not-utf8", "nested-deep"],
)
async def test_a_body_that_is_not_json_is_a_400(
    client: Client, guarded: FakeDaemon, store: SqliteStore, data: bytes
) -> None:
    headers = {**bearer(), "Content-Type": "application/json"}
    response = await client.post("/api/v1/silences", data=data, headers=headers)
    assert response.status == 400
    assert await response.json() == {"error": "the body is not JSON"}
    assert await stored_ids(store) == [] and guarded.changes == 0


async def test_a_body_over_the_limit_is_refused_even_when_sent_in_chunks(
    client: Client, guarded: FakeDaemon, store: SqliteStore
) -> None:
    padded = json.dumps(request(comment="x" * SILENCE_BODY_LIMIT)).encode()

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the server cannot know the size upfront
        for start in range(0, len(padded), 4096):
            yield padded[start : start + 4096]

    for data in (padded, chunks()):
        response = await client.post("/api/v1/silences", data=data, headers=bearer())
        assert response.status == 413
        assert await response.json() == {"error": f"a silence request is at most {SILENCE_BODY_LIMIT} bytes"}
    assert await stored_ids(store) == [] and guarded.changes == 0

    small = json.dumps(request(comment="x" * 1000)).encode()

    async def small_chunks() -> AsyncIterator[bytes]:
        yield small[:100]
        yield small[100:]

    accepted = await client.post("/api/v1/silences", data=small_chunks(), headers=bearer())
    assert accepted.status == 201


async def test_every_answer_is_as_the_openapi_document_describes(
    client: Client, daemon: FakeDaemon, store: SqliteStore
) -> None:
    spec = document()

    async def check(method: str, path: str, template: str, **kwargs: Any) -> dict[str, Any]:
        response = await client.request(method, path, **kwargs)
        operation = spec["paths"][template][method.lower()]
        described = operation["responses"].get(str(response.status))
        assert described is not None, f"{method} {path}: undocumented {response.status}"
        schema = described["content"][response.content_type]["schema"]
        body: dict[str, Any] = await response.json()
        validator = Draft202012Validator({**schema, "components": spec["components"]})
        assert not [e.message for e in validator.iter_errors(body)], f"{method} {path}: {body}"
        if response.status in (401, 403):
            assert operation["security"] == [{"bearerAuth": []}]
        return body

    one = "/api/v1/silences/{id}"
    await check("POST", "/api/v1/silences", "/api/v1/silences", json=request(), headers=bearer())  # 403
    await check("DELETE", "/api/v1/silences/gone", one)  # 401 saying how to enable changes
    daemon.api_token = TOKEN
    await check("POST", "/api/v1/silences", "/api/v1/silences", json=request())  # 401
    created = await check("POST", "/api/v1/silences", "/api/v1/silences", json=request(), headers=bearer())
    await check("GET", "/api/v1/silences", "/api/v1/silences")
    await check("DELETE", f"/api/v1/silences/{created['id']}", one, headers=bearer())
    await check("DELETE", "/api/v1/silences/gone", one, headers=bearer())  # 404
    await check("DELETE", "/api/v1/silences/gone", one)  # 401
    await check("POST", "/api/v1/silences", "/api/v1/silences", json=request(comment=None), headers=bearer())
    big = {"comment": "x" * SILENCE_BODY_LIMIT}
    await check("POST", "/api/v1/silences", "/api/v1/silences", json=big, headers=bearer())  # 413
    listed = await check("GET", "/api/v1/silences", "/api/v1/silences")
    assert [s["status"]["state"] for s in listed["silences"]] == ["expired"]
