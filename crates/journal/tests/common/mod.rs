//! The two stores every journal suite runs over: SQLite in a temp dir and a real
//! PostgreSQL from the test bed (a fresh database per test).
#![allow(dead_code)]

use anyhow::Result;
use earshot_journal::{ChainKey, Journal, JournalConfig, Location};

pub struct Bed {
    pub location: Location,
    _dir: Option<tempfile::TempDir>,
}

#[derive(Clone, Copy)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl Bed {
    pub fn new(kind: Kind) -> Result<Self> {
        Ok(match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir()?;
                Self {
                    location: Location::Sqlite(dir.path().join("journal.sqlite")),
                    _dir: Some(dir),
                }
            }
            Kind::Postgres => Self {
                location: Location::Postgres {
                    url: earshot_testbed::postgres().fresh_database("journal")?,
                    password: None,
                },
                _dir: None,
            },
        })
    }

    pub async fn open(&self, installation: &str, key: &ChainKey) -> Result<Journal> {
        Ok(Journal::open(JournalConfig {
            location: self.location.clone(),
            installation: installation.into(),
            key: key.clone(),
            retention_days: 90,
        })
        .await?)
    }
}

/// One test module per name, with a `sqlite` and a `postgres` test calling `name(bed)`.
#[macro_export]
macro_rules! both_stores {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() -> anyhow::Result<()> {
                super::$name(super::common::Bed::new(super::common::Kind::Sqlite)?).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() -> anyhow::Result<()> {
                super::$name(super::common::Bed::new(super::common::Kind::Postgres)?).await
            }
        }
    )*};
}
