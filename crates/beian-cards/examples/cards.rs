//! Writes the cards of a few seeds under every variant into a directory, with timings:
//! `cargo run --release -p beian-cards --example cards -- OUT_DIR [FIRST_SEED] [COUNT]`.

use std::time::Instant;

use beian_domain::media::{colour_spread, exposure, laplacian_variance, luma};
use image::imageops::{resize, FilterType};

use beian_cards::{encode, id_back, id_front, licence, Business, Identity, Variant};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "cards".to_owned());
    let first: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let count: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(3);
    std::fs::create_dir_all(&dir)?;
    // The font is read once; keep that out of the per-card timings.
    let _ = id_back(&Identity::random(0));
    for seed in first..first + count {
        let p = Identity::random(seed);
        let b = Business::random(seed);
        println!("{}", serde_json::to_string(&p).unwrap_or_default());
        println!("{}", serde_json::to_string(&b).unwrap_or_default());
        for (card, draw) in [
            (
                "id_front",
                &(|| id_front(&p)) as &dyn Fn() -> image::RgbImage,
            ),
            ("id_back", &|| id_back(&p)),
            ("licence", &|| licence(&b)),
        ] {
            for v in Variant::ALL {
                let start = Instant::now();
                let img = draw();
                let drawn = start.elapsed();
                let bytes = encode(&img, v, seed);
                let total = start.elapsed();
                let name = format!("{dir}/{seed}_{card}_{}.{}", v.name(), v.extension());
                std::fs::write(&name, &bytes)?;
                let (spread, mean, sharp) = measure(&bytes);
                println!(
                    "{name}: {} bytes, draw {:.1} ms, draw+encode {:.1} ms, \
                     colour {spread:.1}, luma {mean:.0}, sharpness {sharp:.0}",
                    bytes.len(),
                    drawn.as_secs_f64() * 1e3,
                    total.as_secs_f64() * 1e3
                );
            }
        }
    }
    Ok(())
}

/// The upload checks' measures of the decoded file: colour spread, mean luma, and the
/// Laplacian variance at 640 px on the longest side.
fn measure(bytes: &[u8]) -> (f64, f64, f64) {
    let Ok(img) = image::load_from_memory(bytes) else {
        return (0.0, 0.0, 0.0);
    };
    let rgb = img.to_rgb8();
    let grey = img.to_luma8();
    let (w, h) = grey.dimensions();
    let scale = 640.0 / f64::from(w.max(h));
    let (sw, sh) = (
        (f64::from(w) * scale).round() as u32,
        (f64::from(h) * scale).round() as u32,
    );
    let grey = image::GrayImage::from_raw(w, h, luma(rgb.as_raw())).unwrap_or(grey);
    let small = resize(&grey, sw, sh, FilterType::Triangle);
    (
        colour_spread(rgb.as_raw()),
        exposure(&luma(rgb.as_raw())).0,
        laplacian_variance(small.as_raw(), sw as usize, sh as usize),
    )
}
