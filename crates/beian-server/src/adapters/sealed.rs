//! Uploads sealed at rest. Each object gets its own random data key (AES-256-GCM); the
//! data key is wrapped by a key derived from the master key and stored with the object,
//! together with the master key's id. The object's name is a keyed hash of its content
//! hash, so the bucket says nothing about what it holds and a copy of a photo cannot
//! confirm that it is there. The object's name is bound into both encryptions, so blobs
//! cannot be swapped. Objects written before sealing (named by their plain sha256, in
//! clear) are still read.

use super::keys::Keys;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;

/// The format tag at the start of a sealed object.
const MAGIC: &[u8; 4] = b"BNE1";
const KEY_ID_LEN: usize = 16;
const NONCE: usize = 12;
/// A 32-byte data key and its 16-byte tag.
const WRAPPED: usize = 48;

/// Why a sealed object could not be opened.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("not a sealed object")]
    NotSealed,
    #[error("sealed under another master key (id {0})")]
    OtherKey(String),
    #[error("the object was altered or cut")]
    Tampered,
}

/// Names, seals and opens objects under this process's master key.
pub struct Sealer {
    name_key: Vec<u8>,
    wrap_key: Aes256Gcm,
    key_id: String,
}

impl Sealer {
    pub fn new(keys: &Keys) -> Sealer {
        let (wrap, names, id) = Sealer::derived(keys);
        Sealer::from_parts(&wrap, &names, id)
    }

    /// The wrapping key, the naming key and the key id that `keys` derives: what a
    /// database first keeps as its uploads' secrets (`Store::secret`).
    pub fn derived(keys: &Keys) -> (Vec<u8>, Vec<u8>, String) {
        (
            keys.derive("upload key wrapping"),
            keys.derive("upload names"),
            keys.id(),
        )
    }

    /// A sealer over kept secrets: they outlive a rotation of the master key.
    pub fn from_parts(wrap: &[u8], names: &[u8], key_id: String) -> Sealer {
        Sealer {
            name_key: names.to_vec(),
            wrap_key: Aes256Gcm::new_from_slice(wrap).expect("32-byte key"),
            key_id,
        }
    }

    /// The object name of content whose sha256 (hex) is `sha256`.
    pub fn name(&self, sha256: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.name_key).expect("HMAC takes any key");
        mac.update(sha256.as_bytes());
        format!("s1-{}", hex::encode(mac.finalize().into_bytes()))
    }

    /// The sealed form of `plain`, stored under `name`.
    pub fn seal(&self, name: &str, plain: &[u8]) -> Vec<u8> {
        let mut data_key = [0u8; 32];
        OsRng.fill_bytes(&mut data_key);
        let (mut wrap_nonce, mut nonce) = ([0u8; NONCE], [0u8; NONCE]);
        OsRng.fill_bytes(&mut wrap_nonce);
        OsRng.fill_bytes(&mut nonce);
        let aad = name.as_bytes();
        let wrapped = self
            .wrap_key
            .encrypt(
                Nonce::from_slice(&wrap_nonce),
                Payload {
                    msg: &data_key,
                    aad,
                },
            )
            .expect("AES-GCM encrypts");
        let cipher = Aes256Gcm::new_from_slice(&data_key).expect("32-byte key");
        let body = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
            .expect("AES-GCM encrypts");
        let mut out = Vec::with_capacity(4 + KEY_ID_LEN + 2 * NONCE + WRAPPED + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(self.key_id.as_bytes());
        out.extend_from_slice(&wrap_nonce);
        out.extend_from_slice(&wrapped);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&body);
        out
    }

    /// The plain bytes of an object sealed under `name`.
    pub fn open(&self, name: &str, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        let head = 4 + KEY_ID_LEN + NONCE + WRAPPED + NONCE;
        if sealed.len() < head || &sealed[..4] != MAGIC {
            return Err(OpenError::NotSealed);
        }
        let key_id = String::from_utf8_lossy(&sealed[4..4 + KEY_ID_LEN]).to_string();
        if key_id != self.key_id {
            return Err(OpenError::OtherKey(key_id));
        }
        let mut at = 4 + KEY_ID_LEN;
        let wrap_nonce = &sealed[at..at + NONCE];
        at += NONCE;
        let wrapped = &sealed[at..at + WRAPPED];
        at += WRAPPED;
        let nonce = &sealed[at..at + NONCE];
        at += NONCE;
        let aad = name.as_bytes();
        let data_key = self
            .wrap_key
            .decrypt(Nonce::from_slice(wrap_nonce), Payload { msg: wrapped, aad })
            .map_err(|_| OpenError::Tampered)?;
        let cipher = Aes256Gcm::new_from_slice(&data_key).map_err(|_| OpenError::Tampered)?;
        cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: &sealed[at..],
                    aad,
                },
            )
            .map_err(|_| OpenError::Tampered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(hex_key: &str) -> Keys {
        Keys::load(Some(hex_key), None, std::path::Path::new("/nonexistent"))
            .unwrap()
            .0
    }

    #[test]
    fn sealed_objects_open_only_under_their_name_and_key() {
        let sealer = Sealer::new(&keys(&"11".repeat(32)));
        let plain = b"\x89PNG a photo of an ID card".to_vec();
        let name = sealer.name("abc123");
        assert!(!name.contains("abc123"));
        let sealed = sealer.seal(&name, &plain);
        assert!(
            !sealed.windows(4).any(|w| w == b"\x89PNG"),
            "no plain bytes"
        );
        assert_eq!(sealer.open(&name, &sealed).unwrap(), plain);
        assert_ne!(
            sealed,
            sealer.seal(&name, &plain),
            "a fresh data key each time"
        );
        assert_eq!(
            sealer.open("s1-other", &sealed),
            Err(OpenError::Tampered),
            "bound to its name"
        );
        let mut cut = sealed.clone();
        cut.truncate(sealed.len() - 3);
        assert_eq!(sealer.open(&name, &cut), Err(OpenError::Tampered));
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(sealer.open(&name, &flipped), Err(OpenError::Tampered));
        let other = Sealer::new(&keys(&"22".repeat(32)));
        assert!(matches!(
            other.open(&name, &sealed),
            Err(OpenError::OtherKey(_))
        ));
        assert_eq!(sealer.open(&name, &plain), Err(OpenError::NotSealed));
    }
}
