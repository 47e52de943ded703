//! Platform-generated documents (domain.md §6.6, §10.3): the 互联网信息服务承诺书, the
//! 反诈自评估报告 and the 小程序备案真实性核验单.
//!
//! A document is built here as plain structured content ([`Paper`]) from the application
//! document and the reference data, and hashed. The content — not a PDF — is what gets
//! frozen with a submitted version: the PDF layer can change fonts or layout without
//! changing what the applicant confirmed, and the hash names exactly that content.
//! Rendering to PDF happens outside the domain (the `beian-pdf` crate).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::document::Document;
use crate::reference::ReferenceData;

/// Which platform document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperKind {
    /// 互联网信息服务承诺书 — read and confirmed by the applicant.
    CommitmentLetter,
    /// 反诈自评估报告 — produced from the questionnaire, confirmed by the applicant.
    AntiFraudAssessment,
    /// 小程序备案真实性核验单 — generated at T06, no applicant action.
    AuthenticityForm,
}

impl PaperKind {
    pub const ALL: [PaperKind; 3] = [
        PaperKind::CommitmentLetter,
        PaperKind::AntiFraudAssessment,
        PaperKind::AuthenticityForm,
    ];

    /// The `materials.*` key of the document (api.md), also used in URLs.
    pub fn slug(self) -> &'static str {
        match self {
            PaperKind::CommitmentLetter => "commitment_letter",
            PaperKind::AntiFraudAssessment => "anti_fraud_assessment",
            PaperKind::AuthenticityForm => "authenticity_form",
        }
    }

    pub fn from_slug(s: &str) -> Option<PaperKind> {
        PaperKind::ALL.into_iter().find(|k| k.slug() == s)
    }

    pub fn title(self) -> &'static str {
        match self {
            PaperKind::CommitmentLetter => "互联网信息服务承诺书",
            PaperKind::AntiFraudAssessment => "反诈自评估报告",
            PaperKind::AuthenticityForm => "小程序备案真实性核验单",
        }
    }

    /// Template revision: bump it when the wording below changes, so that a frozen
    /// paper says which wording the applicant saw.
    fn template(self) -> &'static str {
        match self {
            PaperKind::CommitmentLetter => "commitment-letter/2026.1",
            PaperKind::AntiFraudAssessment => "anti-fraud-assessment/2026.1",
            PaperKind::AuthenticityForm => "authenticity-form/2026.1",
        }
    }
}

/// One block of a paper, in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Heading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    /// A two-column table of labels and values.
    Fields {
        rows: Vec<(String, String)>,
    },
    /// A numbered list.
    Numbered {
        items: Vec<String>,
    },
    /// The live photo of a face verification task (§6.5 `live_photo`), resolved by the
    /// renderer: tasks are immutable once they succeeded.
    FacePhoto {
        face_task: String,
        caption: String,
    },
    /// Lines for a handwritten signature or seal.
    Signature {
        lines: Vec<String>,
    },
}

/// A platform document's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paper {
    pub kind: PaperKind,
    pub title: String,
    pub template: String,
    pub blocks: Vec<Block>,
}

impl Paper {
    fn new(kind: PaperKind, blocks: Vec<Block>) -> Paper {
        Paper {
            kind,
            title: kind.title().to_string(),
            template: kind.template().to_string(),
            blocks,
        }
    }

    /// sha256 of the canonical JSON: what the applicant confirms and what a version stores.
    pub fn hash(&self) -> String {
        let json = serde_json::to_vec(self).expect("a paper always serialises");
        hex::encode(Sha256::digest(json))
    }

    /// The paper as shown to someone who does not need the people's personal data: the
    /// certificate numbers and mobiles of persons keep their first and last characters only
    /// (the reviewer pages' masking). The hash stays that of the original.
    pub fn masked(&self) -> Paper {
        let mut out = self.clone();
        for b in &mut out.blocks {
            if let Block::Fields { rows } = b {
                for (label, value) in rows.iter_mut() {
                    if label.ends_with("手机") {
                        *value = crate::text::mask_mobile(value);
                    } else if label.ends_with("负责人证件") {
                        *value = mask_last_token(value);
                    }
                }
            }
        }
        out
    }

    /// Every text of the paper, for previews and search in tests.
    pub fn text(&self) -> String {
        let mut out = vec![self.title.clone()];
        for b in &self.blocks {
            match b {
                Block::Heading { text } | Block::Paragraph { text } => out.push(text.clone()),
                Block::Fields { rows } => {
                    out.extend(rows.iter().map(|(k, v)| format!("{k}：{v}")));
                }
                Block::Numbered { items } => out.extend(items.iter().cloned()),
                Block::FacePhoto { caption, .. } => out.push(caption.clone()),
                Block::Signature { lines } => out.extend(lines.iter().cloned()),
            }
        }
        out.join("\n")
    }
}

/// `居民身份证 440300198512310710` → `居民身份证 4403**********0710`.
fn mask_last_token(value: &str) -> String {
    let (head, token) = value.rsplit_once(' ').unwrap_or(("", value));
    let chars: Vec<char> = token.chars().collect();
    let masked: String = if chars.len() > 8 {
        chars[..4]
            .iter()
            .chain(std::iter::repeat_n(&'*', chars.len() - 8))
            .chain(&chars[chars.len() - 4..])
            .collect()
    } else {
        "*".repeat(chars.len())
    };
    if head.is_empty() {
        masked
    } else {
        format!("{head} {masked}")
    }
}

/// A question of the anti-fraud questionnaire. The answer that carries a risk adds the
/// measure to the report; the questions are data so that a platform can revise them
/// (and the template revision) without touching the report logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    pub id: &'static str,
    pub text: &'static str,
    /// The answer that needs a measure: `true` for "yes is risky".
    pub risky: bool,
    pub measure: &'static str,
}

/// The 反诈自评估 questionnaire. Topics follow the fraud types the MIIT and the Ministry of
/// Public Security name for apps and mini programs: payment flows, identity harvesting,
/// lending and investment, paid tasks, stranger contact, traffic leaving the platform, and
/// whether users can complain.
pub const ANTI_FRAUD_QUESTIONS: [Question; 7] = [
    Question {
        id: "has_payment",
        text: "小程序是否涉及支付、充值或其他资金往来？",
        risky: true,
        measure: "仅使用平台认可的支付渠道，不引导用户向个人账户转账，保存交易记录不少于六个月。",
    },
    Question {
        id: "collects_identity",
        text: "是否收集用户身份证号、银行卡号等敏感个人信息？",
        risky: true,
        measure: "按最小必要原则收集，明示用途并取得单独同意，加密存储并限制内部访问。",
    },
    Question {
        id: "financial_services",
        text: "是否提供借贷、理财、投资、数字藏品或虚拟货币相关服务？",
        risky: true,
        measure: "取得相应金融许可并办理前置审批；未取得许可的，不得上线相关功能。",
    },
    Question {
        id: "paid_tasks",
        text: "是否发布兼职、刷单、返利、点赞关注等有偿任务？",
        risky: true,
        measure: "禁止发布刷单返利类任务；对任务发布者实名核验并人工审核任务内容。",
    },
    Question {
        id: "stranger_contact",
        text: "是否提供陌生人社交、交友、私信或直播打赏功能？",
        risky: true,
        measure: "对私信内容进行涉诈关键词识别与风险提示，对打赏设置限额并保留记录。",
    },
    Question {
        id: "external_links",
        text: "是否引导用户添加个人联系方式、跳转外部网站或下载其他应用？",
        risky: true,
        measure: "不得展示未经审核的外部链接与个人联系方式，并在跳转前提示风险。",
    },
    Question {
        id: "complaint_channel",
        text: "是否设有用户投诉、举报渠道并安排专人处理？",
        risky: false,
        measure: "在小程序内设置投诉举报入口，并在 24 小时内响应涉诈举报。",
    },
];

/// The questions not answered yes or no.
pub fn unanswered(answers: &serde_json::Map<String, serde_json::Value>) -> Vec<&'static str> {
    ANTI_FRAUD_QUESTIONS
        .iter()
        .filter(|q| !answers.get(q.id).is_some_and(|v| v.is_boolean()))
        .map(|q| q.id)
        .collect()
}

/// What the T06 authenticity form records besides the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFacts<'a> {
    pub filing_id: &'a str,
    pub appid: &'a str,
    pub version_no: u32,
    pub document_hash: &'a str,
    pub reviewer: &'a str,
    /// Beijing time, already formatted (the domain never reads a clock).
    pub reviewed_at: String,
    pub face_task: Option<&'a str>,
}

/// Names for ids, falling back to the raw id so that a draft with a stale id still renders.
struct Names<'a> {
    refs: &'a ReferenceData,
}

/// The Chinese name of an enumeration entry, or the id itself when it is unknown.
fn name_of<T>(
    map: &std::collections::BTreeMap<u32, T>,
    id: u32,
    name: impl Fn(&T) -> &String,
) -> String {
    map.get(&id).map_or(id.to_string(), |x| name(x).clone())
}

impl Names<'_> {
    fn nature(&self, id: Option<u32>) -> String {
        id.map(|i| name_of(&self.refs.natures, i, |n| &n.name_zh))
            .unwrap_or_default()
    }

    fn certificate(&self, id: Option<u32>) -> String {
        id.map(|i| name_of(&self.refs.certificate_types, i, |n| &n.name_zh))
            .unwrap_or_default()
    }

    fn region(&self, code: &Option<String>) -> String {
        code.as_deref()
            .map(|c| {
                self.refs
                    .region(c)
                    .map_or(c.to_string(), |r| r.name.clone())
            })
            .unwrap_or_default()
    }

    fn services(&self, ids: &Option<Vec<u32>>) -> String {
        let names: Vec<String> = ids
            .iter()
            .flatten()
            .map(|&i| name_of(&self.refs.service_types, i, |s| &s.name_zh))
            .collect();
        names.join("、")
    }

    fn languages(&self, ids: &Option<Vec<u32>>) -> String {
        let names: Vec<String> = ids
            .iter()
            .flatten()
            .map(|&i| name_of(&self.refs.languages, i, |s| &s.name_zh))
            .collect();
        names.join("、")
    }

    fn preapprovals(&self, doc: &Document) -> String {
        match &doc.mini_program.preapprovals {
            None => String::new(),
            Some(v) if v.is_empty() => "不涉及".to_string(),
            Some(v) => v
                .iter()
                .map(|p| {
                    let cat = p
                        .category
                        .map(|c| name_of(&self.refs.preapproval_categories, c, |x| &x.name_zh))
                        .unwrap_or_default();
                    format!("{cat}（{}）", p.approval_number.as_deref().unwrap_or(""))
                })
                .collect::<Vec<_>>()
                .join("；"),
        }
    }
}

fn s(v: &Option<String>) -> String {
    v.as_deref().unwrap_or("").trim().to_string()
}

/// The person who answers for the mini program: its own principal, or the subject's.
fn mp_principal(doc: &Document) -> &crate::document::Person {
    let mpp = &doc.mini_program_principal;
    if mpp.same_as_subject_principal == Some(true) {
        &doc.subject_principal
    } else {
        &mpp.person
    }
}

fn subject_rows(doc: &Document, n: &Names) -> Vec<(String, String)> {
    let sub = &doc.subject;
    let address = format!(
        "{}{}{}{}",
        n.region(&sub.province),
        n.region(&sub.city),
        n.region(&sub.district),
        s(&sub.address)
    );
    vec![
        ("主办单位名称".into(), s(&sub.name)),
        ("主办单位性质".into(), n.nature(sub.nature)),
        ("证件类型".into(), n.certificate(sub.certificate.kind)),
        ("证件号码".into(), s(&sub.certificate.number)),
        ("通信地址".into(), address),
    ]
}

fn mini_program_rows(doc: &Document, n: &Names) -> Vec<(String, String)> {
    let mp = &doc.mini_program;
    vec![
        ("小程序名称".into(), s(&mp.name)),
        ("AppID".into(), s(&mp.appid)),
        ("服务内容".into(), n.services(&mp.service_content_types)),
        ("前置审批".into(), n.preapprovals(doc)),
        ("服务语种".into(), n.languages(&mp.languages)),
    ]
}

fn person_rows(label: &str, p: &crate::document::Person, n: &Names) -> Vec<(String, String)> {
    vec![
        (format!("{label}姓名"), s(&p.name)),
        (format!("{label}证件"), {
            let kind = n.certificate(p.certificate.kind);
            format!("{kind} {}", s(&p.certificate.number))
                .trim()
                .to_string()
        }),
        (format!("{label}手机"), s(&p.mobile)),
        (format!("{label}邮箱"), s(&p.email)),
    ]
}

/// 互联网信息服务承诺书, from the application as it stands.
pub fn commitment_letter(doc: &Document, refs: &ReferenceData) -> Paper {
    let n = Names { refs };
    let subject = s(&doc.subject.name);
    let app = s(&doc.mini_program.name);
    let mut rows = subject_rows(doc, &n);
    rows.retain(|(k, _)| k != "通信地址");
    rows.push(("小程序名称".into(), app.clone()));
    rows.push(("AppID".into(), s(&doc.mini_program.appid)));
    rows.push(("主体负责人".into(), s(&doc.subject_principal.name)));
    rows.push(("小程序负责人".into(), s(&mp_principal(doc).name)));
    Paper::new(
        PaperKind::CommitmentLetter,
        vec![
            Block::Fields { rows },
            Block::Paragraph {
                text: format!(
                    "{subject}（以下简称“本主体”）就小程序“{app}”的互联网信息服务，向通信管理部门及小程序平台郑重承诺："
                ),
            },
            Block::Numbered {
                items: vec![
                    "遵守《中华人民共和国网络安全法》《互联网信息服务管理办法》《非经营性互联网信息服务备案管理办法》等法律法规，不制作、复制、发布、传播法律法规禁止的信息。".into(),
                    "本次备案所填报的主体、负责人、小程序及材料信息真实、准确、完整；信息发生变化时在三十日内办理变更备案。".into(),
                    "未取得相关许可或前置审批的，不从事经营性互联网信息服务及须经审批的业务。".into(),
                    "建立健全网络与信息安全管理制度，落实用户真实身份信息认证、日志留存不少于六十日、违法有害信息发现与处置等措施。".into(),
                    "配合通信管理部门及有关部门依法开展的监督检查，如实提供有关情况和资料。".into(),
                    "违反上述承诺的，愿意承担由此产生的法律责任，并接受注销备案、关闭服务等处理。".into(),
                ],
            },
            Block::Signature {
                lines: vec![
                    format!("承诺主体：{subject}"),
                    "法定代表人/负责人（签字）：".into(),
                    "（单位盖章）".into(),
                    "日期：    年  月  日".into(),
                ],
            },
        ],
    )
}

/// 反诈自评估报告: the questionnaire answers and the measures they call for.
pub fn anti_fraud_assessment(doc: &Document, refs: &ReferenceData) -> Paper {
    let n = Names { refs };
    let answers = doc
        .materials
        .anti_fraud_assessment
        .as_ref()
        .map(|a| a.answers.clone())
        .unwrap_or_default();
    let mut rows = Vec::new();
    let mut measures = Vec::new();
    for q in ANTI_FRAUD_QUESTIONS {
        let a = answers.get(q.id).and_then(|v| v.as_bool());
        rows.push((
            q.text.to_string(),
            match a {
                Some(true) => "是",
                Some(false) => "否",
                None => "未作答",
            }
            .to_string(),
        ));
        if a == Some(q.risky) {
            measures.push(q.measure.to_string());
        }
    }
    let level = match measures.len() {
        0 => "低",
        1 | 2 => "中",
        _ => "高",
    };
    let mut blocks = vec![
        Block::Fields {
            rows: mini_program_rows(doc, &n)
                .into_iter()
                .take(3)
                .chain([("主办单位名称".to_string(), s(&doc.subject.name))])
                .collect(),
        },
        Block::Heading {
            text: "一、自评估问卷".into(),
        },
        Block::Fields { rows },
        Block::Heading {
            text: "二、评估结论".into(),
        },
        Block::Paragraph {
            text: format!(
                "根据以上作答，本小程序涉诈风险等级为“{level}”，共有{}项需落实的防范措施。",
                measures.len()
            ),
        },
    ];
    if !measures.is_empty() {
        blocks.push(Block::Heading {
            text: "三、防范措施".into(),
        });
        blocks.push(Block::Numbered { items: measures });
    }
    blocks.push(Block::Paragraph {
        text:
            "本主体确认以上作答真实，并承诺落实上述措施；发现涉诈线索时立即处置并向有关部门报告。"
                .into(),
    });
    Paper::new(PaperKind::AntiFraudAssessment, blocks)
}

/// 小程序备案真实性核验单, generated when the platform reviewer approves (T06).
pub fn authenticity_form(doc: &Document, refs: &ReferenceData, facts: &ReviewFacts) -> Paper {
    let n = Names { refs };
    let mut blocks = vec![
        Block::Fields {
            rows: vec![
                ("备案申请单号".into(), facts.filing_id.to_string()),
                ("提交版本".into(), facts.version_no.to_string()),
                (
                    "内容摘要（SHA-256）".into(),
                    facts.document_hash.to_string(),
                ),
            ],
        },
        Block::Heading {
            text: "一、主办者信息".into(),
        },
        Block::Fields {
            rows: subject_rows(doc, &n),
        },
        Block::Fields {
            rows: person_rows("主体负责人", &doc.subject_principal, &n),
        },
        Block::Heading {
            text: "二、小程序信息".into(),
        },
        Block::Fields {
            rows: {
                let mut r = mini_program_rows(doc, &n);
                if r[1].1.is_empty() {
                    r[1].1 = facts.appid.to_string();
                }
                r
            },
        },
        Block::Fields {
            rows: person_rows("小程序负责人", mp_principal(doc), &n),
        },
        Block::Heading {
            text: "三、核验记录".into(),
        },
    ];
    match facts.face_task {
        Some(task) => blocks.push(Block::FacePhoto {
            face_task: task.to_string(),
            caption: format!("核验现场照片（人脸核身任务 {task}）"),
        }),
        None => blocks.push(Block::Paragraph {
            text: "本申请无人脸核身记录。".into(),
        }),
    }
    blocks.push(Block::Fields {
        rows: vec![
            ("初审人员".into(), facts.reviewer.to_string()),
            ("初审通过时间".into(), facts.reviewed_at.clone()),
        ],
    });
    blocks.push(Block::Paragraph {
        text: "小程序平台已按要求核验上述主体及负责人的证件、核验现场照片与备案信息，核验结果真实有效。"
            .into(),
    });
    Paper::new(PaperKind::AuthenticityForm, blocks)
}

/// The papers the applicant reads and confirms before submitting, per policy.
pub fn confirmable(doc: &Document, refs: &ReferenceData, anti_fraud: bool) -> Vec<Paper> {
    let mut out = vec![commitment_letter(doc, refs)];
    if anti_fraud {
        out.push(anti_fraud_assessment(doc, refs));
    }
    out
}

/// A frozen paper's name and hash, as a version lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperStamp {
    pub kind: PaperKind,
    pub hash: String,
}

impl From<&Paper> for PaperStamp {
    fn from(p: &Paper) -> PaperStamp {
        PaperStamp {
            kind: p.kind,
            hash: p.hash(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn refs() -> ReferenceData {
        ReferenceData::embedded()
    }

    fn doc() -> Document {
        fixtures::enterprise_document(
            "深圳市星河科技有限公司",
            "91440300708461136T",
            "星河记账",
            "face-1",
            "photo-1",
        )
    }

    #[test]
    fn commitment_letter_names_the_subject_and_the_mini_program() {
        let doc = doc();
        let p = commitment_letter(&doc, &refs());
        let text = p.text();
        assert!(text.starts_with("互联网信息服务承诺书"));
        assert!(text.contains(doc.subject.name.as_deref().unwrap()));
        assert!(text.contains(doc.mini_program.name.as_deref().unwrap()));
        assert!(text.contains("郑重承诺"));
        // Nature and certificate type are named, not numbered.
        let nature = &refs().natures[&doc.subject.nature.unwrap()].name_zh;
        assert!(text.contains(nature.as_str()), "{text}");
    }

    #[test]
    fn hash_follows_the_content_and_nothing_else() {
        let r = refs();
        let doc = doc();
        let a = commitment_letter(&doc, &r);
        assert_eq!(a.hash(), commitment_letter(&doc, &r).hash());
        let mut edited = doc.clone();
        edited.mini_program.name = Some("另一个名字".into());
        assert_ne!(a.hash(), commitment_letter(&edited, &r).hash());
        // A field the letter does not show leaves it unchanged.
        let mut other = doc.clone();
        other.mini_program.remark = Some("完全不同的备注内容，用于确认不影响承诺书".into());
        assert_eq!(a.hash(), commitment_letter(&other, &r).hash());
    }

    #[test]
    fn anti_fraud_report_lists_a_measure_per_risky_answer() {
        let r = refs();
        let mut doc = doc();
        let af = doc.materials.anti_fraud_assessment.get_or_insert_default();
        af.answers.clear();
        for q in ANTI_FRAUD_QUESTIONS {
            af.answers.insert(q.id.into(), (!q.risky).into());
        }
        let calm = anti_fraud_assessment(&doc, &r).text();
        assert!(calm.contains("风险等级为“低”"), "{calm}");
        assert!(!calm.contains("防范措施\n"));

        let af = doc.materials.anti_fraud_assessment.as_mut().unwrap();
        af.answers.insert("has_payment".into(), true.into());
        af.answers.insert("paid_tasks".into(), true.into());
        af.answers.insert("complaint_channel".into(), false.into());
        let risky = anti_fraud_assessment(&doc, &r).text();
        assert!(risky.contains("风险等级为“高”"), "{risky}");
        assert!(risky.contains(ANTI_FRAUD_QUESTIONS[0].measure));
        assert!(risky.contains(ANTI_FRAUD_QUESTIONS[3].measure));
        assert!(risky.contains(ANTI_FRAUD_QUESTIONS[6].measure));
        assert!(!risky.contains(ANTI_FRAUD_QUESTIONS[1].measure));
    }

    #[test]
    fn unanswered_questions_are_named() {
        let mut answers = serde_json::Map::new();
        assert_eq!(unanswered(&answers).len(), ANTI_FRAUD_QUESTIONS.len());
        for q in ANTI_FRAUD_QUESTIONS {
            answers.insert(q.id.into(), false.into());
        }
        answers.insert("paid_tasks".into(), "yes".into());
        assert_eq!(unanswered(&answers), vec!["paid_tasks"]);
    }

    #[test]
    fn authenticity_form_carries_reviewer_time_and_live_photo() {
        let doc = doc();
        let facts = ReviewFacts {
            filing_id: "F1",
            appid: "wx0123456789abcdef",
            version_no: 2,
            document_hash: "abc",
            reviewer: "reviewer-7",
            reviewed_at: "2026-11-28 10:00".into(),
            face_task: Some("FT9"),
        };
        let p = authenticity_form(&doc, &refs(), &facts);
        let text = p.text();
        for needle in ["reviewer-7", "2026-11-28 10:00", "F1", "核验现场照片"] {
            assert!(text.contains(needle), "{needle} missing in {text}");
        }
        assert!(p
            .blocks
            .iter()
            .any(|b| matches!(b, Block::FacePhoto { face_task, .. } if face_task == "FT9")));
    }

    #[test]
    fn masking_hides_persons_numbers_but_keeps_the_hash_of_the_original() {
        let doc = doc();
        let facts = ReviewFacts {
            filing_id: "F1",
            appid: "wx1",
            version_no: 1,
            document_hash: "abc",
            reviewer: "r",
            reviewed_at: "t".into(),
            face_task: None,
        };
        let p = authenticity_form(&doc, &refs(), &facts);
        let m = p.masked();
        let (full, masked) = (p.text(), m.text());
        assert!(full.contains("440300198512311238") && full.contains("13800138000"));
        assert!(!masked.contains("440300198512311238"), "{masked}");
        assert!(!masked.contains("13800138000"), "{masked}");
        assert!(masked.contains("4403**********1238"), "{masked}");
        assert!(masked.contains("138****8000"), "{masked}");
        // The subject's own licence number is public and stays.
        assert!(masked.contains("91440300708461136T"));
        assert_ne!(
            p.hash(),
            m.hash(),
            "a masked copy is a view, never what was frozen"
        );
    }

    #[test]
    fn kinds_round_trip_through_their_slugs() {
        for k in PaperKind::ALL {
            assert_eq!(PaperKind::from_slug(k.slug()), Some(k));
        }
        assert_eq!(PaperKind::from_slug("../etc"), None);
    }
}
