-- Incident history and status intervals (monitor/history.py), for the provider pages and availability.
-- Portable SQL: no SQLite-only types; times are the fixed-width ISO text of codec.format_time.

-- Each incident a provider's page showed, with every update seen (updates_json: codec.updates_to_list),
-- written in the commit of the state it was seen in, or by a first sight's backfill. resolved_at NULL: open.
CREATE TABLE incident_history (
    provider     TEXT NOT NULL,
    incident_id  TEXT NOT NULL,
    name         TEXT NOT NULL,
    status       TEXT NOT NULL,
    impact       TEXT NOT NULL,
    url          TEXT,
    started_at   TEXT NOT NULL,
    resolved_at  TEXT,
    updates_json TEXT NOT NULL,
    PRIMARY KEY (provider, incident_id)
);
CREATE INDEX incident_history_by_start ON incident_history (provider, started_at);

-- The intervals each component (component '' : the page's readability) spent in each status; a row is
-- written only when a status changes. ended_at NULL: the status it is in now.
CREATE TABLE status_intervals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    provider    TEXT NOT NULL,
    component   TEXT NOT NULL,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    ended_at    TEXT
);
CREATE INDEX status_intervals_by_provider ON status_intervals (provider, component, started_at);
CREATE INDEX status_intervals_by_end ON status_intervals (ended_at);
