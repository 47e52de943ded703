//! Decoding and measuring one uploaded photo (§10): the I/O-free but image-crate-bound half
//! of the checks. Decoding honours EXIF orientation and refuses decompression bombs; the
//! measurements themselves are `beian_domain::media`.

use beian_domain::media::{self, Check, FaceBox, Frame, MediaPolicy};
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use std::io::Cursor;
use std::sync::OnceLock;

/// Largest image accepted, in pixels: 40 MP is beyond any phone camera's JPEG, and its
/// RGBA decode (160 MB) stays inside `MAX_ALLOC`.
pub const MAX_PIXELS: u64 = 40_000_000;
/// Memory the decoder may allocate for one image.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// The SeetaFace frontal model shipped inside the `rustface` package (see build.rs).
static MODEL_BYTES: &[u8] = include_bytes!(env!("BEIAN_FACE_MODEL"));

fn model() -> &'static rustface::Model {
    static MODEL: OnceLock<rustface::Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        // The bytes are compiled in; a read failure is a build defect caught by the tests.
        rustface::read_model(MODEL_BYTES).expect("embedded face model")
    })
}

/// Why an image can never be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Undecodable, truncated or corrupt.
    Undecodable,
    /// Declares more pixels than [`MAX_PIXELS`] (a decompression bomb or a huge scan).
    TooManyPixels,
    /// Decodes, but the file stops before its end marker (cut off in transit).
    Truncated,
}

/// What the checks found.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Displayed size, after EXIF orientation.
    pub width: u32,
    pub height: u32,
    pub checks: Vec<Check>,
    /// For face photos: the faces the detector found (measured frame coordinates).
    pub faces: Vec<FaceBox>,
}

/// What a purpose asks of a photo.
#[derive(Debug, Clone, Copy)]
pub struct Requirements {
    /// Minimum (short, long) side.
    pub min_resolution: (u32, u32),
    /// Colour required (§10.1).
    pub colour: bool,
    /// A face capture (§10.2) rather than a document.
    pub face: bool,
}

/// A decoder's error as a refusal: its memory limit is the decompression-bomb guard.
fn refusal(e: image::ImageError) -> Refusal {
    match e {
        image::ImageError::Limits(_) => Refusal::TooManyPixels,
        _ => Refusal::Undecodable,
    }
}

/// Whether the file ends as its format requires. Decoders fill a cut-off image
/// with grey and report success, so a truncated upload would pass every check;
/// the end marker says the whole file arrived.
///
/// - JPEG: an end-of-image marker (`FF D9`) after the last start-of-scan
///   (`FF DA`). Inside entropy-coded data a literal `FF` is stuffed as `FF 00`,
///   so neither marker appears there by accident; a thumbnail's end marker sits
///   before the main scan and does not count.
/// - PNG: an `IEND` chunk.
pub fn complete(bytes: &[u8]) -> bool {
    let find_last = |marker: &[u8]| bytes.windows(marker.len()).rposition(|w| w == marker);
    if bytes.starts_with(&[0xFF, 0xD8]) {
        match (find_last(&[0xFF, 0xDA]), find_last(&[0xFF, 0xD9])) {
            (Some(sos), Some(eoi)) => eoi > sos,
            _ => false,
        }
    } else if bytes.starts_with(b"\x89PNG") {
        find_last(b"IEND").is_some()
    } else {
        true
    }
}

/// Decodes under limits and applies the EXIF orientation.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, Refusal> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Refusal::Undecodable)?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = reader;
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    // The header's size is checked before a single pixel is inflated.
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(Refusal::TooManyPixels);
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// Downscales to the measuring size (never up) and returns RGB pixels.
fn measuring_frame(img: &DynamicImage, max_side: u32) -> (Vec<u8>, usize, usize) {
    let small = if img.width().max(img.height()) > max_side {
        img.thumbnail(max_side, max_side)
    } else {
        img.clone()
    };
    let rgb = small.to_rgb8();
    let (w, h) = (rgb.width() as usize, rgb.height() as usize);
    (rgb.into_raw(), w, h)
}

/// Faces found by the bundled SeetaFace model in a grey frame.
pub fn detect_faces(grey: &[u8], width: u32, height: u32, policy: &MediaPolicy) -> Vec<FaceBox> {
    let mut detector = rustface::create_detector_with_model(model().clone());
    detector.set_min_face_size(policy.face_min_size);
    // The library's own example values; the score cut-off is applied by the policy.
    detector.set_score_thresh(2.0);
    detector.set_pyramid_scale_factor(0.8);
    detector.set_slide_window_step(4, 4);
    let image = rustface::ImageData::new(grey, width, height);
    detector
        .detect(&image)
        .into_iter()
        .map(|f| {
            let b = f.bbox();
            FaceBox {
                x: i64::from(b.x()),
                y: i64::from(b.y()),
                width: b.width(),
                height: b.height(),
                score: f.score(),
            }
        })
        .collect()
}

/// Decodes and measures one photo.
pub fn analyse(bytes: &[u8], req: Requirements, policy: &MediaPolicy) -> Result<Analysis, Refusal> {
    if !complete(bytes) {
        return Err(Refusal::Truncated);
    }
    let img = decode(bytes)?;
    let (width, height) = (img.width(), img.height());
    let (short, long) = req.min_resolution;
    let ok = width.min(height) >= short && width.max(height) >= long;
    let mut checks = vec![Check {
        code: "MEDIA_RESOLUTION".into(),
        ok,
        message: if ok {
            "分辨率符合要求".into()
        } else {
            format!("分辨率不足：需至少{short}×{long}像素（当前{width}×{height}）")
        },
    }];
    let (rgb, w, h) = measuring_frame(&img, policy.measure_max_side);
    let frame = Frame {
        rgb: &rgb,
        width: w,
        height: h,
    };
    let mut faces = vec![];
    if req.face {
        let grey = media::luma(&rgb);
        faces = detect_faces(&grey, w as u32, h as u32, policy);
        let doc = media::document_checks(&frame, policy, req.colour);
        // A portrait on a plain wall is mostly flat: its sharpness is measured on the face,
        // and so is its exposure: the white wall it asks for is bright by design.
        checks.extend(
            doc.into_iter()
                .filter(|c| c.code != "MEDIA_BLUR" && c.code != "MEDIA_EXPOSURE"),
        );
        checks.extend(media::face_checks(&frame, &faces, policy));
    } else {
        checks.extend(media::document_checks(&frame, policy, req.colour));
    }
    Ok(Analysis {
        width,
        height,
        checks,
        faces,
    })
}

/// A stand-in colour scan that passes every document check: paper, lines of dark "print",
/// a blue header band and a red seal. Used by the demo and the tests; PNG, well under 2 MB.
pub fn sample_document(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let (cx, cy) = (i64::from(width) * 3 / 4, i64::from(height) * 3 / 4);
        let (dx, dy) = (i64::from(x) - cx, i64::from(y) - cy);
        let r = i64::from(width / 8);
        if dx * dx + dy * dy < r * r && dx * dx + dy * dy > (r - 12) * (r - 12) {
            return image::Rgb([200, 30, 35]);
        }
        if y < height / 10 {
            return image::Rgb([40, 90, 170]);
        }
        // 28-px lines of 16-px glyphs with 6-px gaps, words broken every few glyphs.
        let (line, col) = (y % 28, x % 22);
        let glyph = (x / 22 + y / 28 * 3) % 7 != 0;
        if glyph && (6..22).contains(&line) && col < 16 && ((x / 4 + y / 4) % 3 != 0) {
            image::Rgb([35, 35, 50])
        } else {
            image::Rgb([238, 234, 226])
        }
    });
    let mut out = Cursor::new(Vec::new());
    // Encoding an in-memory RGB image to PNG cannot fail.
    let _ = img.write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

/// Cuts the head and shoulders of the one face in `src` and centres them on a white
/// 600×800 canvas: a real photograph framed the way §10.2 asks. `None` when the detector
/// does not find exactly one face.
pub fn portrait_on_white(src: &[u8]) -> Option<Vec<u8>> {
    let img = decode(src).ok()?.to_rgb8();
    let policy = MediaPolicy::default();
    let grey = media::luma(img.as_raw());
    let faces: Vec<FaceBox> = detect_faces(&grey, img.width(), img.height(), &policy)
        .into_iter()
        .filter(|f| f.score >= policy.face_min_score)
        .collect();
    let [face] = faces.as_slice() else {
        return None;
    };
    let (fw, fh) = (i64::from(face.width), i64::from(face.height));
    let cx = face.x + fw / 2;
    // The region the background check leaves out: ±1 face width, from above the hair down.
    let (x0, x1) = (
        (cx - fw + 2).max(0),
        (cx + fw - 2).min(i64::from(img.width())),
    );
    let (y0, y1) = ((face.y - fh / 2).max(0), i64::from(img.height()));
    let mut canvas = image::RgbImage::from_pixel(600, 800, image::Rgb([244, 244, 242]));
    let (ox, oy) = (300 - (cx - x0), 160 - (face.y - y0));
    for y in y0..y1 {
        for x in x0..x1 {
            let (tx, ty) = (ox + x - x0, oy + y - y0);
            if (0..600).contains(&tx) && (0..800).contains(&ty) {
                canvas.put_pixel(tx as u32, ty as u32, *img.get_pixel(x as u32, y as u32));
            }
        }
    }
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(canvas)
        .write_to(&mut out, image::ImageFormat::Png)
        .ok()?;
    Some(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face_req() -> Requirements {
        Requirements {
            min_resolution: (480, 640),
            colour: true,
            face: true,
        }
    }

    #[test]
    fn the_sample_document_passes_every_check_and_is_small() {
        let png = sample_document(1100, 1500);
        assert!(png.len() < 2 * 1024 * 1024, "{} bytes", png.len());
        let req = Requirements {
            min_resolution: (1100, 1500),
            colour: true,
            face: false,
        };
        let a = analyse(&png, req, &MediaPolicy::default()).unwrap();
        assert!(a.checks.iter().all(|c| c.ok), "{:?}", a.checks);
    }

    #[test]
    fn a_blank_page_has_no_face() {
        let a = analyse(
            &sample_document(480, 640),
            face_req(),
            &MediaPolicy::default(),
        )
        .unwrap();
        let count = a.checks.iter().find(|c| c.code == "FACE_COUNT").unwrap();
        assert!(!count.ok);
    }

    #[test]
    fn a_huge_declared_size_is_refused_before_decoding() {
        // A valid PNG header declaring 100 000 × 100 000 pixels, with almost no data.
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
        // One stored (uncompressed) zlib block of 64 zero bytes, then IEND.
        let mut idat = b"IDAT".to_vec();
        idat.extend_from_slice(&[0x78, 0x01, 0x01, 64, 0, !64u8, 0xFF]);
        idat.extend_from_slice(&[0; 64]);
        idat.extend_from_slice(&1u32.to_be_bytes()[..]);
        png.extend_from_slice(&((idat.len() - 4) as u32).to_be_bytes());
        png.extend_from_slice(&idat);
        png.extend_from_slice(&crc32fast::hash(&idat).to_be_bytes());
        png.extend_from_slice(&0u32.to_be_bytes());
        png.extend_from_slice(b"IEND");
        png.extend_from_slice(&crc32fast::hash(b"IEND").to_be_bytes());
        assert_eq!(decode(&png).err(), Some(Refusal::TooManyPixels));
        assert_eq!(decode(b"not an image").err(), Some(Refusal::Undecodable));
    }

    #[test]
    fn exif_orientation_is_honoured_for_the_dimension_checks() {
        // A landscape 1280×720 JPEG whose EXIF says "rotate 90° clockwise" (orientation 6),
        // as phones store portrait shots.
        let img = image::load_from_memory(&sample_document(1280, 720)).unwrap();
        let mut jpeg = Cursor::new(Vec::new());
        img.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
        let jpeg = jpeg.into_inner();
        let mut app1 = vec![0xFF, 0xE1, 0, 34];
        app1.extend_from_slice(b"Exif\0\0MM\0\x2a\0\0\0\x08");
        app1.extend_from_slice(&[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
        let rotated = [&jpeg[..2], &app1, &jpeg[2..]].concat();
        let req = Requirements {
            min_resolution: (720, 1280),
            colour: true,
            face: false,
        };
        let a = analyse(&rotated, req, &MediaPolicy::default()).unwrap();
        assert_eq!((a.width, a.height), (720, 1280));
        assert!(a.checks[0].ok, "{:?}", a.checks);
    }

    #[test]
    fn a_cut_off_file_is_incomplete_and_a_whole_one_complete() {
        let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 90]));
        let mut jpeg = vec![];
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&img)
            .unwrap();
        assert!(complete(&jpeg));
        assert!(!complete(&jpeg[..jpeg.len() * 2 / 3]));
        assert!(
            !complete(&jpeg[..jpeg.len() - 1]),
            "the end marker cut in half"
        );
        let mut png = vec![];
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert!(complete(&png));
        assert!(!complete(&png[..png.len() - 12]));
    }
}
