//! `beian keys rotate`: every data key of the database wrapped again under the master
//! key, read with the previous one; then the new key recorded as the database's.
//!
//! The steps of a rotation (README "Rotating the master key"): start the servers with
//! the new key and `BEIAN_PREVIOUS_MASTER_KEY[_FILE]` (they read both), run this, then
//! drop the previous key. Batches are transactions of their own: interrupted, it goes
//! on where it stopped; run twice, the second finds nothing to do.

use beian_server::config::Config;
use std::io::IsTerminal;
use std::sync::Arc;

/// Data keys per transaction.
const BATCH: i64 = 500;

pub async fn rotate(config: &Config) -> Result<String, String> {
    if config.security.previous_master_key.is_none()
        && config.security.previous_master_key_file.is_none()
    {
        return Err(
            "轮换需要旧主密钥 / set BEIAN_PREVIOUS_MASTER_KEY or BEIAN_PREVIOUS_MASTER_KEY_FILE \
             to the key being replaced, and BEIAN_MASTER_KEY[_FILE] to the new one"
                .into(),
        );
    }
    let store = beian_server::startup::open_store(config)
        .await
        .map_err(|e| format!("数据库 / database: {e}"))?;
    let store = Arc::new(store);
    // Checks the keys against the database and keeps its secrets before they move.
    beian_server::startup::open_state(config, store.clone())
        .await
        .map_err(|e| e.to_string())?;
    let total = store.keys_to_rotate().await.map_err(|e| e.to_string())?;
    let bar = crate::progress::bar(total, "data keys", std::io::stderr().is_terminal());
    let mut done = 0;
    loop {
        let n = store.rotate_keys(BATCH).await.map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        done += n;
        bar.inc(n);
    }
    bar.finish_and_clear();
    let left = store.adopt_master_key().await.map_err(|e| e.to_string())?;
    if left > 0 {
        return Err(format!(
            "仍有 {left} 个数据密钥由旧主密钥包装（另一进程正在写入？）请再运行一次 / \
             {left} data keys are still wrapped by another key (written meanwhile?): run again"
        ));
    }
    Ok(format!(
        "密钥轮换完成 / rotated: {done} data keys wrapped again under the master key; \
         the previous key is no longer needed once every server runs with the new one"
    ))
}
