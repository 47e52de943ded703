//! The three card layouts, after the real ones: the labels an OCR looks for, in the places
//! they are printed.

use chrono::{Datelike, NaiveDate};
use image::{Rgb, RgbImage};

use crate::draw::{self, Style};
use crate::people::{Business, Identity};

/// ID card size (85.6 × 54 mm at ≈ 15 px/mm).
pub const ID_SIZE: (u32, u32) = (1280, 808);
/// Business licence size (portrait).
pub const LICENCE_SIZE: (u32, u32) = (1100, 1500);

const INK: [u8; 3] = [22, 22, 28];
const LABEL_BLUE: [u8; 3] = [40, 78, 118];

/// Linear blend of two colours.
fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    [0, 1, 2].map(|i| (f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t).round() as u8)
}

/// A diagonal gradient from `top_left` to `bottom_right` overlaid with two families of
/// thin wavy lines (`line`, at most `strength` opacity): the guilloche of a security print.
fn guilloche(
    (w, h): (u32, u32),
    top_left: [u8; 3],
    bottom_right: [u8; 3],
    line: [u8; 3],
    strength: f32,
) -> RgbImage {
    let (wf, hf) = (w as f32, h as f32);
    // The slow wobble of each family depends on one coordinate only: computed once per
    // row and column.
    let row_phase: Vec<f32> = (0..h).map(|y| 4.0 * (y as f32 * 0.011).sin()).collect();
    let col_phase: Vec<f32> = (0..w).map(|x| 3.5 * (x as f32 * 0.009).cos()).collect();
    RgbImage::from_fn(w, h, |x, y| {
        let (xf, yf) = (x as f32, y as f32);
        let base = mix(top_left, bottom_right, (xf / wf + yf / hf) / 2.0);
        let a = (xf * 0.043 + row_phase[y as usize]).sin().abs();
        let b = (yf * 0.047 + col_phase[x as usize]).sin().abs();
        let cover = (1.0 - a / 0.12)
            .max(0.0)
            .max((1.0 - b / 0.12).max(0.0) * 0.7);
        Rgb(mix(base, line, cover * strength))
    })
}

/// `1990年3月5日` (the ID card prints no leading zeros).
fn birth_text(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The portrait side (人像面) of a resident identity card, 1280 × 808.
pub fn id_front(p: &Identity) -> RgbImage {
    let mut img = guilloche(
        ID_SIZE,
        [214, 236, 244],
        [192, 222, 236],
        [150, 196, 218],
        0.45,
    );
    let label = Style::new(34.0, LABEL_BLUE);
    let value = Style::new(42.0, INK);
    let (lx, vx) = (90.0, 210.0);

    draw::text(&mut img, lx, 160.0, "姓名", label);
    draw::text(&mut img, vx, 160.0, &p.name, value.spaced(4.0));

    draw::text(&mut img, lx, 255.0, "性别", label);
    draw::text(&mut img, vx, 255.0, &p.sex, value);
    draw::text(&mut img, 380.0, 255.0, "民族", label);
    draw::text(&mut img, 500.0, 255.0, &p.ethnicity, value);

    draw::text(&mut img, lx, 350.0, "出生", label);
    draw::text(&mut img, vx, 350.0, &birth_text(p.birth), value);

    draw::text(&mut img, lx, 445.0, "住址", label);
    let per_line = draw::text_width("国国国国国国国国国国国", value) + 2.0;
    for (i, line) in draw::wrap(&p.address, per_line, value, 3)
        .iter()
        .enumerate()
    {
        draw::text(&mut img, vx, 445.0 + 58.0 * i as f32, line, value);
    }

    draw::text(&mut img, lx, 720.0, "公民身份号码", label);
    draw::text(
        &mut img,
        330.0,
        720.0,
        &p.number,
        Style::new(48.0, INK).spaced(2.5),
    );

    portrait(&mut img);
    img
}

/// A grey head-and-shoulders silhouette in place of the holder's photo.
fn portrait(img: &mut RgbImage) {
    const GREY: [u8; 3] = [148, 154, 160];
    let cx = 1005.0;
    // The photo's lighter backdrop, faded into the card.
    draw::fill(img, (820, 90, 1190, 610), [232, 240, 244], 0.55, |_, _| {
        true
    });
    draw::ellipse(img, (cx, 400.0), (40.0, 60.0), GREY, 1.0);
    draw::fill(img, (810, 420, 1200, 610), GREY, 1.0, |x, y| {
        y <= 610.0 && draw::in_ellipse(x, y, cx, 610.0, 180.0, 170.0)
    });
    draw::ellipse(img, (cx, 290.0), (86.0, 110.0), GREY, 1.0);
}

/// The emblem side (国徽面) of a resident identity card, 1280 × 808.
pub fn id_back(p: &Identity) -> RgbImage {
    let mut img = guilloche(
        ID_SIZE,
        [226, 240, 236],
        [206, 228, 232],
        [170, 206, 200],
        0.5,
    );
    emblem(&mut img, (195.0, 195.0), 112.0);
    draw::text(
        &mut img,
        370.0,
        178.0,
        "中华人民共和国",
        Style::new(60.0, INK).spaced(12.0),
    );
    draw::text(
        &mut img,
        370.0,
        330.0,
        "居民身份证",
        Style::new(92.0, INK).spaced(26.0),
    );
    let label = Style::new(34.0, INK);
    let value = Style::new(40.0, INK);
    draw::text(&mut img, 280.0, 640.0, "签发机关", label);
    draw::text(&mut img, 460.0, 640.0, &p.authority, value);
    draw::text(&mut img, 280.0, 725.0, "有效期限", label);
    draw::text(&mut img, 460.0, 725.0, &p.validity(), value.spaced(2.0));
    img
}

/// A red disc with a gold rim, a big gold star and four small ones (a national-emblem
/// stand-in, not the emblem).
fn emblem(img: &mut RgbImage, (cx, cy): (f32, f32), r: f32) {
    const RED: [u8; 3] = [200, 32, 38];
    const GOLD: [u8; 3] = [236, 186, 52];
    draw::ellipse(img, (cx, cy), (r, r), RED, 1.0);
    draw::ring(img, (cx, cy), (r * 0.86, r * 0.93), GOLD, 1.0);
    draw::star(img, (cx - r * 0.25, cy - r * 0.12), r * 0.36, GOLD, 1.0);
    for i in 0..4 {
        let angle = (-60.0 + 30.0 * i as f32).to_radians();
        let (sx, sy) = (
            cx - r * 0.25 + r * 0.55 * angle.cos(),
            cy - r * 0.12 + r * 0.55 * angle.sin(),
        );
        draw::star(img, (sx, sy), r * 0.12, GOLD, 1.0);
    }
    draw::ring(img, (cx, cy + r * 0.35), (r * 0.3, r * 0.36), GOLD, 1.0);
}

/// A business licence (营业执照), 1100 × 1500 portrait.
pub fn licence(b: &Business) -> RgbImage {
    const FRAME: [u8; 3] = [150, 52, 36];
    let (w, h) = LICENCE_SIZE;
    let mut img = guilloche(
        LICENCE_SIZE,
        [252, 247, 232],
        [244, 236, 214],
        [236, 214, 186],
        0.45,
    );
    let (wi, hi) = (i64::from(w), i64::from(h));
    // Outer frame, inner rule and corner blocks.
    for (m, t) in [(36, 16), (62, 3)] {
        draw::rect(&mut img, (m, m, wi - m, m + t), FRAME);
        draw::rect(&mut img, (m, hi - m - t, wi - m, hi - m), FRAME);
        draw::rect(&mut img, (m, m, m + t, hi - m), FRAME);
        draw::rect(&mut img, (wi - m - t, m, wi - m, hi - m), FRAME);
    }
    for (x, y) in [
        (52, 52),
        (wi - 52 - 26, 52),
        (52, hi - 52 - 26),
        (wi - 78, hi - 78),
    ] {
        draw::rect(&mut img, (x, y, x + 26, y + 26), FRAME);
    }

    let title = Style::new(92.0, [40, 28, 26]).spaced(28.0);
    let tw = draw::text_width("营业执照", title);
    draw::text(&mut img, (w as f32 - tw) / 2.0, 265.0, "营业执照", title);
    let sub = Style::new(36.0, INK).spaced(8.0);
    let sw = draw::text_width("（副本）", sub);
    draw::text(&mut img, (w as f32 - sw) / 2.0, 335.0, "（副本）", sub);

    let label = Style::new(34.0, INK);
    let value = Style::new(37.0, INK);
    let lx = 120.0;
    let x = draw::text(&mut img, lx, 440.0, "统一社会信用代码", label);
    draw::text(&mut img, x + 30.0, 441.0, &b.uscc, value.spaced(2.0));

    let label_width = draw::text_width("法定代表人", label);
    let vx = lx + label_width + 40.0;
    let value_width = w as f32 - 110.0 - vx;
    let registered = b.registered.format("%Y年%m月%d日").to_string();
    let rows: [(&str, &str); 6] = [
        ("名称", &b.name),
        ("类型", &b.kind),
        ("法定代表人", &b.legal_rep),
        ("注册资本", &b.capital),
        ("成立日期", &registered),
        ("住所", &b.address),
    ];
    let mut y = 540.0;
    for (name, text) in rows {
        draw::justified(&mut img, lx, y, name, label_width, label);
        let lines = draw::wrap(text, value_width, value, 3);
        for (i, line) in lines.iter().enumerate() {
            draw::text(&mut img, vx, y + 54.0 * i as f32, line, value);
        }
        y += 54.0 * (lines.len() - 1) as f32 + 84.0;
    }

    draw::text(&mut img, 560.0, 1245.0, "登记机关", Style::new(36.0, INK));
    seal(&mut img, (858.0, 1225.0), 118.0);
    let issued = b.registered.format("%Y年%m月%d日").to_string();
    draw::text(&mut img, 640.0, 1405.0, &issued, Style::new(34.0, INK));
    img
}

/// A red registration seal: a ring around a star, slightly transparent like ink.
fn seal(img: &mut RgbImage, centre: (f32, f32), r: f32) {
    const SEAL: [u8; 3] = [214, 38, 40];
    draw::ring(img, centre, (r - 11.0, r), SEAL, 0.85);
    draw::ring(img, centre, (r - 20.0, r - 17.0), SEAL, 0.6);
    draw::star(img, centre, r * 0.42, SEAL, 0.85);
}
