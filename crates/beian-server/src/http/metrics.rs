//! Prometheus metrics in the text exposition format, without a metrics crate:
//! a handful of counters is all the server exports.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Counters keyed by (name, label string).
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(String, String), u64>>,
}

impl Metrics {
    /// Adds `n` to a counter with one label.
    pub fn inc(&self, name: &str, label: &str, value: &str, n: u64) {
        let key = (name.to_string(), format!("{label}=\"{value}\""));
        let mut map = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        *map.entry(key).or_default() += n;
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let map = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        let mut last = "";
        for ((name, labels), v) in map.iter() {
            if name != last {
                out.push_str(&format!("# TYPE {name} counter\n"));
                last = name;
            }
            out.push_str(&format!("{name}{{{labels}}} {v}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_render_in_prometheus_text_format() {
        let m = Metrics::default();
        m.inc("beian_events_total", "event", "submitted", 2);
        m.inc("beian_events_total", "event", "submitted", 1);
        let text = m.render();
        assert!(text.contains("# TYPE beian_events_total counter"));
        assert!(text.contains("beian_events_total{event=\"submitted\"} 3"));
    }
}
