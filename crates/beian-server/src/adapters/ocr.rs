//! Certificate photos read by tesseract (Debian's `tesseract-ocr` and `tesseract-ocr-chi-sim`).
//!
//! The engine runs as a child process (`tesseract stdin stdout … tsv`), not through a
//! binding: the photo is untrusted input to a large C/C++ library, and a crash or a hang there
//! must cost one reading, not the server. A child can be killed at its deadline; a library
//! call cannot. The Rust bindings (`tesseract`/`leptess`) would also run bindgen against the
//! C headers at every clean build. Process start and model load cost about 0.2 s per call,
//! measured in BENCHMARKS.md.
//!
//! Before recognition the photo is turned upright (a quarter turn when its shape is not the
//! certificate's, half a turn when the first reading finds no key field) and deskewed by the
//! angle whose row profile is sharpest. Locating and checking the fields is the domain's
//! (`beian_domain::ocr::read`).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use beian_domain::ocr::read::{extract, parse_tsv, text_of};
use beian_domain::ocr::{FieldName, OcrPolicy, Reading, Side};
use beian_domain::reference::NumberFormat;
use chrono::NaiveDate;
use image::{GrayImage, Luma};
use tokio::sync::{Semaphore, SemaphorePermit};

/// The engine of this process and the permits that bound it.
#[derive(Debug)]
pub struct Reader {
    pub engine: Tesseract,
    permits: Semaphore,
}

impl Reader {
    /// Waits for a permit to run the engine (`ocr.max_parallel` per process).
    pub async fn permit(&self) -> Option<SemaphorePermit<'_>> {
        self.permits.acquire().await.ok()
    }

    /// The engine if it is installed and reading is enabled. The machine is asked once per
    /// process, and its answer logged once; each state gets its own permits.
    fn discover(policy: &OcrPolicy) -> Option<Arc<Reader>> {
        static ENGINE: std::sync::OnceLock<Option<Tesseract>> = std::sync::OnceLock::new();
        if !policy.enabled {
            return None;
        }
        let engine = ENGINE.get_or_init(|| match Tesseract::discover() {
            Ok(engine) => {
                tracing::info!(engine = %engine.version, "certificate photos are read with tesseract");
                Some(engine)
            }
            Err(e) => {
                tracing::warn!(error = %e, "tesseract not found: certificate photos are not read (install tesseract-ocr and tesseract-ocr-chi-sim)");
                None
            }
        });
        engine.clone().map(|engine| {
            Arc::new(Reader {
                engine,
                permits: Semaphore::new(policy.max_parallel.max(1)),
            })
        })
    }
}

/// The state's reader, found on first use: a command that reads no photo (`beian
/// calendar show`, `beian keys`, …) never starts tesseract to ask for its version.
#[derive(Debug)]
pub struct Ocr {
    policy: OcrPolicy,
    reader: tokio::sync::OnceCell<Option<Arc<Reader>>>,
}

impl Ocr {
    pub fn new(policy: &OcrPolicy) -> Ocr {
        Ocr {
            policy: policy.clone(),
            reader: tokio::sync::OnceCell::new(),
        }
    }

    /// The reader, `None` when reading is off or tesseract is not installed. Finding it
    /// runs `tesseract` as child processes, so that happens on a blocking thread, not on
    /// the request's.
    pub async fn reader(&self) -> Option<Arc<Reader>> {
        self.reader
            .get_or_init(|| {
                let policy = self.policy.clone();
                async move {
                    tokio::task::spawn_blocking(move || Reader::discover(&policy))
                        .await
                        .unwrap_or_else(|e| {
                            tracing::warn!(error = %e, "looking for tesseract failed");
                            None
                        })
                }
            })
            .await
            .clone()
    }

    /// Whether photos are read at all.
    pub async fn reads(&self) -> bool {
        self.reader().await.is_some()
    }
}

/// The tesseract command, found on the machine with the Chinese model installed.
#[derive(Debug, Clone)]
pub struct Tesseract {
    program: PathBuf,
    /// `tesseract 5.3.0`, as the engine reports itself.
    pub version: String,
}

impl Tesseract {
    /// The engine on `PATH` (or at `BEIAN_TESSERACT`), if it runs and has `chi_sim`.
    pub fn discover() -> Result<Tesseract, String> {
        let program = std::env::var_os("BEIAN_TESSERACT")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("tesseract"));
        Tesseract::at(program)
    }

    /// The engine at `program`, if it runs and has `chi_sim`.
    fn at(program: PathBuf) -> Result<Tesseract, String> {
        let out = |arg: &str| {
            Command::new(&program)
                .arg(arg)
                .env("OMP_THREAD_LIMIT", "1")
                .output()
                .map_err(|e| format!("{}: {e}", program.display()))
        };
        let version = out("--version")?;
        let text = String::from_utf8_lossy(&version.stdout).to_string()
            + &String::from_utf8_lossy(&version.stderr);
        let version = text
            .lines()
            .next()
            .unwrap_or("tesseract")
            .trim()
            .to_string();
        let langs = out("--list-langs")?;
        let langs = String::from_utf8_lossy(&langs.stdout).to_string();
        if !langs.lines().any(|l| l.trim() == "chi_sim") {
            return Err("tesseract has no chi_sim model (install tesseract-ocr-chi-sim)".into());
        }
        Ok(Tesseract { program, version })
    }

    /// Recognises a PNG; returns tesseract's TSV. Killed at `timeout`.
    pub fn recognise(&self, png: &[u8], timeout: Duration) -> Result<String, String> {
        self.run(png, "6", timeout)
    }

    /// Recognises a PNG with page segmentation mode `psm`; returns the TSV.
    fn run(&self, png: &[u8], psm: &str, timeout: Duration) -> Result<String, String> {
        let mut child = Command::new(&self.program)
            .args(["stdin", "stdout", "-l", "chi_sim", "--psm", psm, "tsv"])
            // One thread per call: parallelism comes from the callers' semaphore.
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("tesseract: {e}"))?;
        let mut stdin = child.stdin.take().ok_or("tesseract: no stdin")?;
        let input = png.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let mut stdout = child.stdout.take().ok_or("tesseract: no stdout")?;
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            stdout.read_to_string(&mut s).map(|_| s)
        });
        let started = Instant::now();
        loop {
            match child.try_wait().map_err(|e| e.to_string())? {
                Some(status) if status.success() => break,
                Some(status) => return Err(format!("tesseract exited with {status}")),
                None if started.elapsed() > timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("tesseract took longer than {timeout:?}"));
                }
                None => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        let _ = writer.join();
        reader
            .join()
            .map_err(|_| "tesseract: reader panicked".to_string())?
            .map_err(|e| e.to_string())
    }
}

/// The longest side photos are recognised at: larger photos only cost time (the printed
/// text of a 1280-pixel-wide card is 30–50 pixels high already).
const MAX_SIDE: u32 = 1800;

/// Reads one certificate photo. Never fails: what cannot be read is an empty reading with
/// its `error`.
pub fn read(
    engine: &Tesseract,
    photo: &[u8],
    side: Side,
    format: Option<NumberFormat>,
    today: NaiveDate,
    timeout: Duration,
) -> Reading {
    let started = Instant::now();
    let mut best = match crate::adapters::photo::decode(photo) {
        Ok(img) => read_image(engine, img.to_luma8(), side, format, today, timeout),
        Err(_) => Reading::failed("undecodable".into()),
    };
    best.elapsed_ms = started.elapsed().as_millis() as u64;
    best
}

fn read_image(
    engine: &Tesseract,
    grey: GrayImage,
    side: Side,
    format: Option<NumberFormat>,
    today: NaiveDate,
    timeout: Duration,
) -> Reading {
    let grey = fit(grey, MAX_SIDE);
    // A landscape card photographed upright is portrait: turn it a quarter first.
    let quarter = (grey.width() > grey.height()) != side.landscape(format);
    let grey = if quarter {
        image::imageops::rotate90(&grey)
    } else {
        grey
    };
    let skew = skew_angle(&grey);
    let upright = if skew.abs() >= 0.3 {
        rotate(&grey, -skew)
    } else {
        grey
    };
    let base = if quarter { 90 } else { 0 };
    let once = |img: &GrayImage, rotation: u16| -> Reading {
        let mut png = Vec::new();
        let encoded = image::DynamicImage::ImageLuma8(img.clone())
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png);
        if let Err(e) = encoded {
            return Reading::failed(e.to_string());
        }
        match engine.recognise(&png, timeout) {
            Ok(tsv) => {
                let mut r = extract(&parse_tsv(&tsv), side, format, today);
                r.rotation = rotation;
                r.skew = skew;
                second_look(engine, img, &mut r, timeout);
                r
            }
            Err(e) => Reading::failed(e),
        }
    };
    let first = once(&upright, base);
    if first.complete() || first.error.is_some() {
        return first;
    }
    // Upside down: the first reading found no key field; the half-turned photo may.
    let turned = image::imageops::rotate180(&upright);
    let second = once(&turned, (base + 180) % 360);
    if second.score() > first.score() {
        second
    } else {
        first
    }
}

/// Names and addresses have no checksum: each is recognised a second time on its own, cut
/// out of the page (another segmentation, and no neighbours to confuse it). A value the
/// two passes do not agree on keeps the lower of its confidence and 0.5: offered to
/// pre-fill, never enough for a mismatch. On the generated cards this turned the one
/// confident misread of 3 000 images (a company name, one character) into an unconfident one.
fn second_look(engine: &Tesseract, img: &GrayImage, reading: &mut Reading, timeout: Duration) {
    for f in reading
        .fields
        .iter_mut()
        .filter(|f| matches!(f.field, FieldName::Name | FieldName::Address))
    {
        let Some([l, t, r, b]) = f.area else {
            continue;
        };
        let pad = (b - t) / 3 + 4;
        let (x0, y0) = ((l - pad).max(0) as u32, (t - pad).max(0) as u32);
        let (x1, y1) = (
            ((r + pad).max(0) as u32).min(img.width()),
            ((b + pad).max(0) as u32).min(img.height()),
        );
        if x1 <= x0 || y1 <= y0 {
            continue;
        }
        let crop = image::imageops::crop_imm(img, x0, y0, x1 - x0, y1 - y0).to_image();
        let mut png = Vec::new();
        let agree = image::DynamicImage::ImageLuma8(crop)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .ok()
            .and_then(|_| engine.run(&png, "6", timeout).ok())
            .is_some_and(|tsv| {
                let plain = |s: &str| s.chars().filter(|c| !matches!(c, '·')).collect::<String>();
                text_of(&parse_tsv(&tsv)) == plain(&f.value)
            });
        if !agree {
            f.confidence = f.confidence.min(0.5);
        }
    }
}

/// Scales down (never up) so the longest side is at most `max`.
fn fit(img: GrayImage, max: u32) -> GrayImage {
    let long = img.width().max(img.height());
    if long <= max {
        return img;
    }
    let scale = f64::from(max) / f64::from(long);
    let (w, h) = (
        (f64::from(img.width()) * scale).round() as u32,
        (f64::from(img.height()) * scale).round() as u32,
    );
    image::imageops::resize(&img, w, h, image::imageops::FilterType::Triangle)
}

/// The skew of the printed lines, in degrees (positive: the text rises to the right in
/// image coordinates, i.e. clockwise), searched over ±6° in quarter degrees: the angle
/// at which the dark pixels' row profile is most peaked (text lines and gaps line up).
pub fn skew_angle(img: &GrayImage) -> f32 {
    let small = fit(img.clone(), 640);
    let (w, h) = (small.width() as usize, small.height() as usize);
    let mean =
        small.pixels().map(|p| u64::from(p.0[0])).sum::<u64>() as f64 / (w * h).max(1) as f64;
    let dark = mean * 0.6;
    let points: Vec<(f32, f32)> = small
        .enumerate_pixels()
        .filter(|(_, _, p)| f64::from(p.0[0]) < dark)
        .map(|(x, y, _)| (x as f32 - w as f32 / 2.0, y as f32 - h as f32 / 2.0))
        .collect();
    if points.len() < 100 {
        return 0.0;
    }
    let rows = (w + h) * 2;
    let score = |deg: f32| -> f64 {
        let (s, c) = deg.to_radians().sin_cos();
        let mut bins = vec![0u32; rows];
        for &(x, y) in &points {
            let r = (y * c - x * s) + rows as f32 / 2.0;
            if r >= 0.0 && (r as usize) < rows {
                bins[r as usize] += 1;
            }
        }
        bins.iter().map(|&b| f64::from(b) * f64::from(b)).sum()
    };
    let mut best = (0.0f32, score(0.0));
    for i in -24..=24 {
        let deg = i as f32 * 0.25;
        let s = score(deg);
        if s > best.1 * 1.0001 {
            best = (deg, s);
        }
    }
    best.0
}

/// Rotates by `deg` degrees about the centre (bilinear), keeping the size; the uncovered
/// corners are white paper.
pub fn rotate(img: &GrayImage, deg: f32) -> GrayImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w / 2.0, h / 2.0);
    let mut out = GrayImage::from_pixel(img.width(), img.height(), Luma([255]));
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        // The source of each output pixel: the inverse rotation.
        let sx = c * dx + s * dy + cx;
        let sy = -s * dx + c * dy + cy;
        if sx < 0.0 || sy < 0.0 || sx >= w - 1.0 || sy >= h - 1.0 {
            continue;
        }
        let (x0, y0) = (sx.floor() as u32, sy.floor() as u32);
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let v = |xx: u32, yy: u32| f32::from(img.get_pixel(xx, yy).0[0]);
        let top = v(x0, y0) * (1.0 - fx) + v(x0 + 1, y0) * fx;
        let bottom = v(x0, y0 + 1) * (1.0 - fx) + v(x0 + 1, y0 + 1) * fx;
        p.0[0] = (top * (1.0 - fy) + bottom * fy).round() as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dark horizontal bars on white, like lines of print.
    fn lines_page() -> GrayImage {
        GrayImage::from_fn(800, 500, |x, y| {
            let in_line = (y / 20) % 3 == 1 && (100..700).contains(&x);
            Luma([if in_line { 20 } else { 240 }])
        })
    }

    #[test]
    fn the_skew_of_a_turned_page_is_found_and_undone() {
        let page = lines_page();
        assert!(skew_angle(&page).abs() < 0.3);
        for deg in [-4.0f32, 2.5, 5.0] {
            let turned = rotate(&page, deg);
            let found = skew_angle(&turned);
            assert!((found - deg).abs() <= 0.5, "turned {deg}°, found {found}°");
            let back = skew_angle(&rotate(&turned, -found));
            assert!(back.abs() <= 0.5, "after correction {back}°");
        }
    }

    #[test]
    fn a_missing_engine_is_reported_not_panicked() {
        let found = Tesseract::at(PathBuf::from("/nonexistent/tesseract"));
        let e = found.expect_err("no engine there");
        assert!(e.contains("/nonexistent/tesseract"), "{e}");
    }
}
