//! Personal data at rest: envelope encryption and blind indexes, in the store's codec.
//!
//! - Every order has its own random data key (AES-256-GCM). Its state, its events, its
//!   face task and its SMS are sealed with it, and so is the service record it filed.
//!   Rows that belong to no order (cached idempotent answers, SMS to an account) use the
//!   database's system key.
//! - Data keys are stored in `data_keys`, wrapped by the master key's wrapping key, with
//!   the master key's id: the master key itself is never in the database.
//! - A sealed value names its data key (`e1:<key id>:<base64>`), and the column it
//!   belongs to is bound into the encryption, so a value moved to another column or
//!   another order does not open.
//! - Equality look-ups (a mobile's orders, mobiles shared across subjects, the daily SMS
//!   budget) go through blind indexes: a keyed HMAC of the normalised value under the
//!   database's index key (`b1:<hex>`), which is itself a wrapped data key.
//!
//! Values written before encryption (plain JSON, plain mobiles) are still read; opening
//! the store seals them (see `sql::vault_migration`).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

/// The prefix of a sealed value.
const SEALED: &str = "e1:";
/// The prefix of a blind index.
const BLIND: &str = "b1:";
const NONCE: usize = 12;
/// Unwrapped data keys kept in memory at most (an order's key is asked at every read).
const CACHE_MAX: usize = 50_000;

/// The id of the system data key (rows of no order).
pub const SYSTEM_KEY: &str = "~system";
/// The id of the blind-index key.
pub const INDEX_KEY: &str = "~index";

/// Why a value could not be opened.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("data key {0} is missing or destroyed")]
    NoKey(String),
    #[error("data key {0} is wrapped by master key {1}, which this process does not hold")]
    OtherMaster(String, String),
    #[error("a sealed value was altered, cut or moved")]
    Tampered,
}

/// A master key's wrapping key and its public id.
pub struct MasterKey {
    pub id: String,
    pub wrap: [u8; 32],
}

/// The keys of one store: the master wrapping keys and the data keys unwrapped so far.
pub struct Vault {
    current: (String, Aes256Gcm),
    /// Master keys being rotated away from: data keys they wrap are still opened.
    earlier: HashMap<String, Aes256Gcm>,
    deks: RwLock<HashMap<String, Arc<Aes256Gcm>>>,
    index: OnceLock<Vec<u8>>,
    /// Subject natures whose name is a person's (the reference data's individuals).
    person_natures: Vec<i64>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Vault {{ master: {}, keys: [redacted] }}",
            self.current.0
        )
    }
}

impl Vault {
    /// A vault writing with `current`, still reading what `earlier` keys wrapped.
    pub fn new(current: MasterKey, earlier: Vec<MasterKey>) -> Vault {
        let cipher = |k: &MasterKey| Aes256Gcm::new_from_slice(&k.wrap).expect("32-byte key");
        Vault {
            current: (current.id.clone(), cipher(&current)),
            earlier: earlier.iter().map(|k| (k.id.clone(), cipher(k))).collect(),
            deks: RwLock::default(),
            index: OnceLock::new(),
            person_natures: vec![],
        }
    }

    /// The subject natures whose name is a person's name (the reference data's
    /// individuals): such a name is kept masked in the records and sealed in full.
    pub fn with_person_natures(mut self, natures: Vec<i64>) -> Vault {
        self.person_natures = natures;
        self
    }

    /// Whether a subject of `nature` is a person.
    pub(crate) fn is_person(&self, nature: Option<i64>) -> bool {
        nature.is_some_and(|n| self.person_natures.contains(&n))
    }

    /// The natures of [`Vault::with_person_natures`].
    pub(crate) fn person_natures(&self) -> &[i64] {
        &self.person_natures
    }

    /// The id of the master key new data keys are wrapped with.
    pub fn master_id(&self) -> &str {
        &self.current.0
    }

    /// A new random data key: (the key, its wrapped form under the current master).
    pub(crate) fn new_data_key(&self, id: &str) -> ([u8; 32], String) {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        let wrapped = seal_bytes(&self.current.1, &key, id.as_bytes());
        (key, wrapped)
    }

    /// Unwraps a stored data key (`master_id`, `wrapped`) of `id` and keeps it.
    pub(crate) fn unwrap_key(
        &self,
        id: &str,
        master_id: &str,
        wrapped: &str,
    ) -> Result<Arc<Aes256Gcm>, VaultError> {
        let raw = self.unwrap_raw(id, master_id, wrapped)?;
        Ok(self.remember(id, &raw))
    }

    /// The raw bytes of a stored data key.
    pub(crate) fn unwrap_raw(
        &self,
        id: &str,
        master_id: &str,
        wrapped: &str,
    ) -> Result<Vec<u8>, VaultError> {
        let wrap = if master_id == self.current.0 {
            &self.current.1
        } else {
            self.earlier
                .get(master_id)
                .ok_or_else(|| VaultError::OtherMaster(id.into(), master_id.into()))?
        };
        open_bytes(wrap, wrapped, id.as_bytes())
    }

    /// `raw` wrapped under the current master key (rotation, stored secrets).
    pub(crate) fn wrap(&self, id: &str, raw: &[u8]) -> String {
        seal_bytes(&self.current.1, raw, id.as_bytes())
    }

    /// Keeps an unwrapped data key for later reads.
    pub(crate) fn remember(&self, id: &str, raw: &[u8]) -> Arc<Aes256Gcm> {
        let cipher = Arc::new(Aes256Gcm::new_from_slice(raw).expect("32-byte key"));
        let mut deks = self.deks.write().unwrap_or_else(|e| e.into_inner());
        if deks.len() >= CACHE_MAX {
            // A bound, not a policy: the keys are read again on demand.
            deks.clear();
        }
        deks.insert(id.to_string(), cipher.clone());
        cipher
    }

    /// A data key already unwrapped.
    pub(crate) fn cached(&self, id: &str) -> Option<Arc<Aes256Gcm>> {
        self.deks
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    /// Forgets a data key (it was destroyed).
    pub(crate) fn forget(&self, id: &str) {
        self.deks
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    /// Sets the blind-index key (once, when the store opens).
    pub(crate) fn set_index_key(&self, raw: Vec<u8>) {
        let _ = self.index.set(raw);
    }

    /// The blind index of `value` (already normalised) for look-ups of `purpose`.
    ///
    /// Each purpose has its own key, derived from the index key, so one index reveals
    /// nothing about another (a mobile's index is not a subject's).
    pub fn blind(&self, purpose: &str, value: &str) -> String {
        let index = self
            .index
            .get()
            .expect("the index key is set when the store opens");
        let key = hmac(index, purpose.as_bytes());
        format!(
            "{BLIND}{}",
            hex::encode(&hmac(&key, value.as_bytes())[..20])
        )
    }

    /// `plain` sealed with data key `key_id` (already unwrapped) for `column`.
    pub(crate) fn seal(&self, key_id: &str, key: &Aes256Gcm, column: &str, plain: &str) -> String {
        let aad = format!("{key_id}\x1f{column}");
        format!(
            "{SEALED}{key_id}:{}",
            seal_bytes(key, plain.as_bytes(), aad.as_bytes())
        )
    }
}

/// The data key a stored value was sealed with; `None` for a value in clear.
pub(crate) fn sealed_with(stored: &str) -> Option<&str> {
    let rest = stored.strip_prefix(SEALED)?;
    rest.rsplit_once(':').map(|(id, _)| id)
}

/// Opens a value sealed with `key` (found by [`sealed_with`]) for `column`.
pub(crate) fn open(key: &Aes256Gcm, column: &str, stored: &str) -> Result<String, VaultError> {
    let rest = stored.strip_prefix(SEALED).ok_or(VaultError::Tampered)?;
    let (key_id, body) = rest.rsplit_once(':').ok_or(VaultError::Tampered)?;
    let aad = format!("{key_id}\x1f{column}");
    let plain = open_bytes(key, body, aad.as_bytes())?;
    String::from_utf8(plain).map_err(|_| VaultError::Tampered)
}

/// HMAC-SHA256 of `message` under `key`.
fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// base64(nonce ‖ ciphertext ‖ tag).
fn seal_bytes(key: &Aes256Gcm, plain: &[u8], aad: &[u8]) -> String {
    let mut nonce = [0u8; NONCE];
    OsRng.fill_bytes(&mut nonce);
    let ct = key
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
        .expect("AES-GCM encrypts any length we store");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(out)
}

fn open_bytes(key: &Aes256Gcm, text: &str, aad: &[u8]) -> Result<Vec<u8>, VaultError> {
    let raw = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(text)
        .map_err(|_| VaultError::Tampered)?;
    if raw.len() < NONCE + 16 {
        return Err(VaultError::Tampered);
    }
    let (nonce, ct) = raw.split_at(NONCE);
    key.decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
        .map_err(|_| VaultError::Tampered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(byte: u8) -> Vault {
        Vault::new(
            MasterKey {
                id: format!("m{byte}"),
                wrap: [byte; 32],
            },
            vec![],
        )
    }

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_column() {
        let v = vault(1);
        let (raw, wrapped) = v.new_data_key("F1");
        let key = v.unwrap_key("F1", "m1", &wrapped).unwrap();
        assert_eq!(&raw[..], &v.unwrap_raw("F1", "m1", &wrapped).unwrap()[..]);
        let sealed = v.seal("F1", &key, "state", "{\"mobile\":\"13800138000\"}");
        assert!(!sealed.contains("13800138000"));
        assert_eq!(sealed_with(&sealed), Some("F1"));
        assert_eq!(
            open(&key, "state", &sealed).unwrap(),
            "{\"mobile\":\"13800138000\"}"
        );
        // Another column, another key, one changed character: refused.
        assert_eq!(open(&key, "event", &sealed), Err(VaultError::Tampered));
        let (_, other) = v.new_data_key("F2");
        let other = v.unwrap_key("F2", "m1", &other).unwrap();
        assert_eq!(open(&other, "state", &sealed), Err(VaultError::Tampered));
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let cut = String::from_utf8(bytes).unwrap();
        assert_eq!(open(&key, "state", &cut), Err(VaultError::Tampered));
    }

    #[test]
    fn a_data_key_unwraps_under_its_own_master_or_an_earlier_one_given() {
        let old = vault(1);
        let (_, wrapped) = old.new_data_key("F1");
        // Another master, not told of the first: refused by name.
        let other = vault(2);
        assert_eq!(
            other.unwrap_key("F1", "m1", &wrapped).err(),
            Some(VaultError::OtherMaster("F1".into(), "m1".into()))
        );
        // Rotating: the new master reads the old wrap and wraps again.
        let rotating = Vault::new(
            MasterKey {
                id: "m2".into(),
                wrap: [2; 32],
            },
            vec![MasterKey {
                id: "m1".into(),
                wrap: [1; 32],
            }],
        );
        let raw = rotating.unwrap_raw("F1", "m1", &wrapped).unwrap();
        let again = rotating.wrap("F1", &raw);
        assert_eq!(other.unwrap_raw("F1", "m2", &again).unwrap(), raw);
        // A wrapped key moved to another id does not unwrap.
        assert_eq!(
            old.unwrap_raw("F9", "m1", &wrapped),
            Err(VaultError::Tampered)
        );
    }

    #[test]
    fn blind_indexes_are_stable_keyed_and_apart_by_purpose() {
        let a = vault(1);
        a.set_index_key(vec![7; 32]);
        let b = vault(1);
        b.set_index_key(vec![8; 32]);
        let x = a.blind("mobile", "13800138000");
        assert!(x.starts_with(BLIND) && !x.contains("13800138000"));
        assert_eq!(x, a.blind("mobile", "13800138000"));
        assert_ne!(x, a.blind("mobile", "13800138001"));
        assert_ne!(x, a.blind("subject", "13800138000"));
        assert_ne!(x, b.blind("mobile", "13800138000"));
    }
}
