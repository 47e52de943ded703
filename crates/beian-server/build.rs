//! Finds the face detection model that ships inside the `rustface` package, so the binary
//! embeds it (`include_bytes!`) and never downloads anything at run time.

use std::path::PathBuf;
use std::process::Command;

const MODEL: &str = "model/seeta_fd_frontal_v1.0.bin";

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

fn main() {
    let path = from_metadata()
        .filter(|p| p.is_file())
        .expect("the rustface package (a dependency) ships model/seeta_fd_frontal_v1.0.bin");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-env=BEIAN_FACE_MODEL={}", path.display());
}
