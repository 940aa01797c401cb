//! The audit: one journal entry for every action that changes something or hears
//! something, with its outcome. [`Audit::run`] is the one place admin commands pass through
//! (the shell calls it around each mutating feature function, with the command itself, whose
//! [`Audited`] impl names the action); listen and room-view sessions are written by their
//! hubs when a session ends. Entries never hold a secret or a token.
//!
//! Keys: the chain key is 32 random bytes kept in the OS keychain (account
//! [`CHAIN_KEY_ACCOUNT`]), made on first start. A team in team mode shares one key — set
//! the same value in each member's keychain — so any member can verify every chain.
//!
//! The chain head (the newest written entry's position and hash) is also kept in the
//! keychain ([`head_account`]), written at most every [`HEAD_EVERY`]: deleting the
//! newest rows breaks no link inside the database, but then the chain no longer reaches the
//! head kept outside, and verify says so (after a restart too).

mod facts;

pub use earshot_journal as journal;
pub use facts::{Audited, Facts};

use crate::projects::ProjectHandle;
use crate::result::AppResult;
use crate::vault::{Secret, Vault};
use earshot_journal::{ChainKey, DbPassword, Journal, JournalConfig, Location, NewEntry};
use earshot_protocol::audit::{
    AuditFilter, AuditPage, ChainReport, ExportFormat, JournalHealth, MAX_PAGE,
};
use earshot_protocol::{AppError, ErrorCode};
use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

/// The keychain account holding the chain key (hex).
pub const CHAIN_KEY_ACCOUNT: &str = "journal-chain-key";
/// The keychain accounts holding chain heads (`<seq>:<hash hex>`) start with this; see
/// [`head_account`].
pub const CHAIN_HEAD_ACCOUNT: &str = "journal-chain-head";
/// How often at most the chain head is written to the keychain (each write is a D-Bus round
/// trip on Linux; a burst of entries makes one write). Entries written in the last interval
/// before a crash are not covered.
pub const HEAD_EVERY: std::time::Duration = std::time::Duration::from_secs(2);
/// The keychain account holding the team PostgreSQL password.
pub const DB_PASSWORD_ACCOUNT: &str = "journal-db-password";
/// Entries kept while the journal is still opening (the first seconds of a start).
const EARLY_MAX: usize = 10_000;

/// Who acts, and where entries go. Cheap to clone.
#[derive(Clone)]
pub struct Audit {
    inner: Arc<Inner>,
}

struct Inner {
    journal: RwLock<Option<Journal>>,
    early: Mutex<Vec<NewEntry>>,
    /// Why the journal could not be opened, for the settings page.
    open_error: Mutex<Option<String>>,
    supervisor: String,
    os_user: String,
}

impl Audit {
    /// An audit naming `supervisor`; entries wait in memory until [`Audit::attach`].
    pub fn new(supervisor: &str) -> Self {
        let os_user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_default();
        Self {
            inner: Arc::new(Inner {
                journal: RwLock::new(None),
                early: Mutex::new(Vec::new()),
                open_error: Mutex::new(None),
                supervisor: supervisor.to_owned(),
                os_user,
            }),
        }
    }

    /// Starts writing to `journal`, first what was recorded before it opened.
    pub fn attach(&self, journal: Journal) {
        let early =
            std::mem::take(&mut *self.inner.early.lock().unwrap_or_else(|p| p.into_inner()));
        for e in early {
            journal.record(e);
        }
        *self
            .inner
            .journal
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(journal);
    }

    /// The journal, once open.
    pub fn journal(&self) -> Option<Journal> {
        self.inner
            .journal
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Why the journal could not be opened, if it could not.
    pub fn open_error(&self) -> Option<String> {
        self.inner
            .open_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Opens this installation's journal ([`open`]), attaches it, then applies retention
    /// hourly. Runs for the app's life; a journal that cannot open is reported (listening
    /// and admin go on without it).
    pub async fn run_journal(self, data_dir: std::path::PathBuf, vault: Vault) {
        let journal = match open(&data_dir, &vault).await {
            Ok(j) => j,
            Err(err) => {
                tracing::error!("journal: {}", err.message);
                *self
                    .inner
                    .open_error
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = Some(err.message);
                return;
            }
        };
        let health = journal.health();
        if let Some(aside) = &health.moved_aside {
            tracing::error!(%aside, "journal: the database was unreadable and was moved aside");
        }
        tracing::info!(location = %health.location, "journal open");
        if let Err(e) = keep_head(&journal, vault).await {
            tracing::warn!(
                "journal: the chain head cannot be kept in the keychain: {}",
                e.message
            );
        }
        self.attach(journal.clone());
        loop {
            if let Err(e) = journal.prune_by_retention().await {
                tracing::warn!("journal: retention failed: {e}");
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    }

    /// The supervisor entries name.
    pub fn supervisor(&self) -> &str {
        &self.inner.supervisor
    }

    /// Records an entry, adding the supervisor and the OS user; never waits.
    pub fn record(&self, mut e: NewEntry) {
        e.supervisor
            .get_or_insert_with(|| self.inner.supervisor.clone());
        if !self.inner.os_user.is_empty() {
            e.os_user.get_or_insert_with(|| self.inner.os_user.clone());
        }
        match self.journal() {
            Some(j) => j.record(e),
            None => {
                let mut early = self.inner.early.lock().unwrap_or_else(|p| p.into_inner());
                if early.len() < EARLY_MAX {
                    early.push(e);
                }
            }
        }
    }

    /// Runs an audited command's feature function and records one entry with its outcome.
    /// `facts` come from the command ([`Audited::facts`]), taken before its arguments move.
    pub async fn run<T>(
        &self,
        facts: Facts,
        project: Option<&ProjectHandle>,
        action: impl Future<Output = AppResult<T>>,
    ) -> AppResult<T> {
        let ts_ms = earshot_journal::now_ms();
        let result = action.await;
        let mut e = NewEntry::new(facts.action);
        e.ts_ms = ts_ms;
        e.outcome = outcome(&result);
        match (project, facts.project) {
            (Some(p), _) => {
                e.project = Some(p.name.clone());
                e.server_url = Some(p.endpoint().url.clone());
            }
            (None, Some((name, url))) => {
                e.project = Some(name);
                e.server_url = Some(url).filter(|u| !u.is_empty());
            }
            (None, None) => {}
        }
        e.room = facts.room;
        e.identity = facts.identity;
        e.detail = facts.detail;
        self.record(e);
        result
    }
}

impl Audit {
    fn open_journal(&self) -> AppResult<Journal> {
        self.journal().ok_or_else(|| {
            AppError::new(
                ErrorCode::JournalError,
                self.open_error()
                    .unwrap_or_else(|| "The journal is still opening.".into()),
            )
        })
    }

    /// A filtered page of entries, newest first.
    pub async fn query(&self, filter: &AuditFilter) -> AppResult<AuditPage> {
        let j = self.open_journal()?;
        j.flush().await.map_err(journal_error)?;
        j.query(filter).await.map_err(journal_error)
    }

    /// Verifies every chain in the journal.
    pub async fn verify(&self) -> AppResult<Vec<ChainReport>> {
        let j = self.open_journal()?;
        j.flush().await.map_err(journal_error)?;
        j.verify().await.map_err(journal_error)
    }

    /// Every entry `filter` matches, exported as text.
    pub async fn export(&self, filter: &AuditFilter, format: ExportFormat) -> AppResult<String> {
        let j = self.open_journal()?;
        j.flush().await.map_err(journal_error)?;
        let mut all = Vec::new();
        let mut page_filter = AuditFilter {
            limit: MAX_PAGE,
            before_id: None,
            ..filter.clone()
        };
        loop {
            let page = j.query(&page_filter).await.map_err(journal_error)?;
            page_filter.before_id = page.entries.last().map(|e| e.id);
            all.extend(page.entries);
            if !page.more {
                break;
            }
        }
        Ok(match format {
            ExportFormat::JsonLines => earshot_journal::export::json_lines(&all),
            ExportFormat::Csv => earshot_journal::export::csv(&all),
        })
    }

    /// Where the journal lives and how it is doing.
    pub fn health(&self) -> AppResult<JournalHealth> {
        Ok(self.open_journal()?.health())
    }
}

/// `ok`, or the error's code as the protocol names it.
pub fn outcome<T>(result: &AppResult<T>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(err) => code_name(err.code),
    }
}

/// An error code's wire name (`invalid_credentials`, …).
pub fn code_name(code: ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "internal".into(),
    }
}

/// Checks the chain head kept in the keychain against the journal, then keeps it there as
/// the chain grows (see the module docs).
pub async fn keep_head(journal: &Journal, vault: Vault) -> AppResult<()> {
    let account = head_account(journal);
    if let Some(stored) = vault.get(&account).await? {
        match earshot_journal::Head::from_text(stored.expose()) {
            Some(head) => journal.expect_head(head).await.map_err(journal_error)?,
            None => tracing::warn!("journal: the chain head in the keychain is malformed"),
        }
    }
    let mut heads = journal.head();
    tokio::spawn(async move {
        while heads.changed().await.is_ok() {
            // Coalesced: the newest head after a pause.
            tokio::time::sleep(HEAD_EVERY).await;
            let head = heads.borrow_and_update().clone();
            if let Some(head) = head {
                if let Err(e) = vault.set(&account, Secret::new(head.to_text())).await {
                    tracing::warn!("journal: the chain head could not be kept: {e}");
                }
            }
        }
    });
    Ok(())
}

/// The keychain account of `journal`'s chain head: one per installation and store, as
/// several data dirs (and a switch to a team server) share one keychain, and each chain
/// must be checked against its own head only.
pub fn head_account(journal: &Journal) -> String {
    format!(
        "{CHAIN_HEAD_ACCOUNT}:{}:{}",
        journal.installation(),
        journal.health().location
    )
}

/// Where this installation's journal lives: SQLite at `<data_dir>/journal.sqlite`, or
/// the team's PostgreSQL when `EARSHOT_JOURNAL_URL` is set (its password, if any, in the
/// keychain under [`DB_PASSWORD_ACCOUNT`]).
pub async fn location(data_dir: &Path, vault: &Vault) -> AppResult<Location> {
    match std::env::var("EARSHOT_JOURNAL_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let password = vault
                .get(DB_PASSWORD_ACCOUNT)
                .await?
                .map(|s| DbPassword::new(s.expose()));
            Ok(Location::Postgres { url, password })
        }
        _ => Ok(Location::Sqlite(data_dir.join("journal.sqlite"))),
    }
}

/// The chain key from the keychain, made and stored on first use.
pub async fn chain_key(vault: &Vault) -> AppResult<ChainKey> {
    if let Some(stored) = vault.get(CHAIN_KEY_ACCOUNT).await? {
        return ChainKey::from_hex(stored.expose()).ok_or_else(|| {
            AppError::new(
                ErrorCode::KeychainError,
                "The journal's chain key in the keychain is malformed (expected 64 hex digits).",
            )
        });
    }
    let key = ChainKey::generate();
    vault
        .set(CHAIN_KEY_ACCOUNT, Secret::new(key.to_hex().as_str()))
        .await?;
    Ok(key)
}

/// This installation's id, kept in `<data_dir>/installation-id` (made on first start).
pub fn installation_id(data_dir: &Path) -> AppResult<String> {
    let path = data_dir.join("installation-id");
    if let Ok(id) = std::fs::read_to_string(&path) {
        let id = id.trim();
        if !id.is_empty() {
            return Ok(id.to_owned());
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    std::fs::create_dir_all(data_dir)
        .and_then(|()| std::fs::write(&path, &id))
        .map_err(|e| {
            AppError::new(
                ErrorCode::SettingsError,
                format!("Could not write {}: {e}", path.display()),
            )
        })?;
    Ok(id)
}

/// Opens the journal for this installation (key from the keychain, 90-day retention).
pub async fn open(data_dir: &Path, vault: &Vault) -> AppResult<Journal> {
    let config = JournalConfig {
        location: location(data_dir, vault).await?,
        installation: installation_id(data_dir)?,
        key: chain_key(vault).await?,
        retention_days: 90,
    };
    Journal::open(config).await.map_err(journal_error)
}

/// A journal error as the UI shows it.
pub fn journal_error(err: earshot_journal::JournalError) -> AppError {
    AppError::new(ErrorCode::JournalError, err.to_string())
}
