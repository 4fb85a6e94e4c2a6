//! Where each step (or action) of a merged process goes: the source's order, with the
//! destination's own items kept where they stood, after the matched item they followed on the
//! destination, never moved to the end (SpaceCloner appends them, `spacecloner.md` §4.1).

use crate::snapshot::name_key;

/// One place in the merged list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The source item at this position, with the destination item of its name if there is one.
    Source(usize, Option<usize>),
    /// The destination item at this position, which no source item names.
    DestinationOnly(usize),
}

/// The merged order of `source` and `destination` names (matched case-insensitively, trimmed, each
/// destination item at most once). A destination-only item follows the matched item it followed
/// on the destination; those before any matched item come first.
pub fn interleave(source: &[&str], destination: &[&str]) -> Vec<Slot> {
    let dest_keys: Vec<String> = destination.iter().map(|n| name_key(n)).collect();
    let mut taken = vec![false; destination.len()];
    let mut matched: Vec<Option<usize>> = Vec::with_capacity(source.len());
    for name in source {
        let key = name_key(name);
        let found = (0..destination.len()).find(|&j| !taken[j] && dest_keys[j] == key);
        if let Some(j) = found {
            taken[j] = true;
        }
        matched.push(found);
    }
    // The destination-only items that follow each matched destination item (None: the start).
    let mut after: Vec<(Option<usize>, usize)> = Vec::new();
    let mut anchor = None;
    for (j, used) in taken.iter().enumerate() {
        if *used {
            anchor = Some(j);
        } else {
            after.push((anchor, j));
        }
    }
    let followers = |a: Option<usize>| {
        after
            .iter()
            .filter(move |(x, _)| *x == a)
            .map(|(_, j)| Slot::DestinationOnly(*j))
    };
    let mut out: Vec<Slot> = followers(None).collect();
    for (i, m) in matched.iter().enumerate() {
        out.push(Slot::Source(i, *m));
        if m.is_some() {
            out.extend(followers(*m));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Slot::*;

    #[test]
    fn destination_only_items_stay_after_the_item_they_followed() {
        // Destination: Build, Approve (own), Deploy, Notify (own); source: Deploy, Build, Smoke.
        let slots = interleave(&["Deploy", "build", "Smoke"], &["Build", "Approve", "Deploy", "Notify"]);
        assert_eq!(
            slots,
            [
                Source(0, Some(2)),
                DestinationOnly(3),
                Source(1, Some(0)),
                DestinationOnly(1),
                Source(2, None)
            ]
        );
    }

    #[test]
    fn destination_only_items_before_every_match_come_first() {
        assert_eq!(
            interleave(&["A"], &["Own", "A"]),
            [DestinationOnly(0), Source(0, Some(1))]
        );
        assert_eq!(interleave(&["A"], &["Own"]), [DestinationOnly(0), Source(0, None)]);
        assert_eq!(interleave(&[], &["Own"]), [DestinationOnly(0)]);
    }

    #[test]
    fn a_destination_item_is_matched_once() {
        assert_eq!(interleave(&["A", "a"], &["A"]), [Source(0, Some(0)), Source(1, None)]);
    }
}
