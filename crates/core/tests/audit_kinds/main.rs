//! Every audited command kind outside rooms and participants (those are in `audit.rs`),
//! passed through [`Audit::run`] exactly as the shell's commands do, against the real
//! livekit-server and on both stores: egress start/stop/update (no egress worker runs here,
//! so the server's refusal is the outcome), ingress CRUD, SIP trunk and dispatch-rule CRUD
//! and dial-out (no SIP worker: refused), agent dispatch, storage profiles, alert rules,
//! project add/edit/remove/import. Each leaves exactly one entry with the right fields, the
//! journal holds nothing else, and no secret given to any command reaches it.

#[path = "../common/mod.rs"]
mod common;
mod local;
mod server;

use earshot_core::audit::journal::{
    AuditAction, AuditEntry, AuditFilter, ChainKey, ChainState, Journal, JournalConfig, Location,
};
use earshot_core::protocol::{AppError, ErrorCode};
use earshot_core::{admin, Earshot};
use earshot_testbed::{livekit, unique_room};
use serde_json::Value;

pub const TRUNK_PASSWORD: &str = "trunk-pw-never-journaled";
pub const STORAGE_SECRET: &str = "storage-secret-never-journaled";
pub const IMPORTED_SECRET: &str = "imported-secret-never-journaled-0123456789";

/// The journal under test and what has been checked so far.
pub struct Check<'a> {
    app: &'a Earshot,
    j: &'a Journal,
    store: &'static str,
    /// Entries the run made (each must be in the journal, and nothing else).
    made: usize,
}

impl Check<'_> {
    /// The entries of `action`: there must be `count`; the newest is returned.
    pub async fn newest(&mut self, action: AuditAction, count: usize) -> AuditEntry {
        self.made += 1;
        self.j.flush().await.expect("flush");
        let got = self
            .j
            .query(&AuditFilter {
                action: Some(action),
                limit: 100,
                ..Default::default()
            })
            .await
            .expect("query")
            .entries;
        assert_eq!(
            got.len(),
            count,
            "{}: {action:?} entries: {got:#?}",
            self.store
        );
        let e = got[0].clone();
        assert_eq!(
            e.supervisor.as_deref(),
            Some(self.app.audit().supervisor()),
            "{}: {action:?}",
            self.store
        );
        e
    }

    /// Like `newest`, also checking the project, the server and the outcome.
    pub async fn one(
        &mut self,
        action: AuditAction,
        count: usize,
        outcome: &str,
        room: Option<&str>,
    ) -> (AuditEntry, Value) {
        let e = self.newest(action, count).await;
        let store = self.store;
        assert_eq!(e.outcome, outcome, "{store}: {action:?}");
        assert_eq!(e.project.as_deref(), Some("bed"), "{store}: {action:?}");
        assert_eq!(
            e.server_url.as_deref(),
            Some(livekit().ws_url.as_str()),
            "{store}: {action:?}"
        );
        assert_eq!(e.room.as_deref(), room, "{store}: {action:?}");
        let detail = serde_json::from_str(&e.detail).expect("detail is JSON");
        (e, detail)
    }
}

pub fn failed<T: std::fmt::Debug>(r: Result<T, AppError>, code: ErrorCode, what: &str) -> String {
    let err = r.expect_err(what);
    assert_eq!(err.code, code, "{what}: {err:?}");
    earshot_core::audit::code_name(code)
}

async fn every_kind_on(store: &'static str, location: Location) {
    let app = common::bed_app().await;
    let j = Journal::open(JournalConfig {
        location,
        installation: "kinds".into(),
        key: ChainKey::generate(),
        retention_days: 0,
    })
    .await
    .expect("journal");
    app.audit().attach(j.clone());
    let project = app.projects().default_project().expect("default project");
    let room = unique_room("audit-kinds");
    let p = app.projects().handle(&project).await.expect("handle");
    // Not audited: the room the egress start needs (the server checks the room first).
    admin::create_room(
        &p,
        &earshot_core::protocol::admin::RoomOptions {
            name: room.clone(),
            ..Default::default()
        },
    )
    .await
    .expect("room");
    let mut c = Check {
        app: &app,
        j: &j,
        store,
        made: 0,
    };
    local::storage_and_alert_kinds(&mut c, &project).await;
    server::ingress_and_agent_kinds(&mut c, &project, &room).await;
    server::sip_kinds(&mut c, &project, &room).await;
    local::project_kinds(&mut c).await;
    server::egress_kinds(&mut c, &project, &room).await;

    // Nothing else was journaled, and no secret given to any command is in the journal.
    let all = app
        .audit()
        .export(
            &AuditFilter::default(),
            earshot_core::protocol::audit::ExportFormat::JsonLines,
        )
        .await
        .expect("export");
    assert_eq!(all.lines().count(), c.made, "{store}: {all}");
    for secret in [
        TRUNK_PASSWORD,
        STORAGE_SECRET,
        IMPORTED_SECRET,
        &livekit().api_secret,
    ] {
        assert!(
            !all.contains(secret),
            "{store}: a secret reached the journal"
        );
    }
    assert_eq!(
        j.verify_chain("kinds").await.expect("verify").state,
        ChainState::Intact
    );
    j.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_kind_is_journaled_once_with_its_fields() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pg = earshot_testbed::postgres()
        .fresh_database("kinds")
        .expect("database");
    // Both stores at once: the egress start and the dial-out each wait for a worker.
    tokio::join!(
        every_kind_on(
            "sqlite",
            Location::Sqlite(dir.path().join("journal.sqlite"))
        ),
        every_kind_on(
            "postgres",
            Location::Postgres {
                url: pg,
                password: None
            }
        ),
    );
}
