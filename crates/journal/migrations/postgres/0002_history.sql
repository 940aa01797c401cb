-- Call history: one row per call (a room, told apart by its sid) merged from every source
-- that saw it (bits in `sources`: poller 1, room view 2, webhook 4). `kinds` holds the
-- participant kinds seen, as bits (see earshot_protocol::history::kind_bit).
CREATE TABLE calls (
    id BIGSERIAL PRIMARY KEY,
    project TEXT NOT NULL,
    room TEXT NOT NULL,
    room_sid TEXT NOT NULL,
    started_ms BIGINT NOT NULL,
    ended_ms BIGINT,
    peak_participants BIGINT NOT NULL DEFAULT 0,
    kinds BIGINT NOT NULL DEFAULT 0,
    recording BIGINT NOT NULL DEFAULT 0,
    sources BIGINT NOT NULL DEFAULT 0,
    UNIQUE (project, room_sid)
);
-- The History page: one project's calls, newest first, paged by (started_ms, id).
CREATE INDEX calls_by_start ON calls (project, started_ms, id);
-- A day's calls across projects (analytics, retention).
CREATE INDEX calls_started ON calls (started_ms);
-- What happened in a call, in order. `subject` is what makes an event unique within its
-- kind (a participant's or track's sid, an egress id and status): two sources reporting
-- one join store it once.
CREATE TABLE room_events (
    id BIGSERIAL PRIMARY KEY,
    project TEXT NOT NULL,
    room_sid TEXT NOT NULL,
    ts_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    identity TEXT,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    UNIQUE (project, room_sid, kind, subject)
);
-- One call's timeline in order.
CREATE INDEX room_events_timeline ON room_events (project, room_sid, ts_ms, id);
-- Search by participant identity.
CREATE INDEX room_events_identity ON room_events (project, identity);
