//! The reviewers' queue pages: paging keeps the filters of the URL, and the CSV export
//! holds the same filtered queue.

use crate::harness::*;

/// An attribute value as the browser reads it (askama escapes `&`, quotes and `/`).
fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The `href` of the first link whose tag contains `marker` (e.g. `rel="next"`).
fn link(html: &str, marker: &str) -> Option<String> {
    let at = html.find(marker)?;
    let start = html[..at].rfind("<a ")?;
    let tag = &html[start..html[start..].find('>')? + start];
    let href = tag.split("href=\"").nth(1)?.split('"').next()?;
    Some(unescape(href))
}

/// The orders a queue page lists (its links to the review pages).
fn orders(html: &str) -> Vec<String> {
    html.match_indices("href=\"/review/")
        .map(|(at, m)| html[at + m.len()..].split('"').next().unwrap().to_string())
        .filter(|id| id != "next")
        .collect()
}

// The page reads the store's due-date order with its cursor: both backends.
crate::both_backends!(queue_pages_keep_the_filters_and_the_csv_holds_the_filtered_queue);

async fn queue_pages_keep_the_filters_and_the_csv_holds_the_filtered_queue(app: TestApp) {
    let (applicant, reviewer, _) = app.filing_roles().await;
    // Three orders of 北辰 among two of 星河: the search keeps the three.
    for n in [11, 12, 13] {
        let subject = format!("广州市北辰科技{n}有限公司");
        let flow = Flow::prepare_with(&app, &applicant, n, &credit_code(n), &subject).await;
        flow.submit().await.expect(200);
    }
    for n in [1, 2] {
        Flow::prepare(&app, &applicant, n)
            .await
            .submit()
            .await
            .expect(200);
    }
    let me = app.get("/api/v1/me", &reviewer).await.expect(200);
    let cookie = app
        .page_session(me["username"].as_str().unwrap(), "password-123")
        .await;

    // Page 1 of a two-row paging: two of the three, and a next link with the search.
    let (status, first) = app
        .page("/review?q=%E5%8C%97%E8%BE%B0&per_page=2", &cookie)
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first.matches("北辰科技").count(), 2, "{first}");
    assert!(!first.contains("星河科技"), "{first}");
    assert!(link(&first, "rel=\"prev\"").is_none());
    let next = link(&first, "rel=\"next\"").expect("a next page link");
    for kept in [
        "q=%E5%8C%97%E8%BE%B0",
        "status=platform_review",
        "per_page=2",
    ] {
        assert!(next.contains(kept), "{next} keeps {kept}");
    }
    assert!(next.contains("page=2"), "{next}");

    // Page 2 through that link: the third 北辰 order only, and the way back keeps the filter.
    let (status, second) = app.page(&next, &cookie).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second.matches("北辰科技").count(), 1, "{second}");
    assert!(!second.contains("星河科技"), "{second}");
    assert!(link(&second, "rel=\"next\"").is_none(), "{second}");
    let prev = link(&second, "rel=\"prev\"").expect("a previous page link");
    assert!(prev.contains("q=%E5%8C%97%E8%BE%B0") && prev.contains("page=1"));
    let mut seen = orders(&first);
    seen.extend(orders(&second));
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 3, "no order on two pages: {seen:?}");

    // The CSV link carries the same filters and holds the three orders, whatever the page.
    let csv_href = link(&second, "download").expect("a CSV link");
    assert!(csv_href.contains("q=%E5%8C%97%E8%BE%B0") && csv_href.contains("format=csv"));
    let (status, csv) = app.page(&csv_href, &cookie).await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 4, "a header and three orders: {csv}");
    let columns = lines[0].split(',').count();
    for line in &lines[1..] {
        assert!(line.contains("北辰科技"), "{line}");
        assert_eq!(
            line.split(',').count(),
            columns,
            "every line fits the header: {csv}"
        );
    }

    // Without the search the queue has all five, two pages of two and one.
    let (_, all) = app.page("/review?per_page=2&page=3", &cookie).await;
    assert_eq!(orders(&all).len(), 1, "{all}");
    // Out-of-range paging is clamped, never an error or an unbounded read: a page size
    // past the limit is the limit, a page before the first is the first.
    let (status, huge) = app.page("/review?per_page=99999999&page=-7", &cookie).await;
    assert_eq!(status, 200);
    assert_eq!(orders(&huge).len(), 5, "{huge}");
    let (status, junk) = app.page("/review?per_page=x&page=1e9", &cookie).await;
    assert_eq!(status, 200);
    assert_eq!(orders(&junk).len(), 5, "{junk}");
}
