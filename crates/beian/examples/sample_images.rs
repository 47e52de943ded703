//! Writes the sample images the README walk-through and the browser tests upload:
//! colour "scans" that pass the photo checks, and a face capture made from a real
//! photograph (`cargo run -p beian --example sample_images -- DIR FACE_SOURCE`, where
//! FACE_SOURCE is the path `scripts/test-assets.sh` prints).

use beian_server::photo::{portrait_on_white, sample_document};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: sample_images DIR FACE_SOURCE")?);
    let source = std::fs::read(args.next().ok_or("usage: sample_images DIR FACE_SOURCE")?)?;
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("licence.png"), sample_document(1100, 1500))?;
    std::fs::write(dir.join("id.png"), sample_document(720, 1280))?;
    std::fs::write(dir.join("form.png"), sample_document(720, 1280))?;
    let face = portrait_on_white(&source).ok_or("the face source must show exactly one face")?;
    std::fs::write(dir.join("face.png"), face)?;
    Ok(())
}
