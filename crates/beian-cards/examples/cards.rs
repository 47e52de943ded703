//! Writes the cards of a few seeds under every variant into a directory, with timings:
//! `cargo run --release -p beian-cards --example cards -- OUT_DIR [FIRST_SEED] [COUNT]`.

use std::time::Instant;

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
                println!(
                    "{name}: {} bytes, draw {:.1} ms, draw+encode {:.1} ms",
                    bytes.len(),
                    drawn.as_secs_f64() * 1e3,
                    total.as_secs_f64() * 1e3
                );
            }
        }
    }
    Ok(())
}
