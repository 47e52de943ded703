//! The cost of the photo checks per upload: decode, EXIF orientation, downscale, sharpness,
//! exposure, colour and — for face captures — face detection with the bundled model.
//! The face case needs the sample photograph (`BEIAN_FACE_SAMPLE`, see
//! scripts/test-assets.sh) and is skipped without it.

use beian_domain::media::MediaPolicy;
use beian_server::photo::{analyse, portrait_on_white, sample_document, Requirements};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn photo_checks(c: &mut Criterion) {
    let policy = MediaPolicy::default();
    let licence = sample_document(1100, 1500);
    let req = Requirements {
        min_resolution: (1100, 1500),
        colour: true,
        face: false,
    };
    c.bench_function("document checks, 1100×1500 PNG", |b| {
        b.iter(|| analyse(black_box(&licence), req, &policy).map(|a| a.checks.len()))
    });
    let source = std::env::var("BEIAN_FACE_SAMPLE")
        .ok()
        .and_then(|p| std::fs::read(p).ok());
    if let Some(face) = source.as_deref().and_then(portrait_on_white) {
        let req = Requirements {
            min_resolution: (480, 640),
            colour: true,
            face: true,
        };
        c.bench_function("face capture checks, 600×800 PNG", |b| {
            b.iter(|| analyse(black_box(&face), req, &policy).map(|a| a.faces.len()))
        });
    }
}

criterion_group!(benches, photo_checks);
criterion_main!(benches);
