-- Alert groups: one notification per (route group, notifier) instead of one per (event, notifier).

-- The alerts the alerting stage keeps: firing ones, and resolved ones until every notifier that was told
-- of them has been told they resolved (codec.alert_to_json).
CREATE TABLE alerts (
    key        TEXT PRIMARY KEY,
    provider   TEXT NOT NULL,
    body_json  TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The notification log: what each notifier was last queued about each group (told_json: alert keys,
-- severity, when), written in the same transaction as the notification itself; and the receipt the
-- notifier's last delivery for the group returned (a Slack thread ts, an incident id), written on delivery.
CREATE TABLE group_log (
    group_key    TEXT NOT NULL,
    notifier     TEXT NOT NULL,
    told_json    TEXT NOT NULL,
    receipt_json TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (group_key, notifier)
) WITHOUT ROWID;

-- Silences (monitor.alerting.silences.Silence.to_json); expired ones are kept for the record.
CREATE TABLE silences (
    id        TEXT PRIMARY KEY,
    body_json TEXT NOT NULL,
    ends_at   TEXT NOT NULL
);

-- The outbox now carries a group notification (body_json) keyed by its group (dedup_key holds the group
-- key); rows queued before this version keep their event_id and no body, and are sent as one-alert groups.
CREATE TABLE notifications_v2 (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    notifier        TEXT NOT NULL,
    dedup_key       TEXT NOT NULL,
    event_id        INTEGER REFERENCES events (id),
    body_json       TEXT,
    priority        INTEGER NOT NULL DEFAULT 1,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    delivered_at    TEXT,
    dead_at         TEXT,
    last_error      TEXT,
    CHECK (event_id IS NOT NULL OR body_json IS NOT NULL)
);
INSERT INTO notifications_v2 (seq, id, notifier, dedup_key, event_id, status, attempts, created_at,
                              next_attempt_at, lease_until, delivered_at, dead_at, last_error)
SELECT seq, id, notifier, dedup_key, event_id, status, attempts, created_at,
       next_attempt_at, lease_until, delivered_at, dead_at, last_error
FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_v2 RENAME TO notifications;
CREATE INDEX notifications_pending ON notifications (priority, seq) WHERE status = 'pending';
CREATE INDEX notifications_pending_by_key ON notifications (notifier, dedup_key, seq) WHERE status = 'pending';
DROP TABLE open_alerts;  -- superseded by group_log
