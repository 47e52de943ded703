//! `beian backup FILE` and `beian restore FILE --data-dir DIR` for SQLite deployments.
//!
//! The archive is a plain tar: `beian.db` (a consistent copy taken with `VACUUM INTO`
//! while the server keeps running), the uploads under `media/`, the holiday notices under
//! `reference/`, and `manifest.json` last, naming the format and the database's SHA-256.
//! The database is copied first and the uploads after: an upload's file is written before
//! its row, so every upload the copied database names is in the archive.
//! PostgreSQL deployments use `pg_dump` and their bucket instead (README).

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};

/// The format written into, and expected from, `manifest.json`.
const FORMAT: &str = "beian-backup/1";
/// The data directory's folders an archive carries besides the database.
const FOLDERS: [&str; 2] = ["media", "reference"];

#[derive(serde::Serialize, serde::Deserialize)]
struct Manifest {
    format: String,
    created_at: String,
    database_sha256: String,
    files: usize,
}

fn sha256_of(path: &Path) -> Result<String, String> {
    let mut reader =
        BufReader::new(File::open(path).map_err(|e| format!("{}: {e}", path.display()))?);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}

/// Every file below `dir`, as paths relative to `root`, sorted.
fn files_below(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            files_below(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_path_buf());
        }
    }
    out.sort();
    Ok(())
}

/// Writes the archive of `data_dir` (database at `db_url`) to `file`, atomically: a
/// partial archive never has the final name.
pub async fn backup(data_dir: &Path, db_url: &str, file: &Path) -> Result<String, String> {
    if !data_dir.join("beian.db").is_file() {
        return Err(format!(
            "{} 中没有 beian.db / no SQLite database in {}",
            data_dir.display(),
            data_dir.display()
        ));
    }
    let staging = file.with_extension(format!("partial-{}", std::process::id()));
    std::fs::create_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    let result = write_archive(data_dir, db_url, file, &staging).await;
    let _ = std::fs::remove_dir_all(&staging);
    result
}

async fn write_archive(
    data_dir: &Path,
    db_url: &str,
    file: &Path,
    staging: &Path,
) -> Result<String, String> {
    let copy = staging.join("beian.db");
    beian_store::SqlStore::backup_sqlite(db_url, &copy)
        .await
        .map_err(|e| format!("数据库备份失败 / database copy failed: {e}"))?;
    let database_sha256 = sha256_of(&copy)?;
    let mut files = vec![];
    for folder in FOLDERS {
        files_below(data_dir, &data_dir.join(folder), &mut files)?;
    }
    let partial = staging.join("archive.tar");
    let out = File::create(&partial).map_err(|e| format!("{}: {e}", partial.display()))?;
    let mut tar = tar::Builder::new(BufWriter::new(out));
    tar.append_path_with_name(&copy, "beian.db")
        .map_err(|e| e.to_string())?;
    for rel in &files {
        tar.append_path_with_name(data_dir.join(rel), rel)
            .map_err(|e| format!("{}: {e}", rel.display()))?;
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: chrono::Utc::now().to_rfc3339(),
        database_sha256: database_sha256.clone(),
        files: files.len(),
    };
    let body = serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?;
    let mut header = tar::Header::new_gnu();
    header.set_size(body.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, "manifest.json", body.as_slice())
        .map_err(|e| e.to_string())?;
    let writer = tar.into_inner().map_err(|e| e.to_string())?;
    writer
        .into_inner()
        .map_err(|e| e.to_string())?
        .sync_all()
        .map_err(|e| e.to_string())?;
    std::fs::rename(&partial, file).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(format!(
        "备份完成 / backup written: {} (database sha256 {}, {} files)",
        file.display(),
        &database_sha256[..16],
        files.len()
    ))
}

/// Restores `file` into `data_dir`, which must hold no database yet. The archive is
/// unpacked into a staging folder and checked against its manifest first, so a damaged
/// archive leaves `data_dir` as it was.
pub fn restore(file: &Path, data_dir: &Path) -> Result<String, String> {
    if data_dir.join("beian.db").exists() {
        return Err(format!(
            "{} 已有数据库，恢复不会覆盖 / {} already holds a database; restore into an empty directory",
            data_dir.display(),
            data_dir.display()
        ));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let staging = data_dir.join(format!(".restore-{}", std::process::id()));
    let result = unpack_checked(file, &staging).and_then(|m| {
        for entry in std::fs::read_dir(&staging).map_err(|e| e.to_string())? {
            let entry = entry.map_err(|e| e.to_string())?;
            if entry.file_name() == "manifest.json" {
                continue;
            }
            let to = data_dir.join(entry.file_name());
            if to.exists() {
                return Err(format!("{} 已存在 / already exists", to.display()));
            }
            std::fs::rename(entry.path(), &to).map_err(|e| format!("{}: {e}", to.display()))?;
        }
        Ok(format!(
            "恢复完成 / restored into {} (backup of {}, {} files)",
            data_dir.display(),
            m.created_at,
            m.files
        ))
    });
    let _ = std::fs::remove_dir_all(&staging);
    result
}

fn unpack_checked(file: &Path, staging: &Path) -> Result<Manifest, String> {
    let damaged = |why: String| format!("备份文件无效 / not a usable beian backup: {why}");
    let archive = File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    // `unpack` keeps every entry inside `staging` (no absolute paths, no `..`).
    tar::Archive::new(BufReader::new(archive))
        .unpack(staging)
        .map_err(|e| damaged(e.to_string()))?;
    let manifest: Manifest = std::fs::read(staging.join("manifest.json"))
        .map_err(|e| damaged(format!("manifest.json: {e}")))
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| damaged(e.to_string())))?;
    if manifest.format != FORMAT {
        return Err(damaged(format!("unknown format {}", manifest.format)));
    }
    let sha = sha256_of(&staging.join("beian.db")).map_err(damaged)?;
    if sha != manifest.database_sha256 {
        return Err(damaged("beian.db does not match its manifest".into()));
    }
    let mut files = vec![];
    for folder in FOLDERS {
        files_below(staging, &staging.join(folder), &mut files)?;
    }
    if files.len() != manifest.files {
        return Err(damaged(format!(
            "{} files, the manifest names {}",
            files.len(),
            manifest.files
        )));
    }
    Ok(manifest)
}
