//! Names of seeded mini programs and subjects.
//!
//! Real names are unique and varied: a mini program name is unique on its host
//! platform, a company name within its registration authority, and both draw on
//! thousands of characters. Benchmarks of the public name search depend on that:
//! with a handful of stems (`星河` + one of 12 products + a number), every
//! trigram of a query occurs in a twelfth to a quarter of all names and no index
//! can be selective. So names here are built from two brand characters and a
//! product word, mapped from the applicant index by a bijection: unique up to
//! [`UNIQUE`] indexes, and spread so neighbouring indexes share nothing.

/// Brand characters. None of them starts a restricted prefix (V-MP-018), takes
/// part in a sensitive word (V-MP-020) or a commercial word (V-MP-022).
const BRAND: &str = "青禾云杉星辰月光晨曦溪山海岚松柏竹梅兰菊桃李橙柚果木林森雨雪霜露风雷电虹霞蓝绿紫金银铜玉珠贝石泉湖江\
河川岛屿峰谷原野田园花草叶芽根苗稻麦米豆茶咖啡糖蜜乐悦欣喜安宁静和睦美善佳优精巧灵慧智思知学习书墨笔\
砚纸琴棋诗画歌舞影音声亮明朗清澈爽快捷速达通畅行途路径帆船舟航飞翔鹏鹤燕雁莺鹿熊猫兔狐鲸鱼龙凤麒麟瑞\
祥福禄寿康健壮力勇毅恒久远长新启初元始源本真诚素简易趣玩逗萌酷潮尚雅致逸闲悠游旅居厨食味香甜鲜暖热凉";

/// What the mini programs do (same constraints as [`BRAND`]).
const PRODUCTS: [&str; 60] = [
    "记账", "天气", "日历", "相册", "笔记", "菜谱", "打卡", "书单", "计步", "闹钟", "翻译", "单词",
    "健身", "读书", "听书", "地图", "出行", "停车", "充电", "点餐", "订座", "排队", "快递", "洗衣",
    "租房", "装修", "宠物", "花艺", "烘焙", "茶饮", "水果", "生鲜", "优选", "拼车", "票务", "影评",
    "音乐", "电台", "题库", "考试", "课堂", "早教", "育儿", "体检", "问诊", "药箱", "瑜伽", "跑步",
    "骑行", "露营", "旅行", "民宿", "摄影", "修图", "壁纸", "头像", "问卷", "象棋", "诗词", "手账",
];

/// Lines of business in company names.
const INDUSTRIES: [&str; 20] = [
    "科技",
    "网络科技",
    "信息技术",
    "文化传媒",
    "餐饮管理",
    "商贸",
    "教育科技",
    "软件",
    "数字科技",
    "电子商务",
    "健康管理",
    "体育发展",
    "旅游发展",
    "广告",
    "物流",
    "家居",
    "农业科技",
    "食品",
    "咨询",
    "设计",
];

const BRANDS: u64 = 200;

/// Indexes below this get pairwise different mini program names.
pub const UNIQUE: u64 = BRANDS * BRANDS * PRODUCTS.len() as u64;

/// A multiplier coprime to every modulus used here (not divisible by 2, 3 or 5),
/// so `i ↦ i·K mod n` is a bijection of `0..n`.
const K: u64 = 1_000_003;

/// [`BRAND`]'s characters, indexed (collected once, not per seeded name).
static BRAND_CHARS: std::sync::LazyLock<Vec<char>> =
    std::sync::LazyLock::new(|| BRAND.chars().take(BRANDS as usize).collect());

fn brand(j: u64) -> String {
    let chars = &*BRAND_CHARS;
    let a = chars[(j % BRANDS) as usize];
    let b = chars[((j / BRANDS) % BRANDS) as usize];
    [a, b].iter().collect()
}

/// The mini program name of applicant `i`, e.g. `鹿禾记账`.
pub fn mini_program(i: u64) -> String {
    let j = (i % UNIQUE).wrapping_mul(K) % UNIQUE;
    let product = PRODUCTS[(j / (BRANDS * BRANDS)) as usize];
    let name = format!("{}{product}", brand(j));
    match i / UNIQUE {
        0 => name,
        n => format!("{name}{}", n + 1),
    }
}

/// The subject (company) name of applicant `i` in `city`, e.g. `成都市云杉网络科技有限公司`.
pub fn company(i: u64, city: &str) -> String {
    let n = BRANDS * BRANDS * INDUSTRIES.len() as u64;
    let j = (i % n).wrapping_mul(K).wrapping_add(7) % n;
    let industry = INDUSTRIES[(j / (BRANDS * BRANDS)) as usize];
    format!("{city}{}{industry}有限公司", brand(j))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn brand_characters_are_distinct_and_enough() {
        let chars: HashSet<char> = BRAND.chars().take(BRANDS as usize).collect();
        assert_eq!(chars.len(), BRANDS as usize);
        let products: HashSet<&str> = PRODUCTS.iter().copied().collect();
        assert_eq!(products.len(), PRODUCTS.len());
    }

    #[test]
    fn mini_program_names_are_unique() {
        // The whole bijective range is 2.4 M; a prefix and a stretch past the wrap
        // show both the bijection and the suffix.
        let mut seen = HashSet::new();
        for i in (0..200_000).chain(UNIQUE - 1_000..UNIQUE + 1_000) {
            assert!(seen.insert(mini_program(i)), "duplicate name at {i}");
        }
        assert_eq!(mini_program(UNIQUE + 5), format!("{}2", mini_program(5)));
    }

    #[test]
    fn names_are_varied() {
        // Neighbouring applicants share no brand: the public search's trigrams are
        // selective (the reason this module exists).
        let a: Vec<char> = mini_program(1).chars().collect();
        let b: Vec<char> = mini_program(2).chars().collect();
        assert_ne!(a[..2], b[..2]);
        let firsts: HashSet<char> = (0..10_000)
            .filter_map(|i| mini_program(i).chars().next())
            .collect();
        assert!(firsts.len() > 150, "{} first characters", firsts.len());
    }

    #[test]
    fn company_names_read_like_companies() {
        let name = company(42, "成都市");
        assert!(
            name.starts_with("成都市") && name.ends_with("有限公司"),
            "{name}"
        );
        assert_ne!(company(42, "成都市"), company(43, "成都市"));
    }
}
