//! Random but valid identities and businesses, deterministic from a seed.
//!
//! Names are drawn from common surnames and given-name characters (no real person is
//! intended); addresses, resident ID numbers and credit codes agree on the region.

use chrono::{Datelike, Months, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use beian_domain::ids::{CreditCode, OrgCode};

/// The holder of a (fictitious) resident identity card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// 2–3 CJK characters.
    pub name: String,
    /// `男` or `女` (agrees with the parity of the number's 17th digit).
    pub sex: String,
    /// `汉`, `回`, `满` …
    pub ethnicity: String,
    /// Agrees with positions 7–14 of [`Identity::number`].
    pub birth: NaiveDate,
    /// 12–30 characters, in the province of the number's region code.
    pub address: String,
    /// A valid 18-character resident ID number.
    pub number: String,
    /// The issuing public security bureau, e.g. `深圳市公安局南山分局`.
    pub authority: String,
    /// First day of validity (2015–2024).
    pub valid_from: NaiveDate,
    /// Last day of validity: `valid_from` + 10 or 20 years; `None` is `长期`.
    pub valid_until: Option<NaiveDate>,
}

/// A (fictitious) company as printed on a business licence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Business {
    /// e.g. `深圳市星河科技有限公司`.
    pub name: String,
    /// A valid 统一社会信用代码 of category `91`, with a valid embedded organisation code.
    pub uscc: String,
    /// e.g. `有限责任公司（自然人投资或控股）`.
    pub kind: String,
    /// The legal representative, 2–3 CJK characters.
    pub legal_rep: String,
    /// 住所, 12–30 characters.
    pub address: String,
    /// 成立日期.
    pub registered: NaiveDate,
    /// 注册资本, e.g. `人民币100万元`.
    pub capital: String,
}

/// A district: its 6-digit administrative code, the address prefix, the city (for company
/// names) and the issuing police bureau.
struct Region {
    code: &'static str,
    prefix: &'static str,
    city: &'static str,
    bureau: &'static str,
}

const fn region(
    code: &'static str,
    prefix: &'static str,
    city: &'static str,
    bureau: &'static str,
) -> Region {
    Region {
        code,
        prefix,
        city,
        bureau,
    }
}

const REGIONS: &[Region] = &[
    region("110105", "北京市朝阳区", "北京", "北京市公安局朝阳分局"),
    region("110108", "北京市海淀区", "北京", "北京市公安局海淀分局"),
    region("120101", "天津市和平区", "天津", "天津市公安局和平分局"),
    region(
        "130102",
        "河北省石家庄市长安区",
        "石家庄",
        "石家庄市公安局长安分局",
    ),
    region(
        "140105",
        "山西省太原市小店区",
        "太原",
        "太原市公安局小店分局",
    ),
    region(
        "210102",
        "辽宁省沈阳市和平区",
        "沈阳",
        "沈阳市公安局和平分局",
    ),
    region(
        "230103",
        "黑龙江省哈尔滨市南岗区",
        "哈尔滨",
        "哈尔滨市公安局南岗分局",
    ),
    region("310104", "上海市徐汇区", "上海", "上海市公安局徐汇分局"),
    region("310115", "上海市浦东新区", "上海", "上海市公安局浦东分局"),
    region(
        "320102",
        "江苏省南京市玄武区",
        "南京",
        "南京市公安局玄武分局",
    ),
    region(
        "320505",
        "江苏省苏州市虎丘区",
        "苏州",
        "苏州市公安局虎丘分局",
    ),
    region(
        "330106",
        "浙江省杭州市西湖区",
        "杭州",
        "杭州市公安局西湖分局",
    ),
    region(
        "340104",
        "安徽省合肥市蜀山区",
        "合肥",
        "合肥市公安局蜀山分局",
    ),
    region(
        "350203",
        "福建省厦门市思明区",
        "厦门",
        "厦门市公安局思明分局",
    ),
    region(
        "360102",
        "江西省南昌市东湖区",
        "南昌",
        "南昌市公安局东湖分局",
    ),
    region(
        "370212",
        "山东省青岛市崂山区",
        "青岛",
        "青岛市公安局崂山分局",
    ),
    region(
        "410105",
        "河南省郑州市金水区",
        "郑州",
        "郑州市公安局金水分局",
    ),
    region(
        "420106",
        "湖北省武汉市武昌区",
        "武汉",
        "武汉市公安局武昌分局",
    ),
    region(
        "430104",
        "湖南省长沙市岳麓区",
        "长沙",
        "长沙市公安局岳麓分局",
    ),
    region(
        "440106",
        "广东省广州市天河区",
        "广州",
        "广州市公安局天河分局",
    ),
    region(
        "440305",
        "广东省深圳市南山区",
        "深圳",
        "深圳市公安局南山分局",
    ),
    region(
        "440304",
        "广东省深圳市福田区",
        "深圳",
        "深圳市公安局福田分局",
    ),
    region(
        "450103",
        "广西壮族自治区南宁市青秀区",
        "南宁",
        "南宁市公安局青秀分局",
    ),
    region(
        "460108",
        "海南省海口市美兰区",
        "海口",
        "海口市公安局美兰分局",
    ),
    region("500103", "重庆市渝中区", "重庆", "重庆市公安局渝中区分局"),
    region(
        "510107",
        "四川省成都市武侯区",
        "成都",
        "成都市公安局武侯区分局",
    ),
    region(
        "520102",
        "贵州省贵阳市南明区",
        "贵阳",
        "贵阳市公安局南明分局",
    ),
    region(
        "530102",
        "云南省昆明市五华区",
        "昆明",
        "昆明市公安局五华分局",
    ),
    region(
        "610113",
        "陕西省西安市雁塔区",
        "西安",
        "西安市公安局雁塔分局",
    ),
    region(
        "620102",
        "甘肃省兰州市城关区",
        "兰州",
        "兰州市公安局城关分局",
    ),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余", "杜", "叶", "程", "魏", "苏",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "英", "华", "玉", "文", "辉", "建", "红", "晨", "宇", "欣", "怡",
    "浩", "婷", "雪", "琳", "博", "子", "轩", "佳", "思", "雨", "凯", "鹏", "飞", "俊", "志", "国",
    "海", "云", "春", "小", "嘉", "晓", "振", "梅", "兰", "德", "新", "天",
];

const ETHNICITIES: &[&str] = &[
    "回", "满", "壮", "苗", "蒙古", "土家", "彝", "朝鲜", "侗", "瑶",
];

const STREETS: &[&str] = &[
    "人民路",
    "建设路",
    "解放路",
    "中山路",
    "文化路",
    "和平路",
    "学府路",
    "新华路",
    "长江路",
    "滨江路",
    "青年路",
    "光明路",
    "胜利路",
    "科技路",
    "东风路",
    "花园路",
    "工业大道",
    "创业路",
];

const ESTATES: &[&str] = &[
    "阳光小区",
    "锦绣花园",
    "翠苑",
    "幸福里",
    "金色家园",
    "碧海湾",
    "华府",
    "丽景苑",
];

const FIRM_WORDS: &[&str] = &[
    "星河", "云帆", "博远", "启明", "华信", "恒通", "鼎盛", "锦程", "新创", "易联", "智达", "瑞丰",
    "海纳", "天拓", "蓝鲸", "青禾", "远航", "明德", "优品", "数联",
];

const TRADES: &[&str] = &[
    "科技",
    "信息技术",
    "网络科技",
    "软件",
    "文化传媒",
    "电子商务",
    "数据科技",
    "教育科技",
];

const KINDS: &[&str] = &[
    "有限责任公司（自然人投资或控股）",
    "有限责任公司（自然人独资）",
    "有限责任公司",
];

const CAPITALS: &[u32] = &[10, 30, 50, 100, 200, 300, 500, 1000];

/// Letters and digits valid both in an organisation code body and in a credit code
/// (GB 32100 leaves out I, O, S, V and Z).
const CODE_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The random stream for one kind of thing made from `seed` (`salt` keeps the streams of an
/// identity and a business with the same seed apart).
pub(crate) fn rng(seed: u64, salt: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn random_name(rng: &mut StdRng) -> String {
    let mut name = String::from(*pick(rng, SURNAMES));
    let given = if rng.gen_bool(0.6) { 2 } else { 1 };
    for _ in 0..given {
        name.push_str(pick::<&str>(rng, GIVEN));
    }
    name
}

/// A real date in `years`, any month, day at most `last_day` (a later day that the month
/// lacks becomes the 28th).
fn random_date(rng: &mut StdRng, years: std::ops::RangeInclusive<i32>, last_day: u32) -> NaiveDate {
    let year = rng.gen_range(years);
    let month = rng.gen_range(1..=12);
    let day = rng.gen_range(1..=last_day);
    NaiveDate::from_ymd_opt(year, month, day)
        .or_else(|| NaiveDate::from_ymd_opt(year, month, 28))
        .expect("day 28 exists in every month")
}

/// A room number: floor (1 to `top_floor`) and door (1–8), e.g. `1203`.
fn room(rng: &mut StdRng, top_floor: u32) -> u32 {
    rng.gen_range(1..=top_floor) * 100 + rng.gen_range(1..=8)
}

/// A street address in the region, 12–30 characters.
fn random_address(rng: &mut StdRng, region: &Region, business: bool) -> String {
    let street = pick(rng, STREETS);
    let number = rng.gen_range(1..=399);
    let tail = if business {
        match rng.gen_range(0..3) {
            0 => format!("{}栋{}室", rng.gen_range(1..=20), room(rng, 25)),
            1 => format!("{}大厦{}层", pick(rng, FIRM_WORDS), rng.gen_range(2..=28)),
            _ => format!("{}号楼{}室", rng.gen_range(1..=9), room(rng, 18)),
        }
    } else {
        match rng.gen_range(0..3) {
            0 => format!("{}栋{}室", rng.gen_range(1..=30), room(rng, 26)),
            1 => format!("{}{}号", pick(rng, ESTATES), rng.gen_range(1..=40)),
            _ => format!("{}单元{}室", rng.gen_range(1..=6), room(rng, 18)),
        }
    };
    format!("{}{street}{number}号{tail}", region.prefix)
}

/// ISO 7064 MOD 11-2 check character of 17 digits.
fn id_check(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECKS: &[u8; 11] = b"10X98765432";
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    char::from(CHECKS[(sum % 11) as usize])
}

/// Whole years from `birth` to `day`.
fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

impl Identity {
    /// A random identity, the same for the same seed.
    pub fn random(seed: u64) -> Identity {
        let mut rng = rng(seed, 1);
        let region = pick(&mut rng, REGIONS);
        let name = random_name(&mut rng);
        let birth = random_date(&mut rng, 1960..=2005, 31);
        let sequence: u32 = rng.gen_range(1..=999);
        let sex = if sequence % 2 == 1 { "男" } else { "女" };
        let ethnicity = if rng.gen_bool(0.8) {
            "汉"
        } else {
            pick(&mut rng, ETHNICITIES)
        };
        let body = format!("{}{}{sequence:03}", region.code, birth.format("%Y%m%d"));
        let number = format!("{body}{}", id_check(&body));
        let address = random_address(&mut rng, region, false);
        // Issued (or renewed) in 2015–2024, not before the holder's 16th birthday.
        let first_year = (birth.year() + 16).max(2015);
        // Day ≤ 28: the expiry keeps the same month and day.
        let valid_from = random_date(&mut rng, first_year..=2024, 28);
        let age = age_on(birth, valid_from);
        let years = match age {
            ..=25 => Some(10),
            26..=45 => Some(20),
            _ if rng.gen_bool(0.7) => None,
            _ => Some(20),
        };
        let valid_until = years.map(|y| add_years(valid_from, y));
        Identity {
            name,
            sex: sex.to_owned(),
            ethnicity: ethnicity.to_string(),
            birth,
            address,
            number,
            authority: region.bureau.to_owned(),
            valid_from,
            valid_until,
        }
    }

    /// `有效期限` as printed: `2016.03.05-2036.03.05` or `2016.03.05-长期`.
    pub fn validity(&self) -> String {
        let until = match self.valid_until {
            Some(d) => d.format("%Y.%m.%d").to_string(),
            None => "长期".to_owned(),
        };
        format!("{}-{until}", self.valid_from.format("%Y.%m.%d"))
    }
}

/// The same month and day `years` later (29 February would become the 28th).
fn add_years(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_add_months(Months::new(12 * years))
        .expect("dates before 2100 stay in range")
}

impl Business {
    /// A random business, the same for the same seed.
    pub fn random(seed: u64) -> Business {
        let mut rng = rng(seed, 2);
        let region = pick(&mut rng, REGIONS);
        let name = format!(
            "{}{}{}有限公司",
            region.city,
            pick(&mut rng, FIRM_WORDS),
            pick(&mut rng, TRADES)
        );
        let mut body = String::from("MA");
        body.push(char::from(b'0' + rng.gen_range(1..=9)));
        for _ in 0..5 {
            body.push(char::from(*pick(&mut rng, CODE_CHARS)));
        }
        let org_check = OrgCode::check_char(&body).expect("body of [0-9A-Z]{8}");
        let first17 = format!("91{}{body}{org_check}", region.code);
        let check = CreditCode::check_char(&first17).expect("credit-code alphabet");
        let kind = pick(&mut rng, KINDS).to_string();
        let legal_rep = random_name(&mut rng);
        let address = random_address(&mut rng, region, true);
        let registered = random_date(&mut rng, 2010..=2024, 31);
        let capital = format!("人民币{}万元", pick(&mut rng, CAPITALS));
        Business {
            name,
            uscc: format!("{first17}{check}"),
            kind,
            legal_rep,
            address,
            registered,
            capital,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use beian_domain::ids::ResidentId;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    fn is_cjk(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
    }

    #[test]
    fn identities_are_valid_and_coherent_over_500_seeds() {
        let mut long_term = 0;
        for seed in 0..500 {
            let p = Identity::random(seed);
            let id = ResidentId::parse(&p.number, today())
                .unwrap_or_else(|e| panic!("seed {seed}: {} rejected: {e:?}", p.number));
            assert_eq!(id.birth_date(), p.birth, "seed {seed}");
            assert!((1960..=2005).contains(&p.birth.year()));
            let n = p.name.chars().count();
            assert!(
                (2..=3).contains(&n) && p.name.chars().all(is_cjk),
                "{}",
                p.name
            );
            let region = REGIONS
                .iter()
                .find(|r| p.number.starts_with(r.code))
                .unwrap();
            assert!(p.address.starts_with(region.prefix));
            assert_eq!(p.authority, region.bureau);
            let a = p.address.chars().count();
            assert!((12..=30).contains(&a), "{} ({a})", p.address);
            let parity = p.number.as_bytes()[16] - b'0';
            assert_eq!(p.sex, if parity % 2 == 1 { "男" } else { "女" });
            assert!((2015..=2024).contains(&p.valid_from.year()));
            match p.valid_until {
                Some(until) => {
                    let years = until.year() - p.valid_from.year();
                    assert!(years == 10 || years == 20, "seed {seed}");
                    assert_eq!(until.month(), p.valid_from.month());
                    assert_eq!(until.day(), p.valid_from.day());
                }
                None => {
                    long_term += 1;
                    assert!(age_on(p.birth, p.valid_from) >= 46, "seed {seed}");
                }
            }
            assert_eq!(p, Identity::random(seed));
        }
        assert!(long_term > 10, "some holders have 长期 cards: {long_term}");
    }

    #[test]
    fn businesses_are_valid_over_500_seeds() {
        for seed in 0..500 {
            let b = Business::random(seed);
            let code = CreditCode::parse(&b.uscc)
                .unwrap_or_else(|e| panic!("seed {seed}: {} rejected: {e:?}", b.uscc));
            assert!(code.embedded_org_code_ok(), "seed {seed}: {}", b.uscc);
            assert_eq!(code.registering_authority(), '9');
            assert_eq!(code.category(), '1');
            let region = REGIONS
                .iter()
                .find(|r| r.code == code.division_code())
                .unwrap();
            assert!(b.address.starts_with(region.prefix));
            assert!(b.name.starts_with(region.city) && b.name.ends_with("有限公司"));
            let a = b.address.chars().count();
            assert!((12..=30).contains(&a), "{} ({a})", b.address);
            let n = b.legal_rep.chars().count();
            assert!((2..=3).contains(&n) && b.legal_rep.chars().all(is_cjk));
            assert_eq!(b, Business::random(seed));
        }
    }

    #[test]
    fn validity_reads_as_printed() {
        let mut p = Identity::random(7);
        p.valid_from = NaiveDate::from_ymd_opt(2016, 3, 5).unwrap();
        p.valid_until = Some(NaiveDate::from_ymd_opt(2036, 3, 5).unwrap());
        assert_eq!(p.validity(), "2016.03.05-2036.03.05");
        p.valid_until = None;
        assert_eq!(p.validity(), "2016.03.05-长期");
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Identity>(&json).unwrap(), p);
    }
}
