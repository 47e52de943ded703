//! Renders the platform documents and reads them back with poppler's `pdftotext`,
//! `pdfinfo` and `pdfimages`. A missing tool or font fails the test: they are installed by
//! the test script, and skipping would hide a broken renderer.

use std::path::PathBuf;
use std::process::Command;

use beian_domain::document::Document;
use beian_domain::papers::{
    anti_fraud_assessment, authenticity_form, commitment_letter, Block, Paper, PaperKind,
    ReviewFacts,
};
use beian_domain::reference::ReferenceData;
use beian_pdf::{render, Font, PdfError, Photo};

const SUBJECT: &str = "深圳市星河科技有限公司";
const MINI_PROGRAM: &str = "星河记账";

fn font() -> Font {
    Font::discover().unwrap_or_else(|e| {
        panic!("no CJK font for the PDF tests ({e}); install fonts-wqy-microhei")
    })
}

fn doc() -> Document {
    beian_domain::fixtures::enterprise_document(
        SUBJECT,
        "91440300708461136T",
        MINI_PROGRAM,
        "face-1",
        "photo-1",
    )
}

fn papers() -> Vec<Paper> {
    let refs = ReferenceData::embedded();
    let doc = doc();
    let facts = ReviewFacts {
        filing_id: "F20261128001",
        appid: "wx0123456789abcdef",
        version_no: 2,
        document_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        reviewer: "reviewer-7",
        reviewed_at: "2026-11-28 10:00".into(),
        face_task: Some("face-1"),
    };
    vec![
        commitment_letter(&doc, &refs),
        anti_fraud_assessment(&doc, &refs),
        authenticity_form(&doc, &refs, &facts),
    ]
}

fn footer(p: &Paper) -> String {
    format!("内容摘要 SHA-256: {}", p.hash())
}

/// Writes the PDF to a fresh file under the test's temporary directory.
fn save(name: &str, pdf: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("beian-pdf");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    path
}

fn tool(name: &str, args: &[&str], pdf: &PathBuf) -> String {
    let out = Command::new(name)
        .args(args)
        .arg(pdf)
        .args(if name == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {name} ({e}): install poppler-utils, the PDF tests need it")
        });
    assert!(
        out.status.success(),
        "{name} failed on {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn pdftotext(name: &str, pdf: &[u8]) -> String {
    let path = save(name, pdf);
    tool("pdftotext", &["-enc", "UTF-8"], &path)
}

fn page_count(name: &str, pdf: &[u8]) -> usize {
    let path = save(name, pdf);
    let info = tool("pdfinfo", &[], &path);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap_or_else(|| panic!("no page count in {info}"))
        .trim()
        .parse()
        .unwrap()
}

/// Without whitespace: pdftotext breaks lines and may put spaces between cells.
fn norm(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The text without the page footers, which pdftotext puts between a page's last line and
/// the next page's first.
fn body(text: &str) -> String {
    text.lines()
        .filter(|l| {
            let l = norm(l);
            !(l.starts_with('第') && l.contains("页/共") && l.ends_with('页'))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_contains(text: &str, needle: &str) {
    assert!(
        norm(text).contains(&norm(needle)),
        "{needle:?} not found in the extracted text:\n{text}"
    );
}

fn paragraphs(p: &Paper) -> Vec<&str> {
    p.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_three_papers_extract_as_their_text() {
    let font = font();
    for paper in papers() {
        let pdf = render(&paper, &font, None, &footer(&paper)).unwrap();
        let text = pdftotext(paper.kind.slug(), &pdf);
        assert_contains(&text, &paper.title);
        assert_contains(&text, SUBJECT);
        assert_contains(&text, MINI_PROGRAM);
        for sentence in paragraphs(&paper) {
            assert_contains(&text, sentence);
        }
        assert_contains(&text, &footer(&paper));
        assert_contains(&text, "第 1 页 / 共 ");
        match paper.kind {
            PaperKind::CommitmentLetter => {
                assert_contains(&text, "违反上述承诺的，愿意承担由此产生的法律责任");
                assert_contains(&text, "法定代表人/负责人（签字）：");
            }
            PaperKind::AntiFraudAssessment => {
                assert_contains(&text, "一、自评估问卷");
                assert_contains(&text, "是否设有用户投诉、举报渠道并安排专人处理？");
            }
            PaperKind::AuthenticityForm => {
                assert_contains(&text, "reviewer-7");
                assert_contains(&text, "2026-11-28 10:00");
                assert_contains(&text, "核验现场照片（人脸核身任务 face-1）");
                assert_contains(&text, "照片不可用");
            }
        }
    }
}

#[test]
fn every_text_of_a_paper_extracts() {
    let font = font();
    let paper = &papers()[0];
    let text = pdftotext("text-all", &render(paper, &font, None, "").unwrap());
    for line in paper.text().lines() {
        // Table rows come out as label and value, not "label：value".
        for part in line.split('：') {
            assert_contains(&text, part);
        }
    }
}

#[test]
fn rendering_is_deterministic_and_the_font_subsetted() {
    let font = font();
    for paper in papers() {
        let a = render(&paper, &font, None, &footer(&paper)).unwrap();
        let b = render(&paper, &font, None, &footer(&paper)).unwrap();
        assert!(a == b, "{}: two renderings differ", paper.kind.slug());
        assert!(
            a.len() < 500 * 1024,
            "{}: {} bytes, the font is not subsetted",
            paper.kind.slug(),
            a.len()
        );
        assert!(a.starts_with(b"%PDF-"));
        // Nothing that would make two renderings differ.
        let raw = String::from_utf8_lossy(&a);
        assert!(!raw.contains("/CreationDate") && !raw.contains("/ModDate"));
        // A CID font with Identity-H and a ToUnicode map.
        for needle in ["/Type0", "/Identity-H", "/ToUnicode", "/W ["] {
            assert!(raw.contains(needle), "{needle} missing");
        }
        // TrueType outlines (the default fonts) or CFF (Noto CJK).
        assert!(raw.contains("/CIDFontType2") || raw.contains("/CIDFontType0"));
    }
    // The footer is part of the output.
    let p = &papers()[0];
    assert_ne!(
        render(p, &font, None, "a").unwrap(),
        render(p, &font, None, "b").unwrap()
    );
}

fn long_paper(n: usize) -> Paper {
    let mut blocks = vec![Block::Heading {
        text: "长文档分页测试".into(),
    }];
    for i in 1..=n {
        blocks.push(Block::Paragraph {
            text: format!(
                "第{i}段：本段用于检验自动分页，内容包括中文、English words 与数字 {i}，确保换行与分页后仍可提取。"
            ),
        });
    }
    blocks.push(Block::Paragraph {
        text: "这是最后一段，位于文档末尾。".into(),
    });
    Paper {
        kind: PaperKind::CommitmentLetter,
        title: "长文档".into(),
        template: "test".into(),
        blocks,
    }
}

#[test]
fn a_long_paper_breaks_into_pages() {
    let font = font();
    let paper = long_paper(200);
    let pdf = render(&paper, &font, None, "页脚文字").unwrap();
    let pages = page_count("long", &pdf);
    assert!(pages >= 5, "200 paragraphs on {pages} pages");
    let raw = String::from_utf8_lossy(&pdf);
    let page_objects = raw.matches("/Type /Page").count() - raw.matches("/Type /Pages").count();
    assert_eq!(page_objects, pages);
    let text = pdftotext("long", &pdf);
    assert_contains(&text, "这是最后一段，位于文档末尾。");
    assert_contains(&text, "第200段：本段用于检验自动分页");
    assert_contains(&text, "English words");
    assert_contains(&text, &format!("第 {pages} 页 / 共 {pages} 页"));
    assert_eq!(text.matches("页脚文字").count(), pages);
}

#[test]
fn a_table_row_taller_than_a_page_continues_on_the_next() {
    let font = font();
    let value: String = (0..3000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let rows = (0..40)
        .map(|i| (format!("字段{i}"), format!("值{i}")))
        .chain([("超长字段".to_string(), value.clone())])
        .chain([("最后一行".to_string(), "结束".to_string())])
        .collect();
    let paper = Paper {
        kind: PaperKind::AuthenticityForm,
        title: "表格".into(),
        template: "test".into(),
        blocks: vec![Block::Fields { rows }],
    };
    let pdf = render(&paper, &font, None, "").unwrap();
    assert!(page_count("table", &pdf) >= 3);
    let text = body(&pdftotext("table", &pdf));
    assert_contains(&text, &value);
    assert_contains(&text, "字段39");
    assert_contains(&text, "最后一行");
}

#[test]
fn a_photo_is_embedded_as_one_image() {
    let font = font();
    let paper = papers().remove(2);
    let photo = Photo {
        rgb: [200u8, 120, 40].repeat(60 * 80),
        width: 60,
        height: 80,
    };
    let pdf = render(&paper, &font, Some(&photo), &footer(&paper)).unwrap();
    let path = save("photo", &pdf);
    let list = tool("pdfimages", &["-list"], &path);
    let images: Vec<&str> = list
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(images.len(), 1, "{list}");
    let cols: Vec<&str> = images[0].split_whitespace().collect();
    assert_eq!(&cols[2..6], ["image", "60", "80", "rgb"], "{list}");
    let text = tool("pdftotext", &["-enc", "UTF-8"], &path);
    assert!(!norm(&text).contains("照片不可用"));
    assert_contains(&text, "核验现场照片");

    // Without a photo block, no image.
    let letter = &papers()[0];
    let pdf = render(letter, &font, Some(&photo), "").unwrap();
    let list = tool("pdfimages", &["-list"], &save("no-photo", &pdf));
    assert_eq!(list.lines().skip(2).count(), 0, "{list}");
}

#[test]
fn a_photo_of_the_wrong_size_is_refused() {
    let font = font();
    let paper = papers().remove(2);
    let photo = Photo {
        rgb: vec![0; 10],
        width: 60,
        height: 80,
    };
    assert!(matches!(
        render(&paper, &font, Some(&photo), ""),
        Err(PdfError::BadPhoto(_))
    ));
}

#[test]
fn characters_the_font_lacks_still_extract() {
    let font = font();
    // Outside the font's coverage (CJK Extension B, a musical symbol).
    let text = "缺字𠀀与𝄞之后继续";
    let paper = Paper {
        kind: PaperKind::CommitmentLetter,
        title: "缺字".into(),
        template: "test".into(),
        blocks: vec![Block::Paragraph { text: text.into() }],
    };
    let pdf = render(&paper, &font, None, "").unwrap();
    assert_contains(&pdftotext("missing", &pdf), text);
    let raw = String::from_utf8_lossy(&pdf);
    if raw.contains("/CIDFontType2") {
        // They got CIDs of their own, mapped to .notdef: not the identity map.
        assert!(raw.contains("/CIDToGIDMap") && !raw.contains("/CIDToGIDMap /Identity"));
    }
    // (A CFF font has no CIDToGIDMap: there each is marked with its /ActualText.)
}

#[test]
fn garbage_is_not_a_font() {
    for bytes in [vec![], b"not a font at all, just some bytes".to_vec()] {
        let err = Font::from_bytes(bytes, 0).unwrap_err();
        assert!(matches!(err, PdfError::BadFont(_)), "{err:?}");
    }
}

#[test]
fn a_font_from_bytes_renders() {
    let path = font().source().rsplit_once('#').unwrap().0.to_string();
    let font = Font::from_bytes(std::fs::read(&path).unwrap(), 0).unwrap();
    let paper = &papers()[0];
    let text = pdftotext("from-bytes", &render(paper, &font, None, "").unwrap());
    assert_contains(&text, &paper.title);
}

#[test]
fn a_missing_configured_font_is_reported() {
    match Font::discover_from(Some("/nonexistent/font.ttc#1".into())) {
        Err(PdfError::FontMissing(tried)) => assert!(tried.contains("/nonexistent/font.ttc")),
        other => panic!("{other:?}"),
    }
    // An unset or empty variable falls back to the usual places.
    assert!(Font::discover_from(Some(String::new())).is_ok());
    assert!(Font::discover_from(None).is_ok());
}
