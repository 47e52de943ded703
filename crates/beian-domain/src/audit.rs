//! The tamper-evident history: every event of an order is chained to the one before.
//!
//! The link of an event is `sha256(previous link || "\n" || body)`, hex, where `body` is
//! the event's canonical form (its JSON as stored) and the first event's previous link is
//! empty. The projection keeps the head (`Filing::chain_head`), so changing a byte of an
//! event, deleting one (even the last) or swapping two breaks a link or the head.
//! Events written before the chain existed have no link; they may only come first.

use sha2::{Digest, Sha256};

/// The link of an event whose canonical form is `body`, after `previous`.
pub fn link(previous: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(previous.as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    hex::encode(h.finalize())
}

/// The daily anchor: one hash over every order head that changed on `day` (the link of
/// each order's last event that day, by order id), chained to the previous day's anchor.
/// Published or escrowed outside the database, it fixes the history: a chain rebuilt
/// after the fact no longer matches its day's anchor.
pub fn anchor(previous: &str, day: &str, heads: &[(String, String)]) -> String {
    let mut h = Sha256::new();
    h.update(previous.as_bytes());
    h.update(b"\n");
    h.update(day.as_bytes());
    let mut sorted: Vec<&(String, String)> = heads.iter().collect();
    sorted.sort();
    for (id, head) in sorted {
        h.update(b"\n");
        h.update(id.as_bytes());
        h.update(b" ");
        h.update(head.as_bytes());
    }
    hex::encode(h.finalize())
}

/// One stored event as the audit reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLink {
    pub seq: i64,
    pub body: String,
    /// `None` for an event written before the chain existed.
    pub hash: Option<String>,
}

/// Where an order's chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The event's sequence number (1-based); 0 for the order's projection.
    pub seq: i64,
    pub reason: String,
}

/// Checks an order's events (in stored order) against each other and against the
/// projection's head and version.
pub fn verify(events: &[StoredLink], head: &str, version: i64) -> Result<(), Broken> {
    let broken = |seq: i64, reason: String| Err(Broken { seq, reason });
    let mut previous = String::new();
    let mut chained = false;
    for (i, e) in events.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        if e.seq != expected_seq {
            return broken(
                expected_seq,
                format!("event {expected_seq} is missing (found {})", e.seq),
            );
        }
        match &e.hash {
            None if chained => {
                return broken(e.seq, "its link was removed after the chain began".into())
            }
            None => {}
            Some(stored) => {
                let computed = link(&previous, &e.body);
                if *stored != computed {
                    return broken(
                        e.seq,
                        "its content or its place in the order changed".into(),
                    );
                }
                previous = computed;
                chained = true;
            }
        }
    }
    if events.len() as i64 != version {
        return broken(
            events.len() as i64 + 1,
            format!(
                "{} events stored, the order is at version {version}",
                events.len()
            ),
        );
    }
    if chained && previous != head {
        return broken(
            0,
            "the order's recorded head is not its last event's link".into(),
        );
    }
    Ok(())
}

/// Checks an erased order's events (`crate::retention`): their bodies can no longer be
/// read, so links cannot be recomputed; what is checked is that none is missing or
/// moved, that they match the version, and that the last stored link is the head (which
/// the daily anchors fix).
pub fn verify_erased(events: &[StoredLink], head: &str, version: i64) -> Result<(), Broken> {
    for (i, e) in events.iter().enumerate() {
        let expected = i as i64 + 1;
        if e.seq != expected {
            return Err(Broken {
                seq: expected,
                reason: format!("event {expected} is missing (found {})", e.seq),
            });
        }
    }
    if events.len() as i64 != version {
        return Err(Broken {
            seq: events.len() as i64 + 1,
            reason: format!(
                "{} events stored, the order is at version {version}",
                events.len()
            ),
        });
    }
    match events.last().and_then(|e| e.hash.as_deref()) {
        Some(last) if last != head => Err(Broken {
            seq: 0,
            reason: "the order's recorded head is not its last event's link".into(),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(bodies: &[&str]) -> (Vec<StoredLink>, String) {
        let mut prev = String::new();
        let links = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| {
                prev = link(&prev, b);
                StoredLink {
                    seq: i as i64 + 1,
                    body: b.to_string(),
                    hash: Some(prev.clone()),
                }
            })
            .collect();
        (links, prev)
    }

    #[test]
    fn an_intact_chain_verifies_and_every_tampering_is_found() {
        let (links, head) = chain(&["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"]);
        assert_eq!(verify(&links, &head, 3), Ok(()));

        let mut byte = links.clone();
        byte[1].body = "{\"b\":3}".into();
        assert_eq!(verify(&byte, &head, 3).unwrap_err().seq, 2);

        let mut swapped = links.clone();
        swapped.swap(1, 2);
        (swapped[1].seq, swapped[2].seq) = (2, 3);
        assert_eq!(verify(&swapped, &head, 3).unwrap_err().seq, 2);

        let mut gap = links.clone();
        gap.remove(1);
        assert_eq!(verify(&gap, &head, 3).unwrap_err().seq, 2);

        let last_gone = &links[..2];
        assert!(verify(last_gone, &head, 3).is_err(), "version tells");
        assert!(verify(last_gone, &head, 2).is_err(), "head tells");

        let mut unlinked = links.clone();
        unlinked[2].hash = None;
        assert_eq!(verify(&unlinked, &head, 3).unwrap_err().seq, 3);
    }

    #[test]
    fn an_anchor_depends_on_every_head_its_day_and_its_predecessor() {
        let heads = vec![
            ("f1".to_string(), "a".to_string()),
            ("f2".to_string(), "b".to_string()),
        ];
        let a = anchor("", "2026-03-02", &heads);
        let mut reversed = heads.clone();
        reversed.reverse();
        assert_eq!(
            a,
            anchor("", "2026-03-02", &reversed),
            "order of input does not matter"
        );
        assert_ne!(a, anchor("x", "2026-03-02", &heads));
        assert_ne!(a, anchor("", "2026-03-03", &heads));
        assert_ne!(a, anchor("", "2026-03-02", &heads[..1]));
        let changed = vec![
            ("f1".to_string(), "a".to_string()),
            ("f2".to_string(), "c".to_string()),
        ];
        assert_ne!(a, anchor("", "2026-03-02", &changed));
    }

    #[test]
    fn events_from_before_the_chain_may_only_come_first() {
        let legacy = StoredLink {
            seq: 1,
            body: "{\"old\":1}".into(),
            hash: None,
        };
        let next = link("", "{\"new\":2}");
        let links = vec![
            legacy,
            StoredLink {
                seq: 2,
                body: "{\"new\":2}".into(),
                hash: Some(next.clone()),
            },
        ];
        assert_eq!(verify(&links, &next, 2), Ok(()));
    }
}
