//! Finds the face detection model that ships inside the `rustface` package, so the binary
//! embeds it (`include_bytes!`) and never downloads anything at run time.

use std::path::{Path, PathBuf};
use std::process::Command;

const MODEL: &str = "model/seeta_fd_frontal_v1.0.bin";

/// Where cargo says the package is. Needs every package of the workspace on disk
/// (`--offline`: a build script must not download), which is not so on a fresh machine
/// before the dev-dependencies were fetched; then [`from_registry`] answers.
fn from_metadata() -> Option<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = std::env::var("CARGO_MANIFEST_DIR").ok()?;
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(manifest)
        .output()
        .ok()?;
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    meta["packages"].as_array()?.iter().find_map(|p| {
        (p["name"] == "rustface").then(|| {
            PathBuf::from(p["manifest_path"].as_str().unwrap_or_default())
                .parent()
                .map(|d| d.join(MODEL))
        })?
    })
}

/// The version of `rustface` in the workspace's lock file.
fn locked_version(manifest: &Path) -> Option<String> {
    let lock = std::fs::read_to_string(manifest.join("../../Cargo.lock")).ok()?;
    let mut lines = lock.lines();
    lines.find(|l| l.trim() == "name = \"rustface\"")?;
    let version = lines.next()?.trim().strip_prefix("version = \"")?;
    Some(version.trim_end_matches('"').to_string())
}

/// The unpacked crates.io sources (`$CARGO_HOME/registry/src/<index>/rustface-<version>`):
/// cargo has fetched the package before it runs this script, since the crate depends on it.
fn from_registry() -> Option<PathBuf> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").ok()?);
    let version = locked_version(&manifest)?;
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    std::fs::read_dir(home.join("registry/src"))
        .ok()?
        .filter_map(Result::ok)
        .map(|index| index.path().join(format!("rustface-{version}")).join(MODEL))
        .find(|p| p.is_file())
}

fn main() {
    let path = from_metadata()
        .filter(|p| p.is_file())
        .or_else(from_registry)
        .expect("the rustface package (a dependency) ships model/seeta_fd_frontal_v1.0.bin");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-env=BEIAN_FACE_MODEL={}", path.display());
}
