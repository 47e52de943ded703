//! `beian-bench ocr`: how well certificate photos read, on generated cards (beian-cards).
//!
//! For each seed: an ID card's front and back and a business licence, each under every
//! variant (clean, rotated, JPEG 60, blurred, upside down), read by the server's reader
//! (tesseract, as `beian serve` runs it). Counted per variant: exact reads of the number,
//! the name and the validity period; and false `OCR_MISMATCH`es, i.e. a confident read
//! that differs from the truth typed in — the cross-check's rule, with its threshold —
//! which must be none. Times are per image, recognition included.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use beian_cards::{encode, id_back, id_front, licence, Business, Identity, Variant};
use beian_domain::ocr::compare::trusted;
use beian_domain::ocr::{FieldName, OcrPolicy, Reading, Side};
use beian_domain::reference::NumberFormat;
use beian_server::adapters::ocr::{read, Tesseract};
use chrono::NaiveDate;

use crate::BoxError;

#[derive(Default, Clone)]
struct Tally {
    images: usize,
    /// (exact reads, attempts) per field.
    exact: BTreeMap<&'static str, (usize, usize)>,
    false_mismatches: usize,
    millis: Vec<u64>,
}

impl Tally {
    fn count(
        &mut self,
        what: &'static str,
        truth: &str,
        reading: &Reading,
        field: FieldName,
        policy: &OcrPolicy,
    ) {
        let e = self.exact.entry(what).or_default();
        e.1 += 1;
        match reading.get(field) {
            Some(f) if f.value == truth => e.0 += 1,
            Some(f) if trusted(f, policy) => {
                self.false_mismatches += 1;
                eprintln!(
                    "false mismatch: {what} read {:?} ({:.2}), truth {truth:?}",
                    f.value, f.confidence
                );
            }
            other => {
                if std::env::var_os("BEIAN_BENCH_VERBOSE").is_some() {
                    eprintln!(
                        "not read exactly: {what} {:?}, truth {truth:?}",
                        other.map(|f| &f.value)
                    );
                }
            }
        }
    }
}

pub async fn run(cards: u64, first_seed: u64, workers: usize) -> Result<(), BoxError> {
    let engine = Tesseract::discover()?;
    let policy = OcrPolicy::default();
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).ok_or("date")?;
    let seeds: Vec<u64> = (first_seed..first_seed + cards).collect();
    let chunks: Vec<Vec<u64>> = seeds
        .chunks(seeds.len().div_ceil(workers.max(1)).max(1))
        .map(<[u64]>::to_vec)
        .collect();
    let started = Instant::now();
    let mut handles = vec![];
    for chunk in chunks {
        let engine = engine.clone();
        let policy = policy.clone();
        handles.push(std::thread::spawn(move || {
            let mut tallies: BTreeMap<usize, Tally> = BTreeMap::new();
            for seed in chunk {
                let p = Identity::random(seed);
                let b = Business::random(seed);
                let (front, back, lic) = (id_front(&p), id_back(&p), licence(&b));
                for v in Variant::ALL {
                    let t = tallies.entry(index(v)).or_default();
                    let one = |t: &mut Tally, img: &image::RgbImage, side, format| {
                        let bytes = encode(img, v, seed);
                        let r = read(
                            &engine,
                            &bytes,
                            side,
                            Some(format),
                            today,
                            Duration::from_secs(30),
                        );
                        t.images += 1;
                        t.millis.push(r.elapsed_ms);
                        r
                    };
                    let r = one(t, &front, Side::Front, NumberFormat::ResidentId);
                    t.count("id number", &p.number, &r, FieldName::Number, &policy);
                    t.count("id name", &p.name, &r, FieldName::Name, &policy);
                    let r = one(t, &back, Side::Back, NumberFormat::ResidentId);
                    let until = p
                        .valid_until
                        .map_or("长期".to_string(), |d| d.format("%Y-%m-%d").to_string());
                    t.count("validity end", &until, &r, FieldName::ValidUntil, &policy);
                    let r = one(t, &lic, Side::Subject, NumberFormat::Uscc);
                    t.count("licence code", &b.uscc, &r, FieldName::Number, &policy);
                    t.count("licence name", &b.name, &r, FieldName::Name, &policy);
                }
            }
            tallies
        }));
    }
    let mut all: BTreeMap<usize, Tally> = BTreeMap::new();
    for h in handles {
        let part = h.join().map_err(|_| "a worker panicked")?;
        for (v, t) in part {
            let a = all.entry(v).or_default();
            a.images += t.images;
            a.false_mismatches += t.false_mismatches;
            a.millis.extend(t.millis);
            for (k, (x, n)) in t.exact {
                let e = a.exact.entry(k).or_default();
                e.0 += x;
                e.1 += n;
            }
        }
    }
    println!(
        "{} cards ({} images) in {:.0} s with {workers} workers, {}",
        cards,
        all.values().map(|t| t.images).sum::<usize>(),
        started.elapsed().as_secs_f64(),
        engine.version
    );
    let fields = [
        "id number",
        "id name",
        "validity end",
        "licence code",
        "licence name",
    ];
    println!(
        "| variant | {} | false OCR_MISMATCH | median s/image | p95 s/image |",
        fields.join(" | ")
    );
    println!("|{}", " --- |".repeat(fields.len() + 4));
    for (v, t) in &mut all {
        t.millis.sort_unstable();
        let q = |p: f64| {
            t.millis
                .get(((t.millis.len() as f64 - 1.0) * p) as usize)
                .copied()
                .unwrap_or(0) as f64
                / 1000.0
        };
        let rates: Vec<String> = fields
            .iter()
            .map(|f| {
                let (x, n) = t.exact.get(f).copied().unwrap_or((0, 0));
                format!("{x}/{n} ({:.1} %)", 100.0 * x as f64 / n.max(1) as f64)
            })
            .collect();
        println!(
            "| {} | {} | {} | {:.2} | {:.2} |",
            Variant::ALL[*v].name(),
            rates.join(" | "),
            t.false_mismatches,
            q(0.5),
            q(0.95)
        );
    }
    Ok(())
}

fn index(v: Variant) -> usize {
    Variant::ALL.iter().position(|x| *x == v).unwrap_or(0)
}
