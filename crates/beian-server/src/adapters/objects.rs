//! Where uploaded files live: an `object_store` bucket, content-addressed: sealed under a
//! keyed name (`put_sealed`, sealed.rs), or, for files from before sealing, by sha256.
//!
//! The local file system (`<data-dir>/media`) by default; any S3-compatible service when
//! `BEIAN_S3_BUCKET` is set, so several `beian serve` processes share one bucket.

use crate::config::{ObjectStoreConfig, Secret};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use std::path::Path;
use std::sync::Arc;

/// Builds the store the configuration names.
pub fn build(config: &ObjectStoreConfig, data_dir: &Path) -> Result<Arc<dyn ObjectStore>, String> {
    match config {
        ObjectStoreConfig::Local => {
            let dir = data_dir.join("media");
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let fs = LocalFileSystem::new_with_prefix(&dir).map_err(|e| e.to_string())?;
            Ok(Arc::new(fs))
        }
        ObjectStoreConfig::S3 {
            bucket,
            region,
            endpoint,
            access_key_id,
            secret_access_key,
            allow_http,
        } => {
            let mut b = object_store::aws::AmazonS3Builder::new()
                .with_bucket_name(bucket)
                .with_allow_http(*allow_http);
            if let Some(r) = region {
                b = b.with_region(r);
            }
            if let Some(e) = endpoint {
                b = b.with_endpoint(e);
            }
            if let Some(k) = access_key_id {
                b = b.with_access_key_id(k);
            }
            if let Some(Secret(s)) = secret_access_key {
                b = b.with_secret_access_key(s);
            }
            Ok(Arc::new(b.build().map_err(|e| e.to_string())?))
        }
    }
}

/// The object key of a file: its sha256 in hex; no client-supplied name reaches a key.
fn key(sha256: &str) -> ObjectPath {
    ObjectPath::from(sha256)
}

/// Stores the bytes under their hash unless they are already there. Content addressing
/// makes a concurrent duplicate write harmless: both writers store the same bytes.
pub async fn put(
    store: &dyn ObjectStore,
    sha256: &str,
    bytes: Vec<u8>,
) -> object_store::Result<()> {
    if store.head(&key(sha256)).await.is_ok() {
        return Ok(());
    }
    create(store, sha256, bytes).await
}

/// Writes `name` unless another writer got there first (the same content either way).
async fn create(store: &dyn ObjectStore, name: &str, bytes: Vec<u8>) -> object_store::Result<()> {
    let opts = PutOptions {
        mode: PutMode::Create,
        ..PutOptions::default()
    };
    match store
        .put_opts(&key(name), PutPayload::from(bytes), opts)
        .await
    {
        Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
        // Stores without conditional writes: a plain put of the same content is as good.
        Err(object_store::Error::NotImplemented { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The bytes stored under a hash.
pub async fn get(store: &dyn ObjectStore, sha256: &str) -> object_store::Result<Vec<u8>> {
    Ok(store.get(&key(sha256)).await?.bytes().await?.to_vec())
}

/// Seals `bytes` (content hash `sha256`) and stores them under their keyed name
/// (sealed.rs), unless that name is there already.
pub async fn put_sealed(
    store: &dyn ObjectStore,
    sealer: &super::sealed::Sealer,
    sha256: &str,
    bytes: &[u8],
) -> object_store::Result<()> {
    let name = sealer.name(sha256);
    // Looked for first, so content already stored is not encrypted again.
    if store.head(&key(&name)).await.is_ok() {
        return Ok(());
    }
    create(store, &name, sealer.seal(&name, bytes)).await
}

/// The plain bytes of the upload with content hash `sha256`: sealed under its keyed
/// name, or, written before sealing, in clear under the hash itself.
pub async fn get_sealed(
    store: &dyn ObjectStore,
    sealer: &super::sealed::Sealer,
    sha256: &str,
) -> Result<Vec<u8>, String> {
    let name = sealer.name(sha256);
    match get(store, &name).await {
        Ok(sealed) => sealer
            .open(&name, &sealed)
            .map_err(|e| format!("{name}: {e}")),
        Err(object_store::Error::NotFound { .. }) => {
            get(store, sha256).await.map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Deletes the upload with content hash `sha256`: its sealed object, and the copy in
/// clear from before sealing if any. Deleting what is not there is no error, so two
/// processes erasing the same upload both succeed.
pub async fn delete_sealed(
    store: &dyn ObjectStore,
    sealer: &super::sealed::Sealer,
    sha256: &str,
) -> object_store::Result<()> {
    for name in [sealer.name(sha256), sha256.to_string()] {
        match store.delete(&key(&name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::keys::Keys;
    use crate::adapters::sealed::Sealer;
    use object_store::memory::InMemory;

    #[tokio::test]
    async fn sealed_uploads_and_uploads_from_before_sealing_both_read_back() {
        let keys = Keys::load(Some(&"33".repeat(32)), None, Path::new("/nonexistent"))
            .unwrap()
            .0;
        let sealer = Sealer::new(&keys);
        let store = InMemory::new();
        put(&store, "legacy-sha", b"old plain upload".to_vec())
            .await
            .unwrap();
        assert_eq!(
            get_sealed(&store, &sealer, "legacy-sha").await.unwrap(),
            b"old plain upload"
        );
        put_sealed(&store, &sealer, "new-sha", b"new upload")
            .await
            .unwrap();
        assert!(get(&store, "new-sha").await.is_err(), "not under its hash");
        assert_eq!(
            get_sealed(&store, &sealer, "new-sha").await.unwrap(),
            b"new upload"
        );
        let raw = get(&store, &sealer.name("new-sha")).await.unwrap();
        assert!(!raw.windows(10).any(|w| w == b"new upload"));
    }
}
