//! Photo quality measurements and their policy (§10.1, §10.2).
//!
//! Pure functions over decoded pixels: the web layer decodes, downscales and detects faces,
//! and this module measures and decides. Everything here works on 8-bit grey (`luma`) or
//! interleaved RGB buffers, row-major, with no I/O.

use serde::{Deserialize, Serialize};

/// The thresholds of the photo checks (`config.media.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MediaPolicy {
    /// Longest side the sharpness and exposure measurements run at. Measuring at a fixed
    /// scale makes the Laplacian variance comparable between a 720×1280 phone photo and a
    /// 3000×4000 scan, and bounds the work per photo.
    pub measure_max_side: u32,
    /// Minimum variance of the 4-neighbour Laplacian at `measure_max_side` (over the face box
    /// for face captures). Calibrated on the same images sharp and blurred:
    /// - a synthetic printed page: ≈130 000 sharp, ≈290 / ≈110 / ≈43 after 5×5 / 7×7 / 9×9
    ///   box blurs (`tests::blur_threshold_separates_sharp_from_blurred`);
    /// - the server's sample scan (`photo::sample_document`, 1100×1500): ≈25 000 sharp, ≈750 /
    ///   ≈160 / ≈63 / ≈13 after Gaussian blurs of σ = 1 / 1.5 / 2 / 3 px;
    /// - a real photograph, the astronaut portrait of the integration tests, over its face box:
    ///   ≈860 sharp, ≈71 / ≈27 / ≈12 after σ = 1 / 1.5 / 2.
    ///
    /// 100 — the usual variance-of-Laplacian cut-off — keeps every sharp sample with a margin
    /// of 8× or more, and refuses the blur at which small print (σ ≥ 2) or facial detail
    /// (σ ≥ 1, i.e. a visibly soft face) is lost at this scale.
    pub min_laplacian_variance: f64,
    /// Mean luma (0–255) bounds: below 50 a scan is too dark to read, above 235 it is washed
    /// out (a white sheet photographed correctly measures 170–225 with its printing).
    pub min_mean_luma: f64,
    pub max_mean_luma: f64,
    /// Share of pixels that are clipped (luma ≤ 5 or ≥ 250). Glare and crushed shadows hide
    /// data; a white document legitimately has bright paper, so the limit is generous (60 %)
    /// and catches over-exposed captures where most of the frame is burnt out.
    pub max_clipped_share: f64,
    /// A photo whose mean channel spread (max − min of R, G, B per pixel) is below this is a
    /// greyscale image stored as RGB (§10.1: colour required). JPEG chroma noise of a real
    /// grey scan stays below 3; any real colour photo of a certificate (red seals, blue/green
    /// printing, skin tones) is far above it.
    pub min_colour_spread: f64,
    /// Face photos: the face's width as a share of the frame width. Below 15 % the face is too
    /// small to compare with the certificate; above 80 % the head is cut off.
    pub face_min_width_share: f64,
    pub face_max_width_share: f64,
    /// Face photos: the face centre must lie in this central band horizontally, and in the
    /// upper part of the frame vertically (head-and-shoulders framing).
    pub face_centre_x_band: (f64, f64),
    pub face_centre_y_band: (f64, f64),
    /// Face photos: a background pixel is "light" when its luma is at least this and its
    /// channel spread at most `background_max_spread` (white, light grey, pale blue walls).
    pub background_min_luma: u8,
    pub background_max_spread: u8,
    /// Share of the background region that must be light. A plain wall measures > 95 %;
    /// 80 % tolerates a shadow or a door frame at the edge and refuses busy scenes.
    pub background_min_light_share: f64,
    /// Detector score (rustface/SeetaFace funnel) a window needs to count as a face. The
    /// crate's examples use 2.0; at 5.0 the bundled model still finds frontal faces reliably
    /// and ignores textured backgrounds.
    pub face_min_score: f64,
    /// Smallest face side, in pixels of the measured frame, the detector looks for.
    pub face_min_size: u32,
}

impl Default for MediaPolicy {
    fn default() -> Self {
        MediaPolicy {
            measure_max_side: 640,
            min_laplacian_variance: 100.0,
            min_mean_luma: 50.0,
            max_mean_luma: 235.0,
            max_clipped_share: 0.6,
            min_colour_spread: 4.0,
            face_min_width_share: 0.15,
            face_max_width_share: 0.8,
            face_centre_x_band: (0.25, 0.75),
            face_centre_y_band: (0.15, 0.65),
            background_min_luma: 170,
            background_max_spread: 45,
            background_min_light_share: 0.8,
            face_min_score: 5.0,
            face_min_size: 40,
        }
    }
}

/// One finding reported at upload and re-checked at submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub code: String,
    pub ok: bool,
    pub message: String,
}

impl Check {
    fn new(code: &str, ok: bool, pass: &str, fail: String) -> Check {
        Check {
            code: code.to_string(),
            ok,
            message: if ok { pass.to_string() } else { fail },
        }
    }
}

/// Luma (ITU-R BT.601) of interleaved RGB pixels.
pub fn luma(rgb: &[u8]) -> Vec<u8> {
    rgb.chunks_exact(3)
        .map(|p| {
            let y = 299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2]);
            (y / 1000) as u8
        })
        .collect()
}

/// Variance of the 4-neighbour Laplacian over the interior of a grey image: high for
/// sharp edges, low for blur. 0 for images smaller than 3×3.
pub fn laplacian_variance(grey: &[u8], width: usize, height: usize) -> f64 {
    if width < 3 || height < 3 || grey.len() < width * height {
        return 0.0;
    }
    let (mut sum, mut sum_sq, mut n) = (0f64, 0f64, 0f64);
    for y in 1..height - 1 {
        let row = y * width;
        for x in 1..width - 1 {
            let c = i32::from(grey[row + x]);
            let l = i32::from(grey[row + x - 1])
                + i32::from(grey[row + x + 1])
                + i32::from(grey[row - width + x])
                + i32::from(grey[row + width + x])
                - 4 * c;
            let l = f64::from(l);
            sum += l;
            sum_sq += l * l;
            n += 1.0;
        }
    }
    let mean = sum / n;
    sum_sq / n - mean * mean
}

/// Mean luma and the share of clipped pixels (≤ 5 or ≥ 250).
pub fn exposure(grey: &[u8]) -> (f64, f64) {
    if grey.is_empty() {
        return (0.0, 1.0);
    }
    let n = grey.len() as f64;
    let sum: u64 = grey.iter().map(|&v| u64::from(v)).sum();
    let clipped = grey.iter().filter(|&&v| v <= 5 || v >= 250).count();
    (sum as f64 / n, clipped as f64 / n)
}

/// Mean per-pixel channel spread (max − min of R, G, B): 0 for a greyscale image.
pub fn colour_spread(rgb: &[u8]) -> f64 {
    let n = rgb.len() / 3;
    if n == 0 {
        return 0.0;
    }
    let total: u64 = rgb
        .chunks_exact(3)
        .map(|p| u64::from(p[0].max(p[1]).max(p[2]) - p[0].min(p[1]).min(p[2])))
        .sum();
    total as f64 / n as f64
}

/// A face found by the detector, in pixels of the measured frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceBox {
    pub x: i64,
    pub y: i64,
    pub width: u32,
    pub height: u32,
    pub score: f64,
}

/// Share of the background around one face that is light and unsaturated. The background
/// is the frame above the head and beside the head and shoulders: everything outside the
/// face box widened to 2× its width (hair, ears, shoulders) and from the top of the frame
/// down to 1.5 face heights below the face (the body below that is clothing, not wall).
pub fn background_light_share(
    rgb: &[u8],
    width: usize,
    height: usize,
    face: &FaceBox,
    policy: &MediaPolicy,
) -> f64 {
    let w = f64::from(face.width);
    let h = f64::from(face.height);
    let cx = face.x as f64 + w / 2.0;
    let body_left = cx - w;
    let body_right = cx + w;
    let head_top = face.y as f64 - 0.6 * h;
    let bottom = ((face.y as f64 + 2.5 * h).max(0.0) as usize).min(height);
    let (mut light, mut total) = (0u64, 0u64);
    for y in 0..bottom {
        for x in 0..width {
            let (fx, fy) = (x as f64, y as f64);
            if fx >= body_left && fx < body_right && fy >= head_top {
                continue;
            }
            let i = (y * width + x) * 3;
            let Some(p) = rgb.get(i..i + 3) else {
                continue;
            };
            total += 1;
            let spread = p[0].max(p[1]).max(p[2]) - p[0].min(p[1]).min(p[2]);
            let y = luma(p)[0];
            if y >= policy.background_min_luma && spread <= policy.background_max_spread {
                light += 1;
            }
        }
    }
    if total == 0 {
        0.0
    } else {
        light as f64 / total as f64
    }
}

/// The RGB pixels inside the face box, with the crop's width and height.
fn face_crop(frame: &Frame<'_>, face: &FaceBox) -> (Vec<u8>, usize, usize) {
    let x0 = face.x.clamp(0, frame.width as i64) as usize;
    let y0 = face.y.clamp(0, frame.height as i64) as usize;
    let x1 = (x0 + face.width as usize).min(frame.width);
    let y1 = (y0 + face.height as usize).min(frame.height);
    let mut crop = Vec::with_capacity((x1 - x0) * 3 * (y1 - y0));
    for y in y0..y1 {
        let row = y * frame.width;
        crop.extend_from_slice(frame.rgb.get((row + x0) * 3..(row + x1) * 3).unwrap_or(&[]));
    }
    (crop, x1 - x0, y1 - y0)
}

/// Laplacian variance over the face box only: a portrait on a plain wall is mostly flat, so
/// the whole frame would measure low however sharp the face is.
pub fn face_sharpness(frame: &Frame<'_>, face: &FaceBox) -> f64 {
    let (crop, w, h) = face_crop(frame, face);
    laplacian_variance(&luma(&crop), w, h)
}

/// The measured frame of one image: RGB pixels downscaled to `measure_max_side`.
pub struct Frame<'a> {
    pub rgb: &'a [u8],
    pub width: usize,
    pub height: usize,
}

/// The quality checks of a document photo: sharpness, exposure and colour.
pub fn document_checks(frame: &Frame<'_>, policy: &MediaPolicy, colour: bool) -> Vec<Check> {
    let grey = luma(frame.rgb);
    let sharpness = laplacian_variance(&grey, frame.width, frame.height);
    let (mean, clipped) = exposure(&grey);
    let mut checks = vec![
        Check::new(
            "MEDIA_BLUR",
            sharpness >= policy.min_laplacian_variance,
            "图片清晰",
            format!(
                "图片模糊（清晰度{sharpness:.0}，需至少{:.0}）",
                policy.min_laplacian_variance
            ),
        ),
        Check::new(
            "MEDIA_EXPOSURE",
            (policy.min_mean_luma..=policy.max_mean_luma).contains(&mean)
                && clipped <= policy.max_clipped_share,
            "曝光正常",
            if mean < policy.min_mean_luma {
                format!("图片过暗（平均亮度{mean:.0}）")
            } else {
                format!(
                    "图片过亮或反光（平均亮度{mean:.0}，过曝比例{:.0}%）",
                    clipped * 100.0
                )
            },
        ),
    ];
    if colour {
        let spread = colour_spread(frame.rgb);
        checks.push(Check::new(
            "MEDIA_GREYSCALE",
            spread >= policy.min_colour_spread,
            "彩色图片",
            "请上传彩色照片或扫描件，不接受黑白或灰度图片".to_string(),
        ));
    }
    checks
}

/// The checks of a face capture, given the faces the detector found (§10.2).
pub fn face_checks(frame: &Frame<'_>, faces: &[FaceBox], policy: &MediaPolicy) -> Vec<Check> {
    let faces: Vec<&FaceBox> = faces
        .iter()
        .filter(|f| f.score >= policy.face_min_score)
        .collect();
    let mut checks = vec![Check::new(
        "FACE_COUNT",
        faces.len() == 1,
        "检测到一张人脸",
        if faces.is_empty() {
            "未检测到人脸，请正对镜头、露出完整面部".to_string()
        } else {
            format!("检测到{}张人脸，画面中只能有本人", faces.len())
        },
    )];
    let [face] = faces.as_slice() else {
        return checks;
    };
    let sharpness = face_sharpness(frame, face);
    checks.push(Check::new(
        "FACE_BLUR",
        sharpness >= policy.min_laplacian_variance,
        "面部清晰",
        format!("面部模糊（清晰度{sharpness:.0}），请保持静止并对焦"),
    ));
    // Exposure of the face itself: the required white wall is bright by design.
    let (crop, _, _) = face_crop(frame, face);
    let (mean, clipped) = exposure(&luma(&crop));
    checks.push(Check::new(
        "FACE_EXPOSURE",
        (policy.min_mean_luma..=policy.max_mean_luma).contains(&mean)
            && clipped <= policy.max_clipped_share,
        "面部曝光正常",
        format!("面部过暗或过亮（平均亮度{mean:.0}），请在光线均匀处拍摄"),
    ));
    let share = f64::from(face.width) / frame.width as f64;
    checks.push(Check::new(
        "FACE_SIZE",
        (policy.face_min_width_share..=policy.face_max_width_share).contains(&share),
        "人脸大小合适",
        if share < policy.face_min_width_share {
            "人脸过小，请靠近镜头".to_string()
        } else {
            "人脸过大，请离镜头远一些，露出完整头部".to_string()
        },
    ));
    let cx = (face.x as f64 + f64::from(face.width) / 2.0) / frame.width as f64;
    let cy = (face.y as f64 + f64::from(face.height) / 2.0) / frame.height as f64;
    let (x0, x1) = policy.face_centre_x_band;
    let (y0, y1) = policy.face_centre_y_band;
    checks.push(Check::new(
        "FACE_POSITION",
        (x0..=x1).contains(&cx) && (y0..=y1).contains(&cy),
        "人脸位置居中",
        "请将面部置于画面中央".to_string(),
    ));
    let light = background_light_share(frame.rgb, frame.width, frame.height, face, policy);
    checks.push(Check::new(
        "FACE_BACKGROUND",
        light >= policy.background_min_light_share,
        "背景为浅色纯色",
        format!(
            "背景须为白色或浅色纯色（当前浅色占比{:.0}%）",
            light * 100.0
        ),
    ));
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic printed page: light paper with dark "text" strokes and a red seal, the
    /// kind of detail a certificate photo has at the measured scale.
    fn page(w: usize, h: usize) -> Vec<u8> {
        let mut rgb = vec![0u8; w * h * 3];
        for y in 0..h {
            for x in 0..w {
                let i = (y * w + x) * 3;
                let mut p = [235u8, 232, 225];
                // Lines of text: 2-px strokes in 12-px rows, broken into words.
                if y % 12 < 7 && (x / 3 + y / 12) % 5 != 0 && (x * 7 + y * 3) % 11 < 4 {
                    p = [30, 30, 40];
                }
                let (dx, dy) = (x as i64 - (w as i64 * 3 / 4), y as i64 - (h as i64 * 3 / 4));
                if dx * dx + dy * dy < (w as i64 / 10).pow(2) {
                    p = [200, 30, 30];
                }
                rgb[i..i + 3].copy_from_slice(&p);
            }
        }
        rgb
    }

    /// A box blur of the given radius, applied to each channel.
    fn blur(rgb: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
        let mut out = rgb.to_vec();
        for y in 0..h {
            for x in 0..w {
                for c in 0..3 {
                    let (mut s, mut n) = (0u32, 0u32);
                    for yy in y.saturating_sub(r)..(y + r + 1).min(h) {
                        for xx in x.saturating_sub(r)..(x + r + 1).min(w) {
                            s += u32::from(rgb[(yy * w + xx) * 3 + c]);
                            n += 1;
                        }
                    }
                    out[(y * w + x) * 3 + c] = (s / n) as u8;
                }
            }
        }
        out
    }

    fn sharpness(rgb: &[u8], w: usize, h: usize) -> f64 {
        laplacian_variance(&luma(rgb), w, h)
    }

    #[test]
    fn laplacian_of_a_flat_image_is_zero_and_of_a_checkerboard_is_large() {
        assert_eq!(laplacian_variance(&[128; 100], 10, 10), 0.0);
        let board: Vec<u8> = (0..100)
            .map(|i| if (i % 10 + i / 10) % 2 == 0 { 0 } else { 255 })
            .collect();
        assert!(laplacian_variance(&board, 10, 10) > 100_000.0);
        assert_eq!(laplacian_variance(&[1, 2], 2, 1), 0.0);
    }

    #[test]
    fn blur_threshold_separates_sharp_from_blurred() {
        let policy = MediaPolicy::default();
        let (w, h) = (360, 640);
        let sharp = page(w, h);
        let s0 = sharpness(&sharp, w, h);
        let s2 = sharpness(&blur(&sharp, w, h, 2), w, h);
        let s4 = sharpness(&blur(&sharp, w, h, 4), w, h);
        // Measured: sharp ≈ 130 000, 5×5 box ≈ 290, 7×7 ≈ 110, 9×9 ≈ 43.
        assert!(
            s0 > 100.0 * policy.min_laplacian_variance,
            "sharp page {s0}"
        );
        assert!(s4 < policy.min_laplacian_variance, "9×9 box blur {s4}");
        assert!(
            s4 < s2 && s2 < s0,
            "more blur, less sharpness: {s4} {s2} {s0}"
        );
        let frame = |rgb: &[u8]| {
            document_checks(
                &Frame {
                    rgb,
                    width: w,
                    height: h,
                },
                &policy,
                true,
            )
        };
        assert!(frame(&sharp).iter().all(|c| c.ok), "{:?}", frame(&sharp));
        let blurred = blur(&sharp, w, h, 4);
        let checks = frame(&blurred);
        assert!(!checks.iter().find(|c| c.code == "MEDIA_BLUR").unwrap().ok);
    }

    #[test]
    fn exposure_refuses_dark_and_burnt_out_frames() {
        let policy = MediaPolicy::default();
        let (w, h) = (360, 640);
        let dark: Vec<u8> = page(w, h).iter().map(|v| v / 6).collect();
        let bright: Vec<u8> = page(w, h).iter().map(|v| v.saturating_add(120)).collect();
        for rgb in [dark, bright] {
            let checks = document_checks(
                &Frame {
                    rgb: &rgb,
                    width: w,
                    height: h,
                },
                &policy,
                true,
            );
            let exposure = checks.iter().find(|c| c.code == "MEDIA_EXPOSURE").unwrap();
            assert!(!exposure.ok, "{exposure:?}");
        }
        assert_eq!(exposure(&[0, 255, 128, 128]), (127.75, 0.5));
    }

    #[test]
    fn greyscale_is_refused_only_where_colour_is_required() {
        let policy = MediaPolicy::default();
        let (w, h) = (360, 640);
        let grey: Vec<u8> = luma(&page(w, h)).iter().flat_map(|&v| [v, v, v]).collect();
        assert_eq!(colour_spread(&grey), 0.0);
        let frame = Frame {
            rgb: &grey,
            width: w,
            height: h,
        };
        let checks = document_checks(&frame, &policy, true);
        assert!(
            !checks
                .iter()
                .find(|c| c.code == "MEDIA_GREYSCALE")
                .unwrap()
                .ok
        );
        assert!(document_checks(&frame, &policy, false)
            .iter()
            .all(|c| c.code != "MEDIA_GREYSCALE"));
    }

    fn portrait(w: usize, h: usize, wall: [u8; 3]) -> (Vec<u8>, FaceBox) {
        let face = FaceBox {
            x: (w / 2 - w / 6) as i64,
            y: (h / 4) as i64,
            width: (w / 3) as u32,
            height: (w / 3) as u32,
            score: 10.0,
        };
        let mut rgb = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                let inside = (x as i64) >= face.x - 20
                    && (x as i64) < face.x + i64::from(face.width) + 20
                    && (y as i64) >= face.y - 30;
                // Skin with a little texture, so the face is not "blurred".
                let skin = [180 - ((x * 37 + y * 11) % 60) as u8, 140, 120];
                rgb.extend_from_slice(if inside { &skin } else { &wall });
            }
        }
        (rgb, face)
    }

    #[test]
    fn face_checks_count_size_position_and_background() {
        let policy = MediaPolicy::default();
        let (w, h) = (480, 640);
        let (rgb, face) = portrait(w, h, [245, 245, 245]);
        let frame = Frame {
            rgb: &rgb,
            width: w,
            height: h,
        };
        let checks = face_checks(&frame, &[face], &policy);
        assert!(checks.iter().all(|c| c.ok), "{checks:?}");
        assert_eq!(checks.len(), 6);

        let none = face_checks(&frame, &[], &policy);
        assert_eq!((none.len(), none[0].ok), (1, false));
        let weak = FaceBox { score: 1.0, ..face };
        assert!(!face_checks(&frame, &[weak], &policy)[0].ok);
        let two = face_checks(&frame, &[face, face], &policy);
        assert!(two[0].message.contains('2'));

        let tiny = FaceBox {
            width: 40,
            height: 40,
            ..face
        };
        let checks = face_checks(&frame, &[tiny], &policy);
        assert!(!checks.iter().find(|c| c.code == "FACE_SIZE").unwrap().ok);
        let corner = FaceBox { x: 0, y: 0, ..face };
        let checks = face_checks(&frame, &[corner], &policy);
        assert!(
            !checks
                .iter()
                .find(|c| c.code == "FACE_POSITION")
                .unwrap()
                .ok
        );

        let (dark, face) = portrait(w, h, [60, 70, 80]);
        let frame = Frame {
            rgb: &dark,
            width: w,
            height: h,
        };
        let checks = face_checks(&frame, &[face], &policy);
        assert!(
            !checks
                .iter()
                .find(|c| c.code == "FACE_BACKGROUND")
                .unwrap()
                .ok
        );
    }

    #[test]
    fn the_policy_reads_partial_configuration() {
        let p: MediaPolicy = serde_json::from_str(r#"{"min_laplacian_variance": 50}"#).unwrap();
        assert_eq!(p.min_laplacian_variance, 50.0);
        assert_eq!(p.measure_max_side, 640);
    }
}
