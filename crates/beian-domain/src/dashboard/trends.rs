//! The dashboard's time series: arrivals, decisions, backlog by stage, SLA
//! attainment and median time per stage, per China day or per week
//! (Monday–Sunday), over a chosen date range. Computed from the same passes
//! through the timed stages as the dashboard's other figures; pure: the caller
//! passes today's date and the histories.

use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use serde::Serialize;

use super::{passes, quantile, round2, History};
use crate::calendar::china_offset;
use crate::filing::{Change, Time};

/// The days a range shows when none is asked for (four whole weeks).
pub const DEFAULT_DAYS: i64 = 28;
/// The longest range, in days, both ends included.
pub const MAX_DAYS: i64 = 366;

/// One point per China day, or per week (Monday to Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Day,
    Week,
}

impl Granularity {
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Week => "week",
        }
    }

    /// 日 or 周, for labels.
    pub fn label(self) -> &'static str {
        match self {
            Granularity::Day => "日",
            Granularity::Week => "周",
        }
    }
}

/// Why a range was refused; the message is shown as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("{field}「{value}」不是有效日期，请按 YYYY-MM-DD 填写（如 2026-03-02）")]
    BadDate { field: &'static str, value: String },
    #[error("开始日期 {from} 晚于结束日期 {to}，请调换或重新选择")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("日期范围共 {days} 天，最长 {MAX_DAYS} 天，请缩短范围")]
    TooLong { days: i64 },
    #[error("结束日期 {to} 晚于今天（{today}），请选择今天或更早的日期")]
    Future { to: NaiveDate, today: NaiveDate },
    #[error("统计周期「{0}」无效，只能按日（day）或按周（week）")]
    BadPeriod(String),
}

/// A date range, both ends included, and how it is cut into periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub granularity: Granularity,
}

impl Range {
    /// The last [`DEFAULT_DAYS`] days up to `today`, per day.
    pub fn default_for(today: NaiveDate) -> Range {
        Range {
            from: today - Duration::days(DEFAULT_DAYS - 1),
            to: today,
            granularity: Granularity::Day,
        }
    }

    /// Reads the `from`, `to` and `period` parameters (empty means absent):
    /// `to` defaults to `today`, `from` to [`DEFAULT_DAYS`] days before `to`,
    /// the period to days.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        period: Option<&str>,
        today: NaiveDate,
    ) -> Result<Range, RangeError> {
        fn given(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        // Years of four digits only, so that the arithmetic below cannot overflow.
        let date = |field: &'static str, v: &str| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                .filter(|d| (1000..=9999).contains(&d.year()))
                .ok_or_else(|| RangeError::BadDate {
                    field,
                    value: v.chars().take(40).collect(),
                })
        };
        let granularity = match given(period) {
            None | Some("day") => Granularity::Day,
            Some("week") => Granularity::Week,
            Some(other) => return Err(RangeError::BadPeriod(other.chars().take(40).collect())),
        };
        let to = match given(to) {
            Some(v) => date("结束日期", v)?,
            None => today,
        };
        let from = match given(from) {
            Some(v) => date("开始日期", v)?,
            None => to - Duration::days(DEFAULT_DAYS - 1),
        };
        if from > to {
            return Err(RangeError::Reversed { from, to });
        }
        if to > today {
            return Err(RangeError::Future { to, today });
        }
        let days = (to - from).num_days() + 1;
        if days > MAX_DAYS {
            return Err(RangeError::TooLong { days });
        }
        Ok(Range {
            from,
            to,
            granularity,
        })
    }

    /// The periods, in order: each day, or each Monday–Sunday week cut to the range.
    pub fn periods(&self) -> Vec<(NaiveDate, NaiveDate)> {
        let mut out = vec![];
        let mut start = self.from;
        while start <= self.to {
            let end = match self.granularity {
                Granularity::Day => start,
                Granularity::Week => {
                    let sunday =
                        start + Duration::days(6 - start.weekday().num_days_from_monday() as i64);
                    sunday.min(self.to)
                }
            };
            out.push((start, end));
            start = end + Duration::days(1);
        }
        out
    }
}

/// The first instant of a China day.
pub fn day_start(day: NaiveDate) -> Time {
    china_offset()
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
        .single()
        .expect("a fixed offset has no gaps")
        .to_utc()
}

/// The figures of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendPeriod {
    /// First and last China day of the period (`YYYY-MM-DD`), both included.
    pub start: String,
    pub end: String,
    /// 3月2日, or 3月2日–3月8日 for a week.
    pub label: String,
    /// Submissions (first and again after a rejection or a return with changes) and
    /// cancellation submissions.
    pub arrivals: u64,
    pub platform_approved: u64,
    pub platform_rejected: u64,
    /// Filed (or cancelled) by the authority.
    pub authority_approved: u64,
    pub authority_rejected: u64,
    /// Orders waiting in each stage at the end of the period.
    pub backlog_platform_review: u64,
    pub backlog_sms_verification: u64,
    pub backlog_authority_review: u64,
    /// Platform decisions of the period, and those made by their due time.
    pub platform_sla_decisions: u64,
    pub platform_sla_met: u64,
    pub authority_sla_decisions: u64,
    pub authority_sla_met: u64,
    /// Share of both stages' decisions made by their due time, in percent.
    pub sla_attainment_percent: Option<f64>,
    pub platform_sla_percent: Option<f64>,
    pub authority_sla_percent: Option<f64>,
    /// Median hours of the passes through each stage that ended in the period.
    pub median_platform_review_hours: Option<f64>,
    pub median_sms_verification_hours: Option<f64>,
    pub median_authority_review_hours: Option<f64>,
}

/// The series over a range.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trends {
    pub from: String,
    pub to: String,
    pub period: Granularity,
    pub periods: Vec<TrendPeriod>,
    /// The whole range as one period (its backlog is the one at the range's end).
    pub total: TrendPeriod,
}

#[derive(Default)]
struct Acc {
    arrivals: u64,
    decided: [u64; 4],
    sla: [(u64, u64); 2],
    hours: [Vec<f64>; 3],
}

fn percent(met: u64, of: u64) -> Option<f64> {
    (of > 0).then(|| round2(met as f64 * 100.0 / of as f64))
}

fn label(start: NaiveDate, end: NaiveDate) -> String {
    let day = |d: NaiveDate| format!("{}月{}日", d.month(), d.day());
    if start == end {
        day(start)
    } else {
        format!("{}–{}", day(start), day(end))
    }
}

impl Acc {
    fn finish(mut self, start: NaiveDate, end: NaiveDate, backlog: [i64; 3]) -> TrendPeriod {
        let mut median = |i: usize| {
            self.hours[i].sort_by(f64::total_cmp);
            quantile(&self.hours[i], 0.5).map(round2)
        };
        let (m0, m1, m2) = (median(0), median(1), median(2));
        let [(p_of, p_met), (a_of, a_met)] = self.sla;
        let count = |n: i64| n.max(0) as u64;
        TrendPeriod {
            start: start.to_string(),
            end: end.to_string(),
            label: label(start, end),
            arrivals: self.arrivals,
            platform_approved: self.decided[0],
            platform_rejected: self.decided[1],
            authority_approved: self.decided[2],
            authority_rejected: self.decided[3],
            backlog_platform_review: count(backlog[0]),
            backlog_sms_verification: count(backlog[1]),
            backlog_authority_review: count(backlog[2]),
            platform_sla_decisions: p_of,
            platform_sla_met: p_met,
            authority_sla_decisions: a_of,
            authority_sla_met: a_met,
            sla_attainment_percent: percent(p_met + a_met, p_of + a_of),
            platform_sla_percent: percent(p_met, p_of),
            authority_sla_percent: percent(a_met, a_of),
            median_platform_review_hours: m0,
            median_sms_verification_hours: m1,
            median_authority_review_hours: m2,
        }
    }
}

/// Which decision ended a pass: 0 platform approve, 1 platform reject,
/// 2 authority approve, 3 authority reject; `None` for anything else
/// (a withdrawal, a termination, an SMS outcome).
fn decision(stage: usize, change: &Change) -> Option<usize> {
    match (stage, change) {
        (0, Change::PlatformApproved { .. }) => Some(0),
        (0, Change::PlatformRejected { .. }) => Some(1),
        (2, Change::Filed { .. } | Change::Cancelled) => Some(2),
        (2, Change::AuthorityRejected { .. }) => Some(3),
        _ => None,
    }
}

/// The series of `range` from the histories.
pub fn compute(histories: &[History], range: Range) -> Trends {
    let periods = range.periods();
    // Period i covers [starts[i], ends[i]) in time.
    let starts: Vec<Time> = periods.iter().map(|(s, _)| day_start(*s)).collect();
    let ends: Vec<Time> = periods
        .iter()
        .map(|(_, e)| day_start(*e + Duration::days(1)))
        .collect();
    let first = starts[0];
    let last = ends[ends.len() - 1];
    let index = |t: Time| -> Option<usize> {
        if t < first || t >= last {
            return None;
        }
        Some(ends.partition_point(|e| *e <= t))
    };
    let mut accs: Vec<Acc> = periods.iter().map(|_| Acc::default()).collect();
    let mut total = Acc::default();
    // Backlog as differences: +1 at the first period a pass is waiting at the end of,
    // −1 after the last one.
    let mut diff = vec![[0i64; 3]; periods.len() + 1];
    let mut waiting_at_end = [0i64; 3];
    for h in histories {
        for e in &h.events {
            if matches!(
                e.change,
                Change::Submitted { .. } | Change::CancellationSubmitted { .. }
            ) {
                if let Some(i) = index(e.at) {
                    accs[i].arrivals += 1;
                    total.arrivals += 1;
                }
            }
        }
        for p in passes(&h.events) {
            // Waiting at the end of period i: began before it, not ended before it.
            let began = ends.partition_point(|e| *e <= p.start);
            let ended = p
                .end
                .map_or(ends.len(), |(at, _)| ends.partition_point(|e| *e <= at));
            if began < ended {
                diff[began][p.stage] += 1;
                diff[ended][p.stage] -= 1;
            }
            if p.start < last && p.end.is_none_or(|(at, _)| at >= last) {
                waiting_at_end[p.stage] += 1;
            }
            let Some((at, change)) = p.end else { continue };
            let Some(i) = index(at) else { continue };
            let hours = (at - p.start).num_milliseconds() as f64 / 3_600_000.0;
            for acc in [&mut accs[i], &mut total] {
                acc.hours[p.stage].push(hours);
                if let Some(d) = decision(p.stage, change) {
                    acc.decided[d] += 1;
                    if let Some(due) = p.due {
                        let sla = &mut acc.sla[d / 2];
                        sla.0 += 1;
                        if at <= due {
                            sla.1 += 1;
                        }
                    }
                }
            }
        }
    }
    let mut running = [0i64; 3];
    let out = periods
        .iter()
        .zip(accs)
        .enumerate()
        .map(|(i, ((s, e), acc))| {
            for (r, d) in running.iter_mut().zip(diff[i]) {
                *r += d;
            }
            acc.finish(*s, *e, running)
        })
        .collect();
    Trends {
        from: range.from.to_string(),
        to: range.to.to_string(),
        period: range.granularity,
        periods: out,
        total: total.finish(range.from, range.to, waiting_at_end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::tests::{approved_at, event, submitted_at};
    use crate::filing::{Event, Kind, Reason, Status};
    use chrono::{DateTime, Utc};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A China time, `2026-03-02 10:00`.
    fn at(s: &str) -> Time {
        DateTime::parse_from_rfc3339(&format!("{}:00+08:00", s.replace(' ', "T")))
            .unwrap()
            .with_timezone(&Utc)
    }

    fn ev(t: &str, change: Change) -> Event {
        event(at(t), change)
    }

    fn submitted(t: &str, due: &str) -> Event {
        submitted_at(at(t), at(due))
    }

    fn approved(t: &str) -> Event {
        approved_at(at(t))
    }

    fn rejected(t: &str) -> Event {
        ev(
            t,
            Change::PlatformRejected {
                reasons: vec![Reason {
                    field: None,
                    error: "证件照片模糊".into(),
                    suggestion: String::new(),
                }],
                fix_deadline: None,
            },
        )
    }

    fn authority(t: &str, due: &str) -> Event {
        ev(
            t,
            Change::AuthorityReviewStarted {
                due_at: at(due),
                due_provisional: false,
            },
        )
    }

    fn claimed(t: &str) -> Event {
        ev(
            t,
            Change::Claimed {
                holder: "u1".into(),
                until: at(t) + Duration::minutes(30),
            },
        )
    }

    fn history(events: Vec<Event>) -> History {
        History {
            filing_id: "f".into(),
            kind: Kind::New,
            province: Some("44".into()),
            status: Status::PlatformReview,
            events,
        }
    }

    fn days(from: &str, to: &str) -> Range {
        Range {
            from: d(from),
            to: d(to),
            granularity: Granularity::Day,
        }
    }

    #[test]
    fn ranges_default_and_refuse_with_chinese_messages() {
        let today = d("2026-03-10");
        let r = Range::parse(None, Some(""), None, today).unwrap();
        assert_eq!(r, Range::default_for(today));
        assert_eq!((r.from, r.to), (d("2026-02-11"), today));
        assert_eq!(r.periods().len(), 28);
        let r = Range::parse(Some("2026-03-01"), None, Some("week"), today).unwrap();
        assert_eq!(r.granularity, Granularity::Week);
        let e = |f: Option<&str>, t: Option<&str>, p: Option<&str>| {
            Range::parse(f, t, p, today).unwrap_err()
        };
        let bad = e(Some("2026-02-30"), None, None);
        assert!(matches!(
            bad,
            RangeError::BadDate {
                field: "开始日期",
                ..
            }
        ));
        assert!(bad.to_string().contains("YYYY-MM-DD"), "{bad}");
        assert!(matches!(
            e(Some("2026-03-05"), Some("2026-03-04"), None),
            RangeError::Reversed { .. }
        ));
        assert!(matches!(
            e(None, Some("2026-03-11"), None),
            RangeError::Future { .. }
        ));
        assert_eq!(
            e(Some("2025-03-09"), None, None),
            RangeError::TooLong { days: 367 }
        );
        assert!(Range::parse(Some("2025-03-10"), None, None, today).is_ok());
        for far in ["-262143-01-01", "+99999-01-01", "0001-01-01"] {
            assert!(matches!(
                e(None, Some(far), None),
                RangeError::BadDate {
                    field: "结束日期",
                    ..
                }
            ));
        }
        assert_eq!(
            e(None, None, Some("month")).to_string(),
            "统计周期「month」无效，只能按日（day）或按周（week）"
        );
    }

    #[test]
    fn weeks_run_monday_to_sunday_cut_to_the_range() {
        // 2026-03-04 is a Wednesday.
        let r = Range {
            from: d("2026-03-04"),
            to: d("2026-03-17"),
            granularity: Granularity::Week,
        };
        assert_eq!(
            r.periods(),
            vec![
                (d("2026-03-04"), d("2026-03-08")),
                (d("2026-03-09"), d("2026-03-15")),
                (d("2026-03-16"), d("2026-03-17")),
            ]
        );
        let t = compute(&[], r);
        assert_eq!(t.periods[0].label, "3月4日–3月8日");
        assert_eq!(t.periods[2].label, "3月16日–3月17日");
    }

    /// Days begin at 00:00 in China (16:00 UTC the day before), not at UTC midnight.
    #[test]
    fn events_fall_on_their_china_day() {
        let h = vec![
            history(vec![submitted("2026-03-02 23:59", "2026-03-04 23:59")]),
            history(vec![submitted("2026-03-03 00:00", "2026-03-05 23:59")]),
            // 07:30 in China is still the previous day in UTC.
            history(vec![submitted("2026-03-03 07:30", "2026-03-05 23:59")]),
            history(vec![submitted("2026-03-01 23:59", "2026-03-03 23:59")]),
        ];
        let t = compute(&h, days("2026-03-02", "2026-03-03"));
        let arrivals: Vec<u64> = t.periods.iter().map(|p| p.arrivals).collect();
        assert_eq!(arrivals, vec![1, 2]);
        assert_eq!(t.total.arrivals, 3);
        assert_eq!(t.periods[0].start, "2026-03-02");
        assert_eq!(t.periods[0].label, "3月2日");
        // All four are waiting at the end of 3 March; three at the end of 2 March.
        let backlog: Vec<u64> = t
            .periods
            .iter()
            .map(|p| p.backlog_platform_review)
            .collect();
        assert_eq!(backlog, vec![2, 4]);
        assert_eq!(t.total.backlog_platform_review, 4);
    }

    #[test]
    fn backlog_follows_each_stage_and_ignores_claims() {
        let a = history(vec![
            submitted("2026-03-02 10:00", "2026-03-04 23:59"),
            claimed("2026-03-02 11:00"),
            approved("2026-03-03 09:00"),
            authority("2026-03-03 12:00", "2026-03-31 23:59"),
            ev("2026-03-05 10:00", Change::Filed { numbers: None }),
        ]);
        let b = history(vec![
            submitted("2026-03-02 15:00", "2026-03-04 23:59"),
            claimed("2026-03-04 09:00"),
            rejected("2026-03-04 10:00"),
        ]);
        let t = compute(&[a, b], days("2026-03-02", "2026-03-05"));
        let stage = |f: fn(&TrendPeriod) -> u64| t.periods.iter().map(f).collect::<Vec<_>>();
        assert_eq!(stage(|p| p.backlog_platform_review), vec![2, 1, 0, 0]);
        assert_eq!(stage(|p| p.backlog_sms_verification), vec![0, 0, 0, 0]);
        assert_eq!(stage(|p| p.backlog_authority_review), vec![0, 1, 1, 0]);
        // The claim did not end a's platform review: 23 hours, one pass.
        assert_eq!(t.periods[1].median_platform_review_hours, Some(23.0));
        assert_eq!(t.periods[1].median_sms_verification_hours, Some(3.0));
        assert_eq!(
            (
                t.periods[1].platform_approved,
                t.periods[2].platform_rejected
            ),
            (1, 1)
        );
        assert_eq!(t.periods[3].authority_approved, 1);
        assert_eq!(t.periods[3].median_authority_review_hours, Some(46.0));
    }

    #[test]
    fn sla_share_counts_decisions_by_their_due_time() {
        // Due Wednesday 23:59:59.999; decided on time, at the last minute, and late.
        let due = "2026-03-04 23:59";
        let h = vec![
            history(vec![
                submitted("2026-03-02 10:00", due),
                approved("2026-03-03 10:00"),
            ]),
            history(vec![
                submitted("2026-03-02 10:00", due),
                rejected("2026-03-04 23:59"),
            ]),
            history(vec![
                submitted("2026-03-02 10:00", due),
                approved("2026-03-05 09:00"),
                authority("2026-03-05 10:00", "2026-03-06 23:59"),
                ev(
                    "2026-03-07 10:00",
                    Change::AuthorityRejected {
                        reasons: vec![],
                        fix_deadline: None,
                    },
                ),
            ]),
            // Withdrawn: not a decision, not in the SLA share.
            history(vec![
                submitted("2026-03-02 10:00", due),
                ev("2026-03-03 10:00", Change::Withdrawn),
            ]),
        ];
        let r = Range {
            from: d("2026-03-02"),
            to: d("2026-03-08"),
            granularity: Granularity::Week,
        };
        let t = compute(&h, r);
        assert_eq!(t.periods.len(), 1);
        let w = &t.periods[0];
        assert_eq!((w.platform_sla_decisions, w.platform_sla_met), (3, 2));
        assert_eq!((w.authority_sla_decisions, w.authority_sla_met), (1, 0));
        assert_eq!(w.platform_sla_percent, Some(66.67));
        assert_eq!(w.authority_sla_percent, Some(0.0));
        assert_eq!(w.sla_attainment_percent, Some(50.0));
        assert_eq!((w.platform_approved, w.platform_rejected), (2, 1));
        assert_eq!(w.authority_rejected, 1);
        // Platform review took 24, 61.98, 71 and 24 (the withdrawal) hours.
        assert_eq!(w.median_platform_review_hours, Some(42.99));
        assert_eq!(w, &t.total);
        // Per day, the late decision lands on Thursday, with no share on Sunday.
        let t = compute(&h, days("2026-03-02", "2026-03-08"));
        assert_eq!(t.periods[3].platform_sla_percent, Some(0.0));
        assert_eq!(t.periods[6].sla_attainment_percent, None);
    }

    #[test]
    fn a_loaded_notice_moves_the_due_time_judged() {
        let h = history(vec![
            submitted("2026-03-02 10:00", "2026-03-04 23:59"),
            ev(
                "2026-03-03 10:00",
                Change::DueRecomputed {
                    previous: at("2026-03-04 23:59"),
                    due_at: at("2026-03-06 23:59"),
                    due_provisional: false,
                },
            ),
            approved("2026-03-05 10:00"),
        ]);
        let t = compute(&[h], days("2026-03-05", "2026-03-05"));
        assert_eq!(t.periods[0].platform_sla_met, 1);
    }

    #[test]
    fn medians_take_the_middle_of_each_period() {
        let h: Vec<History> = [1, 2, 3, 10]
            .iter()
            .map(|hours| {
                let t0 = at("2026-03-02 08:00");
                let mut ap = approved("2026-03-02 08:00");
                ap.at = t0 + Duration::hours(*hours);
                history(vec![submitted("2026-03-02 08:00", "2026-03-04 23:59"), ap])
            })
            .collect();
        let t = compute(&h, days("2026-03-02", "2026-03-02"));
        assert_eq!(t.periods[0].median_platform_review_hours, Some(2.5));
        assert_eq!(t.periods[0].median_sms_verification_hours, None);
        // The SMS rounds opened by the approvals are still waiting.
        assert_eq!(t.periods[0].backlog_sms_verification, 4);
    }
}
