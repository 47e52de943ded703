//! The master key: never in the database. From `BEIAN_MASTER_KEY` (64 hex digits), or a
//! file (`BEIAN_MASTER_KEY_FILE`, by default `<data-dir>/keys/master.key`), generated on
//! first start and announced once with its path. Every purpose gets its own key derived
//! from it (HMAC-SHA256 over the purpose's name), so one leaked sub-key exposes nothing
//! else. Several processes on one PostgreSQL must share the master key.

use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;
use std::path::{Path, PathBuf};

/// The keys of one process.
#[derive(Clone)]
pub struct Keys {
    master: [u8; 32],
    /// Where the master key came from, for the start-up log (never the key itself).
    pub source: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Keys {{ source: {:?}, master: [redacted] }}",
            self.source
        )
    }
}

impl Keys {
    /// Loads the master key from `hex` (the environment), else from `file`, else from
    /// `<data_dir>/keys/master.key`, creating that file (mode 0600) when missing. The
    /// `bool` says a key was generated now.
    pub fn load(
        hex_key: Option<&str>,
        file: Option<&Path>,
        data_dir: &Path,
    ) -> Result<(Keys, bool), String> {
        if let Some(h) = hex_key {
            let master = parse(h.trim()).ok_or("BEIAN_MASTER_KEY: 64 hex digits expected")?;
            return Ok((
                Keys {
                    master,
                    source: "BEIAN_MASTER_KEY".into(),
                },
                false,
            ));
        }
        let path: PathBuf =
            file.map_or_else(|| data_dir.join("keys/master.key"), Path::to_path_buf);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let master = parse(text.trim())
                    .ok_or_else(|| format!("{}: 64 hex digits expected", path.display()))?;
                Ok((
                    Keys {
                        master,
                        source: path.display().to_string(),
                    },
                    false,
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut master = [0u8; 32];
                OsRng.fill_bytes(&mut master);
                write_new(&path, &hex::encode(master))?;
                Ok((
                    Keys {
                        master,
                        source: path.display().to_string(),
                    },
                    true,
                ))
            }
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// A key for `purpose` alone.
    pub fn derive(&self, purpose: &str) -> Vec<u8> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.master).expect("HMAC takes any key");
        mac.update(b"beian key v1\x1f");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The key that wraps the database's data keys (`beian_store::vault`), with this
    /// master key's id.
    pub fn data_key_wrap(&self) -> beian_store::vault::MasterKey {
        let mut wrap = [0u8; 32];
        wrap.copy_from_slice(&self.derive("data key wrapping"));
        beian_store::vault::MasterKey {
            id: self.id(),
            wrap,
        }
    }

    /// A short public id of the master key (a hash of a derived key): stored beside data
    /// so a database and a key can be told to belong together, without revealing the key.
    pub fn id(&self) -> String {
        hex::encode(&self.derive("key id")[..8])
    }
}

fn parse(h: &str) -> Option<[u8; 32]> {
    hex::decode(h).ok()?.try_into().ok()
}

fn write_new(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(format!("{text}\n").as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_generated_once_kept_and_derived_apart() {
        let dir = std::env::temp_dir().join(format!("beian-keys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (a, created) = Keys::load(None, None, &dir).unwrap();
        assert!(created);
        let (b, created) = Keys::load(None, None, &dir).unwrap();
        assert!(!created, "kept, not generated again");
        assert_eq!(a.derive("sms code"), b.derive("sms code"));
        assert_ne!(a.derive("sms code"), a.derive("blind index"));
        assert_eq!(a.id(), b.id());
        assert!(!format!("{a:?}").contains(&hex::encode(a.master)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("keys/master.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "only the owner reads the key");
        }
        let (env, _) = Keys::load(Some(&"ab".repeat(32)), None, &dir).unwrap();
        assert_ne!(env.id(), a.id());
        assert!(Keys::load(Some("not hex"), None, &dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
