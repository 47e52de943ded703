//! Certificate-like test images with real CJK text, for testing OCR.
//!
//! [`Identity::random`] and [`Business::random`] make random but valid people and companies
//! (resident ID numbers and credit codes pass `beian_domain::ids`), [`id_front`], [`id_back`]
//! and [`licence`] draw them in the layouts of a resident identity card and a business
//! licence, and [`encode`] turns a card into file bytes under a [`Variant`] (clean, slightly
//! rotated, JPEG, blurred, upside down). Everything is deterministic from a `u64` seed; no
//! data is downloaded and no real person's document is reproduced (names are drawn from
//! common characters; the emblem and portrait are placeholders).
//!
//! The text is set in the CJK font found among `beian_pdf::FONT_CANDIDATES`
//! (`fonts-wqy-microhei`); drawing panics when none is installed.

mod cards;
mod draw;
mod people;

use image::{ImageEncoder, Rgb, RgbImage};
use rand::Rng;

pub use cards::{id_back, id_front, licence, ID_SIZE, LICENCE_SIZE};
pub use people::{Business, Identity};

/// How a card is degraded before encoding, as uploads are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Variant {
    /// PNG, as drawn.
    Clean,
    /// Rotated 3–5° either way about the centre, PNG.
    Rotated,
    /// JPEG at quality 60.
    Jpeg60,
    /// Mild Gaussian blur (σ = 1.0), PNG.
    Blur,
    /// Rotated 180°, PNG.
    UpsideDown,
}

impl Variant {
    /// Every variant, in declaration order.
    pub const ALL: [Variant; 5] = [
        Variant::Clean,
        Variant::Rotated,
        Variant::Jpeg60,
        Variant::Blur,
        Variant::UpsideDown,
    ];

    /// A short lower-case name (for file names).
    pub fn name(self) -> &'static str {
        match self {
            Variant::Clean => "clean",
            Variant::Rotated => "rotated",
            Variant::Jpeg60 => "jpeg60",
            Variant::Blur => "blur",
            Variant::UpsideDown => "upside-down",
        }
    }

    /// The file extension of [`encode`]'s output for this variant.
    pub fn extension(self) -> &'static str {
        match self {
            Variant::Jpeg60 => "jpg",
            _ => "png",
        }
    }
}

/// Encoded file bytes of the image under a variant: `Clean` → PNG; `Rotated` → rotated by
/// ±(3..=5)° (sign and angle from `seed`) about the centre, same canvas size, corners
/// filled with the background colour, PNG; `Jpeg60` → JPEG quality 60; `Blur` → Gaussian
/// blur σ = 1.0, PNG; `UpsideDown` → rotated 180°, PNG.
pub fn encode(img: &RgbImage, v: Variant, seed: u64) -> Vec<u8> {
    match v {
        Variant::Clean => png(img),
        Variant::Rotated => png(&rotate(img, rotation_degrees(seed))),
        Variant::Jpeg60 => jpeg(img, 60),
        Variant::Blur => png(&image::imageops::blur(img, 1.0)),
        Variant::UpsideDown => png(&image::imageops::rotate180(img)),
    }
}

/// The angle [`Variant::Rotated`] turns by for `seed`: 3–5° either way (positive is
/// clockwise on screen).
pub fn rotation_degrees(seed: u64) -> f32 {
    let mut rng = people::rng(seed, 3);
    let angle: f32 = rng.gen_range(3.0..=5.0);
    if rng.gen_bool(0.5) {
        angle
    } else {
        -angle
    }
}

fn png(img: &RgbImage) -> Vec<u8> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Default, FilterType::Adaptive)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("PNG encoding into memory does not fail");
    out
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("JPEG encoding into memory does not fail");
    out
}

/// The average of the four corner pixels: the card's background where it meets the edge.
fn corner_colour(img: &RgbImage) -> [f32; 3] {
    let (w, h) = img.dimensions();
    let corners = [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)];
    let mut sum = [0.0f32; 3];
    for (x, y) in corners {
        let Rgb(p) = img.get_pixel(x, y);
        for (s, v) in sum.iter_mut().zip(p) {
            *s += f32::from(*v) / 4.0;
        }
    }
    sum
}

/// `img` turned by `degrees` about its centre on a canvas of the same size (bilinear
/// sampling); what comes in from outside is the background colour.
fn rotate(img: &RgbImage, degrees: f32) -> RgbImage {
    let (w, h) = img.dimensions();
    let background = corner_colour(img);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = ((w as f32 - 1.0) / 2.0, (h as f32 - 1.0) / 2.0);
    let raw = img.as_raw();
    let (wi, hi) = (i64::from(w), i64::from(h));
    let at = |x: i64, y: i64| -> [f32; 3] {
        if x < 0 || y < 0 || x >= wi || y >= hi {
            background
        } else {
            let i = 3 * (y * wi + x) as usize;
            [raw[i], raw[i + 1], raw[i + 2]].map(f32::from)
        }
    };
    let mut out = RgbImage::new(w, h);
    for (y, row) in out.as_mut().chunks_exact_mut(3 * w as usize).enumerate() {
        let dy = y as f32 - cy;
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            // Inverse mapping: where in the source this output pixel comes from.
            let dx = x as f32 - cx;
            let sx = cos * dx + sin * dy + cx;
            let sy = -sin * dx + cos * dy + cy;
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as i64, y0 as i64);
            let (p00, p10) = (at(x0, y0), at(x0 + 1, y0));
            let (p01, p11) = (at(x0, y0 + 1), at(x0 + 1, y0 + 1));
            for (i, v) in px.iter_mut().enumerate() {
                let top = p00[i] * (1.0 - fx) + p10[i] * fx;
                let bottom = p01[i] * (1.0 - fx) + p11[i] * fx;
                *v = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use beian_domain::media::{exposure, laplacian_variance, luma};

    const MAX_BYTES: usize = 2 * 1024 * 1024;

    fn cards(seed: u64) -> Vec<(&'static str, RgbImage)> {
        let p = Identity::random(seed);
        let b = Business::random(seed);
        vec![
            ("id_front", id_front(&p)),
            ("id_back", id_back(&p)),
            ("licence", licence(&b)),
        ]
    }

    fn colour_spread(img: &RgbImage) -> f64 {
        let total: u64 = img
            .pixels()
            .map(|Rgb(p)| u64::from(p.iter().max().unwrap() - p.iter().min().unwrap()))
            .sum();
        total as f64 / f64::from(img.width() * img.height())
    }

    /// Laplacian variance of the luma scaled so that the longest side is 640 px.
    fn sharpness(img: &RgbImage) -> f64 {
        let grey =
            image::GrayImage::from_raw(img.width(), img.height(), luma(img.as_raw())).unwrap();
        let scale = 640.0 / f64::from(img.width().max(img.height()));
        let (w, h) = (
            (f64::from(img.width()) * scale).round() as u32,
            (f64::from(img.height()) * scale).round() as u32,
        );
        let small = image::imageops::resize(&grey, w, h, image::imageops::FilterType::Triangle);
        laplacian_variance(small.as_raw(), w as usize, h as usize)
    }

    #[test]
    fn every_variant_of_every_card_meets_the_upload_checks() {
        for seed in [1, 42] {
            for (card, img) in cards(seed) {
                let size = img.dimensions();
                for v in Variant::ALL {
                    let bytes = encode(&img, v, seed);
                    let what = format!("{card} seed {seed} {}", v.name());
                    assert!(bytes.len() <= MAX_BYTES, "{what}: {} bytes", bytes.len());
                    let decoded = image::load_from_memory(&bytes).unwrap().to_rgb8();
                    assert_eq!(decoded.dimensions(), size, "{what}");
                    let spread = colour_spread(&decoded);
                    assert!(spread >= 6.0, "{what}: colour spread {spread:.1}");
                    let (mean, _) = exposure(&luma(decoded.as_raw()));
                    assert!(
                        (60.0..=230.0).contains(&mean),
                        "{what}: mean luma {mean:.1}"
                    );
                    if matches!(v, Variant::Clean | Variant::Blur) {
                        let sharp = sharpness(&decoded);
                        assert!(sharp >= 150.0, "{what}: sharpness {sharp:.0}");
                    }
                }
            }
        }
    }

    #[test]
    fn sizes_are_as_documented() {
        for (card, img) in cards(3) {
            let expected = if card == "licence" {
                LICENCE_SIZE
            } else {
                ID_SIZE
            };
            assert_eq!(img.dimensions(), expected, "{card}");
        }
    }

    #[test]
    fn same_seed_same_bytes() {
        for ((card, a), (_, b)) in cards(9).into_iter().zip(cards(9)) {
            for v in Variant::ALL {
                assert_eq!(encode(&a, v, 9), encode(&b, v, 9), "{card} {}", v.name());
            }
        }
        assert_ne!(
            encode(&id_front(&Identity::random(9)), Variant::Clean, 9),
            encode(&id_front(&Identity::random(10)), Variant::Clean, 10)
        );
    }

    #[test]
    fn rotation_is_three_to_five_degrees_either_way() {
        let angles: Vec<f32> = (0..200).map(rotation_degrees).collect();
        assert!(angles.iter().all(|a| (3.0..=5.0).contains(&a.abs())));
        assert!(angles.iter().any(|a| *a > 0.0) && angles.iter().any(|a| *a < 0.0));
    }

    #[test]
    fn rotated_corners_take_the_background_and_upside_down_is_a_half_turn() {
        let img = licence(&Business::random(5));
        let turned = image::load_from_memory(&encode(&img, Variant::Rotated, 5))
            .unwrap()
            .to_rgb8();
        let background = corner_colour(&img).map(|v| v.round() as i32);
        let corner = turned.get_pixel(0, 0).0.map(i32::from);
        for (c, b) in corner.iter().zip(background) {
            assert!((c - b).abs() <= 2, "{corner:?} vs {background:?}");
        }
        let flipped = image::load_from_memory(&encode(&img, Variant::UpsideDown, 5))
            .unwrap()
            .to_rgb8();
        let (w, h) = img.dimensions();
        assert_eq!(flipped.get_pixel(0, 0), img.get_pixel(w - 1, h - 1));
        assert_eq!(
            flipped.get_pixel(w / 3, h / 4),
            img.get_pixel(w - 1 - w / 3, h - 1 - h / 4)
        );
    }

    #[test]
    fn jpeg_is_jpeg_and_the_rest_png() {
        let img = id_back(&Identity::random(2));
        for v in Variant::ALL {
            let bytes = encode(&img, v, 2);
            let format = image::guess_format(&bytes).unwrap();
            let expected = if v == Variant::Jpeg60 {
                image::ImageFormat::Jpeg
            } else {
                image::ImageFormat::Png
            };
            assert_eq!(format, expected, "{}", v.name());
            assert_eq!(
                v.extension(),
                if v == Variant::Jpeg60 { "jpg" } else { "png" }
            );
        }
    }
}
