//! The audit's hash chain: each entry's hash is an HMAC-SHA256, under a key kept in the OS
//! keychain, over its position, its content and the previous entry's hash. Editing the
//! database and recomputing hashes therefore needs the key; a deleted, inserted or
//! reordered row breaks a link. Retention prunes a chain's front behind a signed anchor.

use earshot_protocol::audit::{BreakReason, ChainState};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use zeroize::Zeroizing;

type HmacSha256 = Hmac<Sha256>;

/// The hash a chain's first entry links to.
pub const GENESIS: [u8; 32] = [0; 32];

/// The chain key: 32 random bytes. `Debug` prints `<redacted>`; wiped on drop.
#[derive(Clone)]
pub struct ChainKey(Zeroizing<[u8; 32]>);

impl ChainKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        Self(Zeroizing::new(rand::random()))
    }

    /// The key from its hex form (as kept in the keychain); `None` if malformed.
    pub fn from_hex(hex: &str) -> Option<Self> {
        let hex = hex.trim();
        if hex.len() != 64 {
            return None;
        }
        let mut key = Zeroizing::new([0u8; 32]);
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Self(key))
    }

    /// The hex form, for the keychain.
    pub fn to_hex(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(64));
        for b in self.0.iter() {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length; 32 bytes never fails.
        <HmacSha256 as Mac>::new_from_slice(&self.0[..]).unwrap_or_else(|_| unreachable!())
    }
}

impl fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChainKey(<redacted>)")
    }
}

/// A stored row, as the chain sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub installation: String,
    pub seq: i64,
    pub ts_ms: i64,
    pub action: String,
    pub outcome: String,
    pub project: Option<String>,
    pub server_url: Option<String>,
    pub room: Option<String>,
    pub supervisor: Option<String>,
    pub os_user: Option<String>,
    pub identity: Option<String>,
    pub detail: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// A chain's newest written entry: its position and hash. Kept outside the database (the
/// app stores it in the keychain), it shows when the newest entries are deleted, which no
/// link inside the database can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: Vec<u8>,
}

impl Head {
    /// `<seq>:<hash in hex>`, as stored.
    pub fn to_text(&self) -> String {
        let hex: String = self.hash.iter().map(|b| format!("{b:02x}")).collect();
        format!("{}:{hex}", self.seq)
    }

    /// The head from its stored form; `None` if malformed.
    pub fn from_text(text: &str) -> Option<Self> {
        let (seq, hex) = text.trim().split_once(':')?;
        if hex.len() != 64 {
            return None;
        }
        let hash = (0..32)
            .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        Some(Self {
            seq: seq.parse().ok()?,
            hash,
        })
    }
}

/// A checkpoint left by pruning: the last pruned entry's position and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub installation: String,
    pub seq: i64,
    pub hash: Vec<u8>,
    pub ts_ms: i64,
    pub mac: Vec<u8>,
}

fn field(mac: &mut HmacSha256, value: Option<&[u8]>) {
    // Length-prefixed with a presence tag, so no two field lists encode alike.
    match value {
        None => mac.update(&[0]),
        Some(v) => {
            mac.update(&[1]);
            mac.update(&(v.len() as u64).to_be_bytes());
            mac.update(v);
        }
    }
}

/// The keyed hash of a row: everything but its id and its own hash.
pub fn row_hash(key: &ChainKey, row: &Row) -> [u8; 32] {
    let mut mac = key.mac();
    mac.update(b"earshot.audit.v1");
    field(&mut mac, Some(row.installation.as_bytes()));
    field(&mut mac, Some(&row.seq.to_be_bytes()));
    field(&mut mac, Some(&row.ts_ms.to_be_bytes()));
    field(&mut mac, Some(row.action.as_bytes()));
    field(&mut mac, Some(row.outcome.as_bytes()));
    for opt in [
        &row.project,
        &row.server_url,
        &row.room,
        &row.supervisor,
        &row.os_user,
        &row.identity,
    ] {
        field(&mut mac, opt.as_deref().map(str::as_bytes));
    }
    field(&mut mac, Some(row.detail.as_bytes()));
    field(&mut mac, Some(&row.prev_hash));
    mac.finalize().into_bytes().into()
}

/// The signature of a pruning anchor.
pub fn anchor_mac(key: &ChainKey, installation: &str, seq: i64, hash: &[u8]) -> [u8; 32] {
    let mut mac = key.mac();
    mac.update(b"earshot.audit.anchor.v1");
    field(&mut mac, Some(installation.as_bytes()));
    field(&mut mac, Some(&seq.to_be_bytes()));
    field(&mut mac, Some(hash));
    mac.finalize().into_bytes().into()
}

/// Walks one chain's rows in (seq, id) order and stops at the first broken link.
pub struct Verifier<'k> {
    key: &'k ChainKey,
    next_seq: i64,
    prev: Vec<u8>,
    pub checked: u64,
    pub pruned: u64,
    pub broken: Option<ChainState>,
}

impl<'k> Verifier<'k> {
    /// Starts at the anchor (pruned front) or at the genesis.
    pub fn new(key: &'k ChainKey, anchor: Option<&Anchor>) -> Self {
        let mut v = Self {
            key,
            next_seq: 1,
            prev: GENESIS.to_vec(),
            checked: 0,
            pruned: 0,
            broken: None,
        };
        if let Some(a) = anchor {
            if anchor_mac(key, &a.installation, a.seq, &a.hash)[..] != a.mac[..] {
                v.broken = Some(ChainState::Broken {
                    seq: a.seq,
                    id: None,
                    reason: BreakReason::AnchorInvalid,
                });
            }
            v.next_seq = a.seq + 1;
            v.prev = a.hash.clone();
            v.pruned = a.seq.max(0) as u64;
        }
        v
    }

    /// Checks the next row; false once the chain is broken.
    pub fn feed(&mut self, row: &Row) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let reason = if row.seq > self.next_seq {
            Some(BreakReason::Gap)
        } else if row_hash(self.key, row)[..] != row.hash[..] {
            Some(BreakReason::HashMismatch)
        } else if row.seq < self.next_seq || row.prev_hash != self.prev {
            Some(BreakReason::PrevMismatch)
        } else {
            None
        };
        if let Some(reason) = reason {
            self.broken = Some(ChainState::Broken {
                seq: self.next_seq,
                id: Some(row.id),
                reason,
            });
            return false;
        }
        self.checked += 1;
        self.next_seq += 1;
        self.prev = row.hash.clone();
        true
    }

    /// The chain's state after the last row fed.
    pub fn state(&self) -> ChainState {
        self.broken.clone().unwrap_or(ChainState::Intact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_hex_round_trips_and_never_prints() {
        let k = ChainKey::generate();
        let back = ChainKey::from_hex(&k.to_hex()).map(|b| b.to_hex());
        assert_eq!(
            back.as_deref().map(|s| s.as_str()),
            Some(k.to_hex().as_str())
        );
        assert_eq!(format!("{k:?}"), "ChainKey(<redacted>)");
        assert!(ChainKey::from_hex("zz").is_none());
    }

    #[test]
    fn head_text_round_trips() {
        let h = Head {
            seq: 42,
            hash: (0..32).collect(),
        };
        assert_eq!(Head::from_text(&h.to_text()), Some(h));
        assert_eq!(Head::from_text("42:zz"), None);
    }

    #[test]
    fn a_field_moved_between_columns_changes_the_hash() {
        let key = ChainKey::generate();
        let mut row = Row {
            id: 1,
            installation: "i".into(),
            seq: 1,
            ts_ms: 0,
            action: "room_create".into(),
            outcome: "ok".into(),
            project: Some("a".into()),
            server_url: None,
            room: None,
            supervisor: None,
            os_user: None,
            identity: None,
            detail: "{}".into(),
            prev_hash: GENESIS.to_vec(),
            hash: vec![],
        };
        let h1 = row_hash(&key, &row);
        row.project = None;
        row.room = Some("a".into());
        assert_ne!(h1, row_hash(&key, &row));
    }
}
