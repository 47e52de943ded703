//! Paging of the review queues. A page's filters live in its URL, so the links to the
//! previous and next page and to the CSV export repeat them: a reviewer who pages
//! through "广东, 超时" never falls back to the whole queue, and a bookmarked or shared
//! link opens the same slice.

/// Rows per page unless the URL asks otherwise (`per_page`).
pub const DEFAULT_PER_PAGE: usize = 50;
/// The most a page shows: a queue page is read by a person.
pub const MAX_PER_PAGE: usize = 200;

/// The page asked for: 1-based number and size; anything unreadable is the default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageAsk {
    pub number: usize,
    pub per_page: usize,
}

impl PageAsk {
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> PageAsk {
        let num = |v: Option<&str>| v.and_then(|v| v.trim().parse::<usize>().ok());
        PageAsk {
            // Far pages cost a scan of the queue; ten thousand pages is beyond any queue.
            number: num(page).unwrap_or(1).clamp(1, 10_000),
            per_page: num(per_page)
                .unwrap_or(DEFAULT_PER_PAGE)
                .clamp(1, MAX_PER_PAGE),
        }
    }

    /// Rows to read (in the queue's order) to fill this page and learn whether another follows.
    pub fn rows_needed(&self) -> usize {
        self.number * self.per_page + 1
    }

    /// This page's slice of the rows read, and whether a next page exists.
    pub fn slice<T>(&self, mut rows: Vec<T>) -> (Vec<T>, bool) {
        let start = (self.number - 1) * self.per_page;
        let more = rows.len() > start + self.per_page;
        rows.truncate(start + self.per_page);
        (rows.split_off(start.min(rows.len())), more)
    }
}

/// The filters of a queue as (name, value) pairs, in the order they appear in its URLs;
/// empty values are left out.
pub struct Filters(Vec<(&'static str, String)>);

impl Filters {
    pub fn new(pairs: Vec<(&'static str, String)>) -> Filters {
        Filters(pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect())
    }

    /// `base` with the filters and the `extra` pairs as its query string.
    pub fn href(&self, base: &str, extra: &[(&str, String)]) -> String {
        let query: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .chain(extra.iter().map(|(k, v)| (*k, v.as_str())))
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if query.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", query.join("&"))
        }
    }
}

/// The links of one queue page.
pub struct Pager {
    pub number: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub csv: String,
}

impl Pager {
    pub fn new(base: &str, filters: &Filters, ask: PageAsk, more: bool) -> Pager {
        let page = |n: usize| filters.href(base, &[("page", n.to_string())]);
        Pager {
            number: ask.number,
            prev: (ask.number > 1).then(|| page(ask.number - 1)),
            next: more.then(|| page(ask.number + 1)),
            csv: filters.href(base, &[("format", "csv".into())]),
        }
    }
}

/// A query component as a form would send it: UTF-8 bytes, percent-encoded except the
/// unreserved characters, so a Chinese search survives the round trip.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_every_filter_and_encode_them() {
        let f = Filters::new(vec![
            ("q", "星河 A&B".into()),
            ("status", "all".into()),
            ("province", String::new()),
        ]);
        let ask = PageAsk::parse(Some("2"), Some("10"));
        let p = Pager::new("/review", &f, ask, true);
        let q = "q=%E6%98%9F%E6%B2%B3%20A%26B&status=all";
        assert_eq!(p.prev.as_deref(), Some(&*format!("/review?{q}&page=1")));
        assert_eq!(p.next.as_deref(), Some(&*format!("/review?{q}&page=3")));
        assert_eq!(p.csv, format!("/review?{q}&format=csv"));
        let first = Pager::new(
            "/review",
            &Filters::new(vec![]),
            PageAsk::parse(None, None),
            false,
        );
        assert_eq!((first.prev, first.next), (None, None));
        assert_eq!(first.csv, "/review?format=csv");
    }

    #[test]
    fn a_page_is_its_slice_of_the_rows() {
        let ask = PageAsk::parse(Some("2"), Some("2"));
        assert_eq!(ask.rows_needed(), 5);
        assert_eq!(ask.slice(vec![1, 2, 3, 4, 5]), (vec![3, 4], true));
        assert_eq!(ask.slice(vec![1, 2, 3, 4]), (vec![3, 4], false));
        assert_eq!(ask.slice(vec![1, 2, 3]), (vec![3], false));
        assert_eq!(ask.slice(vec![1]), (vec![], false));
        let odd = PageAsk::parse(Some("0"), Some("x"));
        assert_eq!((odd.number, odd.per_page), (1, DEFAULT_PER_PAGE));
        assert_eq!(PageAsk::parse(None, Some("9999")).per_page, MAX_PER_PAGE);
    }
}
