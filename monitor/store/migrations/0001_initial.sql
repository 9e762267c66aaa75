-- The outbox schema. Times are fixed-width ISO 8601 UTC text (see monitor/store/codec.py), so
-- comparing them as text compares the instants.

-- What the engine remembers about each provider between polls (codec.state_to_json).
CREATE TABLE provider_state (
    provider   TEXT PRIMARY KEY,
    state_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Every event the engine emitted, append-only; body_json holds the whole event (codec.event_to_json),
-- the other columns are copies for querying.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    provider    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    dedup_key   TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    body_json   TEXT NOT NULL
);

-- The outbox: one row per (event, notifier). seq is the enqueue order the dispatcher keeps per
-- (notifier, dedup_key); id is the stable identity a receiver sees on every retry.
CREATE TABLE notifications (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    notifier        TEXT NOT NULL,
    dedup_key       TEXT NOT NULL,
    event_id        INTEGER NOT NULL REFERENCES events (id),
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    delivered_at    TEXT,
    dead_at         TEXT,
    last_error      TEXT
);
-- Only pending rows are indexed: delivered and dead ones pile up, the dispatcher never reads them.
-- By key: the due query per notifier and its "no earlier pending one for this key" check.
CREATE INDEX notifications_pending ON notifications (seq) WHERE status = 'pending';
CREATE INDEX notifications_pending_by_key ON notifications (notifier, dedup_key, seq) WHERE status = 'pending';

-- Alerts a notifier was told about and not yet told are resolved.
CREATE TABLE open_alerts (
    provider  TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    notifier  TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    PRIMARY KEY (provider, dedup_key, notifier)
) WITHOUT ROWID;
