-- The audit: one hash chain per installation (see src/chain.rs for what each hash covers).
CREATE TABLE audit_entries (
    id BIGSERIAL PRIMARY KEY,
    installation TEXT NOT NULL,
    seq BIGINT NOT NULL,
    ts_ms BIGINT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    project TEXT,
    server_url TEXT,
    room TEXT,
    supervisor TEXT,
    os_user TEXT,
    identity TEXT,
    detail TEXT NOT NULL,
    prev_hash BYTEA NOT NULL,
    hash BYTEA NOT NULL
);
-- Not unique on purpose: verify must see (and report) a forged duplicate, not the insert fail.
CREATE INDEX audit_chain ON audit_entries (installation, seq);
-- The Audit page's filters, newest first.
CREATE INDEX audit_project ON audit_entries (project, id);
CREATE INDEX audit_room ON audit_entries (room, id);
CREATE INDEX audit_supervisor ON audit_entries (supervisor, id);
CREATE INDEX audit_action ON audit_entries (action, id);
CREATE INDEX audit_ts ON audit_entries (ts_ms);
-- What retention pruned from the front of a chain: its last entry's position and hash,
-- signed with the chain key, so the first kept entry still links to something verifiable.
CREATE TABLE audit_anchors (
    installation TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    ts_ms BIGINT NOT NULL,
    mac BYTEA NOT NULL
);
