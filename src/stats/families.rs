//! Per-actor families of outcomes: `metric.<actor>` for every actor of the scenario.
//!
//! A model reports a per-actor quantity as one outcome per actor, named `metric.<actor>` (the
//! alliance's `channel_months.Hungary`, the bargaining model's `win_prob.<actor>`). This module
//! finds, from the outcome declarations and the actor names alone, the metrics that have a
//! member for every actor and where each member sits, so that `allies.csv`, the calibration's
//! per-ally targets and the validation page read the same quantities the same way.

use crate::spec::{OutcomeKind, OutcomeSpec};

/// One per-actor metric: its name, its kind, and for each actor (in actor order) the index of
/// its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    pub metric: String,
    pub kind: OutcomeKind,
    pub index: Vec<usize>,
}

/// The metrics with an outcome `metric.<actor>` for every one of `actors`, in the order of
/// their first member among the outcomes. Families that miss an actor are not per-actor
/// metrics (e.g. `expected.<dimension>`) and are left out.
pub fn actor_families(outcomes: &[OutcomeSpec], actors: &[String]) -> Vec<Family> {
    let mut out: Vec<Family> = Vec::new();
    if actors.is_empty() {
        return out;
    }
    // Lookups by name (a long horizon has tens of thousands of outcomes); the hash maps are
    // never iterated, so the order of the families is that of the outcomes.
    let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, o) in outcomes.iter().enumerate() {
        first.entry(o.name.as_str()).or_insert(i);
    }
    let mut metrics: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for o in outcomes {
        if let Some((m, _)) = o.name.split_once('.')
            && seen.insert(m)
        {
            metrics.push(m);
        }
    }
    for m in metrics {
        let find = |a: &String| first.get(format!("{m}.{a}").as_str()).copied();
        let index: Option<Vec<usize>> = actors.iter().map(find).collect();
        if let Some(index) = index {
            let kind = outcomes[index[0]].kind;
            out.push(Family {
                metric: m.to_string(),
                kind,
                index,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_cover_every_actor_or_are_left_out() {
        let o = |n: &str| OutcomeSpec::new(n, OutcomeKind::Count, "");
        let outs = vec![
            o("crises"),
            o("months.A"),
            o("months.B"),
            o("expected.x"),
            o("risk.B"),
            o("risk.A"),
            o("half.A"),
        ];
        let actors = vec!["A".to_string(), "B".to_string()];
        let f = actor_families(&outs, &actors);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].metric, "months");
        assert_eq!(f[0].index, vec![1, 2]);
        assert_eq!(f[1].metric, "risk");
        assert_eq!(f[1].index, vec![5, 4]);
        assert!(actor_families(&outs, &[]).is_empty());
    }
}
